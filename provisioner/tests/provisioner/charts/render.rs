//! Running the real helm and kubernetes-validate binaries for the chart tests.
#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use emulator_support::tools::{Tool, require};
use serde_json::Value;

/// The tenant charts, in the order the bootstrap chart deploys them, then the guide (which
/// the provisioner applies itself).
pub(crate) const CHARTS: [&str; 6] = [
    "bootstrap",
    "agent",
    "mcp-openshift",
    "mcp-gitea",
    "librechat-config",
    "showroom",
];
/// The tenant the chart tests render for.
pub(crate) const U: &str = "user57";

/// The namespaces of tenant `u`, as the charts derive them from the username.
pub(crate) fn tenant_namespaces(u: &str) -> Vec<String> {
    [
        "agent",
        "mcp-openshift",
        "mcp-gitea",
        "librechat",
        "showroom",
    ]
    .iter()
    .map(|c| format!("{c}-{u}"))
    .collect()
}

/// Rendered text and its objects.
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) objects: Vec<Value>,
}

impl Rendered {
    pub(crate) fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }
}

pub(crate) fn chart_dir(chart: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(chart)
}

pub(crate) fn lab_values() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/provisioner/charts/lab-values.yaml"),
    )
    .unwrap()
}

fn values_file(values: &str) -> tempfile_path::TempPath {
    tempfile_path::TempPath::with(values)
}

mod tempfile_path {
    use std::path::PathBuf;
    pub(super) struct TempPath(pub(super) PathBuf);
    impl TempPath {
        pub(super) fn with(content: &str) -> Self {
            let n: u64 = rand::random();
            let p =
                std::env::temp_dir().join(format!("chart-test-{}-{n:x}.yaml", std::process::id()));
            std::fs::write(&p, content).unwrap();
            TempPath(p)
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn helm(args: &[&str], values: &str, sets: &[&str]) -> std::process::Output {
    let file = values_file(values);
    let mut cmd = Command::new(require(Tool::Helm));
    cmd.args(args).arg("--values").arg(&file.0);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    cmd.output().unwrap()
}

pub(crate) fn helm_lint(chart: &str, values: &str) {
    let dir = chart_dir(chart);
    let out = helm(&["lint", "--strict", dir.to_str().unwrap()], values, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "helm lint {chart}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("0 chart(s) failed"), "{text}");
}

pub(crate) fn render(chart: &str, values: &str, sets: &[&str]) -> Rendered {
    render_dir(chart, &chart_dir(chart), values, sets)
}

/// Renders the chart in `dir` (a copy a test edited) as release `chart`.
pub(crate) fn render_dir(
    chart: &str,
    dir: &std::path::Path,
    values: &str,
    sets: &[&str],
) -> Rendered {
    let out = helm(&["template", chart, dir.to_str().unwrap()], values, sets);
    assert!(
        out.status.success(),
        "helm template {chart} {sets:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    Rendered {
        objects: docs.into_iter().filter(|d| d.is_object()).collect(),
        text,
    }
}

pub(crate) fn render_err(chart: &str, values: &str, sets: &[&str]) -> String {
    let dir = chart_dir(chart);
    let out = helm(&["template", chart, dir.to_str().unwrap()], values, sets);
    assert!(
        !out.status.success(),
        "helm template {chart} {sets:?} should fail"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `kubernetes-validate --strict` over the rendered stream; CRD kinds only warn.
pub(crate) fn validate(text: &str) {
    let mut child = Command::new(require(Tool::KubernetesValidate))
        .args(["--strict", "--quiet", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kubernetes-validate: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
