//! Pluggable tool servers (#22): our two fixture servers plus a third one, named in
//! `MCP_SERVERS`, over each transport. The model sees only allowed tools, namespaced where
//! names collide; the third server's evidence tool is called before the loop and named in
//! the issue; its destructive tool is never offered unless explicitly allowed; when it is
//! down, runs go on and `/readyz` names it; a bad entry stops the binary naming entry and
//! field.

use std::sync::Arc;

use rmcp::model::Tool;
use serde_json::{Value, json};

use crate::support::fake_llm::{FakeLlm, issue_body, tool_calls};
use crate::support::fixture::{Fixture, pods_log_tool};
use crate::support::server::{Killable, free_port};
use crate::support::transports::{SseControl, sse_router, streamable_router};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report, log_call};

const METRICS_ANSWER: &str = "container_memory_working_set_bytes{pod=\"build\"} 2.1e9 (limit 2Gi)";

fn tool(name: &'static str, description: &'static str) -> Tool {
    let schema = json!({"type": "object", "properties": {
        "namespace": {"type": "string"}, "pod": {"type": "string"}, "query": {"type": "string"}}});
    Tool::new(
        name,
        description,
        Arc::new(schema.as_object().unwrap().clone()),
    )
}

/// The third server: a metrics query (evidence), a `pods_log` that collides with the
/// cluster server's, and a destructive `restart_pod`.
fn metrics_fixture() -> Fixture {
    let f = Fixture::with_tools(vec![
        tool("query_metrics", "Query the tenant's metrics"),
        pods_log_tool(),
        tool("restart_pod", "Restart a pod"),
    ]);
    f.set_canned("query_metrics", METRICS_ANSWER);
    f.set_log(POD, "METRICS SERVER LOG");
    f
}

async fn serve(fixture: &Fixture, transport: &str) -> (Killable, String) {
    if transport == "sse" {
        let server = Killable::start(sse_router(fixture.clone(), SseControl::default()), 0).await;
        let url = server.url("/sse");
        (server, url)
    } else {
        let server = Killable::start(streamable_router(fixture.clone()), 0).await;
        let url = server.url("/mcp");
        (server, url)
    }
}

fn entry(url: &str, transport: &str, extra: Value) -> String {
    let mut entry = json!({
        "name": "metrics",
        "url": url,
        "transport": transport,
        "tools": ["query_metrics", "pods_log", "restart_pod"],
        "evidence": {"query_metrics": {"namespace": "{namespace}", "pod": "{pod}", "query": "memory"}},
        "pin": {"namespace": "namespace"}
    });
    if let (Value::Object(e), Value::Object(more)) = (&mut entry, extra) {
        e.extend(more);
    }
    json!([entry]).to_string()
}

fn issue_call() -> crate::support::fake_llm::Reply {
    tool_calls(&[(
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)}),
    )])
}

fn offered(llm: &FakeLlm) -> Vec<String> {
    let first = &llm.requests()[0];
    first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap().to_string())
        .collect()
}

