//! Real MCP clients against our servers, configured as the LibreChat chart configures
//! them (`type: sse` with the `#openshift` fragment, `type: streamable-http` for Gitea),
//! running the tool calls behind the lab's LibreChat prompts.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use testbed::tools::{Tool, require, tools_dir};

use super::support::{Lab, bounded};

/// An issue in `user1/mcp`, so "the issues in user1/mcp" has an answer to check.
const SEEDED_ISSUE: &str = "Pipeline build-agent fails at COPY";

/// The calls behind the lab prompts, for `lab` with the two servers named as in the chart.
fn config(lab: &Lab, openshift_type: &str, openshift_path: &str) -> Value {
    let s = &lab.scenario;
    json!({
        "mcpServers": {
            "openshift": {"type": openshift_type, "url": lab.openshift.url(openshift_path)},
            "gitea": {"type": "streamable-http", "url": lab.gitea_mcp.url("/mcp")},
        },
        "calls": [
            // "List the pods in agent-user1"
            {"server": "openshift", "tool": "pods_list_in_namespace", "arguments": {"namespace": s.namespace}},
            // "Which pods are in Error state?"
            {"server": "openshift", "tool": "pods_list", "arguments": {}},
            // "Show me the logs of the build pod"
            {"server": "openshift", "tool": "pods_log",
             "arguments": {"namespace": s.namespace, "name": s.pod, "container": s.failed_container}},
            // "Who am I on Gitea, and what are my repositories?"
            {"server": "gitea", "tool": "get_me", "arguments": {}},
            {"server": "gitea", "tool": "list_my_repos", "arguments": {}},
            // "List the issues in user1/mcp"
            {"server": "gitea", "tool": "list_issues",
             "arguments": {"owner": lab.lab_gitea.user, "repo": lab.lab_gitea.repo, "state": "open"}},
        ],
    })
}

async fn seed_issue(lab: &Lab) {
    let url = format!(
        "{}/api/v1/repos/{}/{}/issues",
        lab.running_gitea.base_url().trim_end_matches('/'),
        lab.lab_gitea.user,
        lab.lab_gitea.repo
    );
    let response = reqwest::Client::new()
        .post(url)
        .header(
            "authorization",
            format!("token {}", lab.lab_gitea.user_token),
        )
        .json(&json!({"title": SEEDED_ISSUE, "body": "seeded"}))
        .send()
        .await
        .expect("create issue");
    assert_eq!(response.status().as_u16(), 201);
}

/// Runs a client script with `config`; returns what it printed.
async fn run_client(program: &Path, args: &[&Path], config: &Value) -> Value {
    let file = std::env::temp_dir().join(format!("lab-client-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, config.to_string()).expect("write config");
    let output = tokio::process::Command::new(program)
        .args(args)
        .arg(&file)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run the client");
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "client failed: {:?}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The answers a user of the lab expects.
fn check(lab: &Lab, out: &Value) {
    let s = &lab.scenario;
    let names = |server: &str| -> Vec<String> {
        out["tools"][server]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(String::from))
            .collect()
    };
    for tool in ["pods_list", "pods_list_in_namespace", "pods_log"] {
        assert!(
            names("openshift").iter().any(|t| t == tool),
            "{tool} not listed: {out}"
        );
    }
    for tool in ["get_me", "list_my_repos", "list_issues"] {
        assert!(
            names("gitea").iter().any(|t| t == tool),
            "{tool} not listed: {out}"
        );
    }
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), 6, "{out}");
    for result in results {
        assert_eq!(result["isError"], false, "{result}");
    }
    let text = |i: usize| results[i]["text"].as_str().unwrap_or_default();
    assert!(text(0).contains(&s.pod), "pod list: {}", text(0));
    for (_, pod, status) in &s.other_pods {
        if status == "Error" {
            assert!(
                text(1).contains(pod.as_str()),
                "{pod} (Error) missing: {}",
                text(1)
            );
        }
    }
    assert!(text(1).contains("Error"), "{}", text(1));
    assert!(text(2).contains(&s.failure_line), "log: {}", text(2));
    assert!(text(3).contains(&lab.lab_gitea.user), "user: {}", text(3));
    assert!(
        text(4).contains(&format!("{}/{}", lab.lab_gitea.user, lab.lab_gitea.repo)),
        "repos: {}",
        text(4)
    );
    assert!(text(5).contains(SEEDED_ISSUE), "issues: {}", text(5));
    assert!(
        !out.to_string().contains(&lab.lab_gitea.user_token),
        "a client saw the Gitea token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typescript_sdk_configured_as_librechat_runs_the_lab_prompts() {
    bounded(Duration::from_secs(90), async {
        let lab = Lab::start().await;
        seed_issue(&lab).await;
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/testbed/lab_e2e/librechat_client.mjs");
        let npm = tools_dir().join("npm");
        let out = run_client(
            &require(Tool::Node),
            &[&script, &npm],
            &config(&lab, "sse", "/sse#openshift"),
        )
        .await;
        check(&lab, &out);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_runs_the_lab_prompts_over_both_transports() {
    bounded(Duration::from_secs(90), async {
        let lab = Lab::start().await;
        seed_issue(&lab).await;
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testbed/lab_e2e/python_client.py");
        let python = require(Tool::Python);
        for (kind, path) in [("sse", "/sse"), ("streamable-http", "/mcp")] {
            let out = run_client(&python, &[&script], &config(&lab, kind, path)).await;
            check(&lab, &out);
        }
    })
    .await
}
