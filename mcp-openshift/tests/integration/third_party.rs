//! Real third-party clients: the TypeScript SDK (LibreChat's) over SSE and streamable HTTP,
//! and the Python `mcp` package's `sse_client`, each listing tools and reading a pod log.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use emulator_support::tools::{Tool, npm_dir, require};
use kube_emulator::LabScenario;
use serde_json::Value;

use super::util::start;

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

async fn run(mut cmd: tokio::process::Command) -> Value {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(40), cmd.output())
        .await
        .expect("client timed out")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
}

/// The pod log every client reads, as its last three arguments: namespace, pod, container.
fn log_target(lab: &LabScenario) -> [&str; 3] {
    [&lab.namespace, &lab.pod, &lab.failed_container]
}

fn check(v: &Value, failure_line: &str) {
    let tools: Vec<&str> = v["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tools.len(), 20, "{tools:?}");
    assert!(tools.contains(&"pods_log"));
    assert_eq!(v["isError"], false, "{v}");
    assert_eq!(v["log"].as_str().unwrap().trim_end(), failure_line);
}

#[tokio::test]
async fn typescript_sdk_over_sse_and_streamable_http() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    for (kind, url) in [
        ("sse", format!("{base}/sse")),
        ("http", format!("{base}/mcp")),
    ] {
        let mut cmd = tokio::process::Command::new(require(Tool::Node));
        cmd.env("NODE_PATH", npm_dir().join("node_modules"))
            .arg(script("ts_client.cjs"))
            .args([kind, &url])
            .args(log_target(&h.lab));
        let v = run(cmd).await;
        check(&v, &h.lab.failure_line);
        // Prompts through LibreChat's client: listed, and the health check gathered.
        assert_eq!(
            v["prompts"],
            serde_json::json!(["cluster-health-check"]),
            "{v}"
        );
        let health = v["health"].as_str().unwrap();
        assert!(health.contains(&h.lab.pod), "{health}");
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn python_sse_client() {
    let h = start(&[]).await;
    let url = format!("{}/sse", h.server.base_url());
    let mut cmd = tokio::process::Command::new(require(Tool::Python));
    cmd.arg(script("py_sse_client.py"))
        .arg(&url)
        .args(log_target(&h.lab));
    check(&run(cmd).await, &h.lab.failure_line);
    h.server.shutdown().await;
}
