//! `@modelcontextprotocol/conformance` 0.1.16 (under Node 22) with its generic server
//! scenarios against both our servers' streamable HTTP endpoints. The fixture-tool
//! scenarios (`tools-call-*`, `resources-*`, `prompts-*`, …) need the suite's reference
//! server's tools and do not apply.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use testbed::tools::{Tool, require, tools_dir};

use super::support::{Lab, bounded};

/// The scenarios that test the protocol rather than the reference server's fixtures.
/// `resources-list` and `prompts-list` do not apply: neither server declares resources or
/// prompts, and both rightly answer -32601 (method not found) there.
const SCENARIOS: &[&str] = &[
    "server-initialize",
    "ping",
    "tools-list",
    "server-sse-multiple-streams",
    "server-sse-polling",
    "dns-rebinding-protection",
];

/// Only for a server that declares the `logging` capability (ours for OpenShift does, as
/// upstream does; gitea-mcp does not, and answers `logging/setLevel` with -32601).
const LOGGING: &str = "logging-set-level";

fn checks_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            checks_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "checks.json") {
            out.push(path);
        }
    }
}

/// Runs one scenario against `url`; returns the failed checks (and the check count).
async fn run_scenario(url: &str, scenario: &str) -> (usize, Vec<String>) {
    let node = require(Tool::Node22);
    let cli = tools_dir().join("npm/node_modules/@modelcontextprotocol/conformance/dist/index.js");
    assert!(cli.exists(), "{cli:?} missing; run scripts/install-tools");
    let out = tempdir(scenario);
    let output = tokio::process::Command::new(node)
        .arg(&cli)
        .args(["server", "--url", url, "--scenario", scenario, "-o"])
        .arg(&out)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run the conformance suite");
    let mut files = Vec::new();
    checks_files(&out, &mut files);
    let mut failed = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read checks.json");
        let checks: Vec<Value> = serde_json::from_str(&text).expect("checks.json is a JSON array");
        for check in checks {
            count += 1;
            if check["status"] == "FAILURE" {
                failed.push(format!(
                    "{scenario}/{}: {}",
                    check["id"], check["errorMessage"]
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    if count == 0 || (!output.status.success() && failed.is_empty()) {
        failed.push(format!(
            "{scenario}: exit {:?}, {count} checks\n{}\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    (count, failed)
}

fn tempdir(scenario: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lab-conformance-{scenario}-{}",
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn conforms(url: String, extra: &[&'static str]) {
    let runs = SCENARIOS.iter().chain(extra).map(|scenario| {
        let url = url.clone();
        async move { run_scenario(&url, scenario).await }
    });
    let results = futures::future::join_all(runs).await;
    let failed: Vec<String> = results.iter().flat_map(|(_, f)| f.clone()).collect();
    let total: usize = results.iter().map(|(n, _)| n).sum();
    assert!(
        failed.is_empty(),
        "{} of {total} checks failed at {url}:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_openshift_server_passes_the_generic_conformance_scenarios() {
    bounded(Duration::from_secs(120), async {
        let lab = Lab::start().await;
        conforms(lab.openshift.url("/mcp"), &[LOGGING]).await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_gitea_server_passes_the_generic_conformance_scenarios() {
    bounded(Duration::from_secs(120), async {
        let lab = Lab::start().await;
        conforms(lab.gitea_mcp.url("/mcp"), &[]).await;
    })
    .await
}