/// The agent with the third server in `MCP_SERVERS`, once that (optional) server is
/// connected too.
async fn harness(llm: FakeLlm, servers: String) -> Harness {
    let h = Harness::start(
        llm,
        Options {
            env: vec![("MCP_SERVERS", servers)],
            ..Default::default()
        },
    )
    .await;
    for _ in 0..200 {
        let (_, body) = h.get("/readyz").await;
        if body.contains("metrics: connected") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    h
}

#[tokio::test]
async fn three_servers_the_model_sees_allowed_tools_and_the_evidence_is_named_in_the_issue() {
    bounded(async {
        for transport in ["sse", "streamable-http"] {
            let metrics = metrics_fixture();
            let (_server, url) = serve(&metrics, transport).await;
            let llm = FakeLlm::scripted(vec![tool_calls(&[log_call()]), issue_call()]);
            let h = harness(llm, entry(&url, transport, json!({}))).await;
            let (status, body) = h.report(lab_report()).await;
            assert_eq!(status, 200, "{transport}: {body}");
            let mut names = offered(&h.llm);
            names.sort();
            // The cluster server keeps `pods_log`; the third server's is namespaced; its
            // destructive tool is not offered although listed, nor is the cluster's.
            assert_eq!(
                names,
                [
                    "issue_write",
                    "metrics__pods_log",
                    "pods_log",
                    "query_metrics"
                ],
                "{transport}"
            );
            // The evidence call ran before the loop, with the report's namespace and pod.
            let calls = metrics.calls();
            let query = calls.iter().find(|c| c.0 == "query_metrics").unwrap();
            assert_eq!(
                query.1,
                json!({"namespace": NS, "pod": POD, "query": "memory"})
            );
            assert!(!calls.iter().any(|c| c.0 == "restart_pod"));
            // The model was given the result, framed as data.
            let told = h.llm.requests()[0].to_string();
            assert!(told.contains("2.1e9"), "{transport}: {told}");
            // The issue names what it used.
            let issue = &h.gitea.issues()[0];
            let body = issue["body"].as_str().unwrap();
            assert!(
                body.contains("`query_metrics` (server `metrics`)"),
                "{transport}: {body}"
            );
            // The per-server metrics label.
            let (_, text) = h.get("/metrics").await;
            assert!(
                text.contains("agent_mcp_tool_calls_total{server=\"metrics\",outcome=\"ok\"} 1"),
                "{text}"
            );
        }
    })
    .await
}

#[tokio::test]
async fn a_destructive_tool_is_offered_only_with_the_explicit_override() {
    bounded(async {
        let metrics = metrics_fixture();
        let (_server, url) = serve(&metrics, "streamable-http").await;
        let servers = entry(
            &url,
            "streamable-http",
            json!({"allow_destructive": ["restart_pod"]}),
        );
        let llm = FakeLlm::scripted(vec![issue_call()]);
        let h = harness(llm, servers).await;
        assert_eq!(h.report(lab_report()).await.0, 200);
        assert!(offered(&h.llm).contains(&"restart_pod".to_string()));
        // Listed in `allow_destructive` but not in `tools`: still not offered.
        let metrics = metrics_fixture();
        let (_server, url) = serve(&metrics, "sse").await;
        let servers = entry(
            &url,
            "sse",
            json!({"tools": ["query_metrics"], "allow_destructive": ["restart_pod"]}),
        );
        let llm = FakeLlm::scripted(vec![issue_call()]);
        let h = harness(llm, servers).await;
        assert_eq!(h.report(lab_report()).await.0, 200);
        let names = offered(&h.llm);
        assert!(
            !names.iter().any(|n| n.contains("restart_pod")),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|n| n.contains("pods_delete")),
            "{names:?}"
        );
    })
    .await
}

#[tokio::test]
async fn a_namespaced_tool_reaches_its_own_server_with_pinned_arguments() {
    bounded(async {
        let metrics = metrics_fixture();
        let (_server, url) = serve(&metrics, "sse").await;
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[(
                "metrics__pods_log",
                json!({"namespace": "another-tenant", "name": POD}),
            )]),
            issue_call(),
        ]);
        let h = harness(llm, entry(&url, "sse", json!({}))).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        let sent: Vec<Value> = metrics
            .calls()
            .into_iter()
            .filter(|c| c.0 == "pods_log")
            .map(|c| c.1)
            .collect();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0]["namespace"], NS, "the namespace is the report's");
        let told = h.llm.requests()[1].to_string();
        assert!(told.contains("METRICS SERVER LOG"), "{told}");
        // The cluster server's own log tool was not called for it.
        assert!(!h.openshift.calls().iter().any(|c| c.0 == "pods_log"));
    })
    .await
}

#[tokio::test]
async fn the_third_server_down_does_not_block_runs_and_readyz_names_it() {
    bounded(async {
        for transport in ["sse", "streamable-http"] {
            let port = free_port().await;
            let path = if transport == "sse" { "/sse" } else { "/mcp" };
            let url = format!("http://127.0.0.1:{port}{path}");
            let llm = FakeLlm::scripted(vec![tool_calls(&[log_call()]), issue_call()]);
            let h = harness(llm, entry(&url, transport, json!({}))).await;
            let (status, body) = h.get("/readyz").await;
            assert_eq!(status, 200, "{transport}: {body}");
            let ready: Value = serde_json::from_str(&body).unwrap();
            let servers = ready["servers"].as_array().unwrap();
            let metrics = servers.iter().find(|s| s["name"] == "metrics").unwrap();
            assert_eq!(metrics["connected"], false, "{body}");
            assert_eq!(metrics["required"], false, "{body}");
            assert!(
                metrics["line"]
                    .as_str()
                    .unwrap()
                    .starts_with("metrics: down"),
                "{body}"
            );
            let (status, body) = h.report(lab_report()).await;
            assert_eq!(status, 200, "{transport}: {body}");
            assert_eq!(h.gitea.issues().len(), 1);
            let names = offered(&h.llm);
            assert!(
                !names
                    .iter()
                    .any(|n| n.starts_with("metrics__") || n == "query_metrics")
            );
            let issue_body = h.gitea.issues()[0]["body"].as_str().unwrap().to_string();
            assert!(!issue_body.contains("Evidence from other tool servers"));
        }
        // A required third server that is down makes the agent not ready.
        let port = free_port().await;
        let url = format!("http://127.0.0.1:{port}/mcp");
        let h = Harness::start(
            FakeLlm::scripted(vec![]),
            Options {
                env: vec![(
                    "MCP_SERVERS",
                    entry(&url, "streamable-http", json!({"required": true})),
                )],
                wait_ready: false,
                ..Default::default()
            },
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (status, body) = h.get("/readyz").await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("required, runs wait for it"), "{body}");
    })
    .await
}

#[test]
fn a_bad_entry_stops_the_binary_naming_entry_and_field() {
    let cases = [
        (
            json!([{"name": "metrics", "url": "http://m/mcp", "transport": "websocket"}]),
            "entry 1 (\"metrics\"), field `transport`",
        ),
        (
            json!([{"name": "metrics", "url": "ftp://m/"}]),
            "entry 1 (\"metrics\"), field `url`",
        ),
        (
            json!([{"name": "ok", "url": "http://a/mcp"}, {"name": "second", "url": "http://b/mcp", "tols": []}]),
            "entry 2 (\"second\"), field `tols`",
        ),
        (
            json!([{"name": "metrics", "url": "http://m/mcp", "token": {"env": "NOT_SET_ANYWHERE_X"}}]),
            "entry 1 (\"metrics\"), field `token`",
        ),
    ];
    for (servers, expected) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pipeline-agent"))
            .env_clear()
            .env("MCP_SERVERS", servers.to_string())
            .env("PORT", "0")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64), "{servers}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("MCP_SERVERS"), "{stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
}

/// The agent chart's `MCP_SERVERS` (rendered by the real helm from the one `mcpServers`
/// list) is a configuration the agent accepts: today's two servers with their roles, the
/// Gitea token from `MCP_GITEA_TOKEN` as the Deployment sets it.
#[test]
fn the_chart_rendered_list_is_a_valid_agent_configuration() {
    use emulator_support::tools::{Tool as External, require};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(require(External::Helm))
        .arg("template")
        .arg("agent")
        .arg(root.join("charts/agent"))
        .args([
            "--set",
            "tenant.username=user57",
            "--show-only",
            "templates/configmap.yaml",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("MCP_SERVERS: "))
        .unwrap();
    // Helm's `quote` writes a JSON-compatible double-quoted string.
    let servers: String = serde_json::from_str(line).unwrap();
    let env = std::collections::HashMap::from([
        ("MCP_SERVERS".to_string(), servers),
        ("MCP_GITEA_TOKEN".to_string(), "tenant-token".to_string()),
    ]);
    let config = agent::config::Config::from_map(&env).unwrap();
    let summary: Vec<(&str, &str, bool)> = config
        .servers
        .iter()
        .map(|s| (s.name(), s.policy.role.as_str(), s.policy.required))
        .collect();
    assert_eq!(
        summary,
        [("openshift", "cluster", true), ("gitea", "issues", true)]
    );
    assert_eq!(
        config.servers[0].connection.url.as_str(),
        "http://mcp-openshift-proxy.mcp-openshift-user57.svc.cluster.local:8080/sse"
    );
    assert_eq!(
        config.servers[1]
            .connection
            .bearer
            .as_ref()
            .map(|t| t.expose()),
        Some("tenant-token")
    );
}
