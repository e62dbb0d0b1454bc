//! Transport and protocol behaviour over raw HTTP and the rmcp client: initialize for
//! every protocol version, JSON replies, 405/404/413, Host and Origin checks, tool list.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::common::{STEP, client, start};

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(STEP).build().unwrap()
}

async fn post(
    url: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut req = http()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.json(body).send().await.unwrap();
    let (status, h) = (resp.status(), resp.headers().clone());
    (status, h, resp.text().await.unwrap())
}

fn init(version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}}})
}

#[tokio::test]
async fn legacy_initialize_answers_plain_json_for_every_version() {
    let env = start(|_| {}).await;
    for v in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        let (status, h, body) = post(&env.url, &init(v), &[]).await;
        assert_eq!(status, 200, "{v}: {body}");
        assert!(
            h["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{v}: {h:?}"
        );
        assert!(h.get("mcp-session-id").is_none(), "stateless by default");
        let reply: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(reply["result"]["protocolVersion"], v);
        assert_eq!(reply["result"]["serverInfo"]["name"], "Gitea MCP Server");
        assert!(reply["result"]["capabilities"]["tools"].is_object());
    }
    // a later request without a session works on its own
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (status, _, body) = post(&env.url, &list, &[("mcp-protocol-version", "2025-06-18")]).await;
    assert_eq!(status, 200, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert!(reply["result"]["tools"].as_array().unwrap().len() > 40);
}

#[tokio::test]
async fn json_only_clients_get_json_and_errors_are_jsonrpc() {
    let env = start(|_| {}).await;
    let (status, h, body) = post(
        &env.url,
        &json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "get_me", "arguments": {}}}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let reply: Value = serde_json::from_str(&body).unwrap();
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap()["login"],
        "user1"
    );
    assert_eq!(reply["result"]["structuredContent"]["login"], "user1");

    // LibreChat pings before use
    let (status, _, body) = post(
        &env.url,
        &json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["result"],
        json!({})
    );

    // arguments that are not an object → JSON-RPC invalid params, not a crash
    let (_, _, body) = post(
        &env.url,
        &json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": {"name": "get_me", "arguments": "oops"}}),
        &[],
    )
    .await;
    let reply: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_eq!(reply["error"]["code"], -32602, "{reply}");

    let (_, _, body) = post(
        &env.url,
        &json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "no_such_tool", "arguments": {}}}),
        &[],
    )
    .await;
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_tool")
    );
}

#[tokio::test]
async fn get_delete_healthz_404_and_body_limit() {
    let env = start(|_| {}).await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let resp = http()
            .request(method.clone(), &env.url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method}");
        assert_eq!(resp.headers()["allow"], "POST");
    }
    let root = env.url.trim_end_matches("/mcp");
    let resp = http().get(format!("{root}/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "ok\n");
    assert_eq!(
        http()
            .get(format!("{root}/sse"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let huge = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_me",
        "arguments": {"pad": "x".repeat(33 * 1024 * 1024)}}});
    let (status, _, _) = post(&env.url, &huge, &[]).await;
    assert_eq!(status, 413);
    // a big but allowed body (5 MiB, above rmcp's 4 MiB default) is accepted
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_me",
        "arguments": {"pad": "x".repeat(5 * 1024 * 1024)}}});
    let (status, _, body) = post(&env.url, &big, &[]).await;
    assert_eq!(status, 200, "{}", &body[..body.len().min(200)]);
}

#[tokio::test]
async fn cluster_host_names_pass_and_foreign_origins_do_not() {
    // bound to all interfaces (the container default): cluster names pass the Host check
    let env = start(|c| c.bind = None).await;
    let host = [("host", "mcp-gitea-proxy.user1-ns.svc.cluster.local:8080")];
    let (status, _, body) = post(&env.url, &init("2025-11-25"), &host).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = post(
        &env.url,
        &init("2025-11-25"),
        &[("origin", "http://evil.example")],
    )
    .await;
    assert_eq!(status, 403);
    let addr = env
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let same = format!("http://{addr}");
    let (status, _, _) = post(&env.url, &init("2025-11-25"), &[("origin", same.as_str())]).await;
    assert_eq!(status, 200, "loopback origins pass");

    // bound to loopback: DNS-rebinding guard on, extra hosts configurable
    let local = start(|c| c.allowed_hosts = vec!["mcp-gitea".into()]).await;
    let (status, _, _) = post(&local.url, &init("2025-11-25"), &[("host", "evil.example")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = post(
        &local.url,
        &init("2025-11-25"),
        &[("host", "mcp-gitea:8080")],
    )
    .await;
    assert_eq!(status, 200);
    let allowed = start(|c| c.allowed_origins = vec!["https://chat.example".into()]).await;
    let (status, _, _) = post(
        &allowed.url,
        &init("2025-11-25"),
        &[("origin", "https://chat.example")],
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn tools_list_names_schemas_and_annotations() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let info = c.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "Gitea MCP Server");
    let tools = c.list_all_tools().await.unwrap();
    let names: BTreeSet<String> = tools.iter().map(|t| t.name.to_string()).collect();
    for expected in [
        "get_gitea_mcp_server_version",
        "get_me",
        "get_user_orgs",
        "search_users",
        "search_repos",
        "search_issues",
        "create_repo",
        "fork_repo",
        "list_my_repos",
        "list_org_repos",
        "get_repository_tree",
        "get_file_contents",
        "get_dir_contents",
        "create_or_update_file",
        "delete_file",
        "create_branch",
        "delete_branch",
        "list_branches",
        "rename_branch",
        "create_tag",
        "delete_tag",
        "get_tag",
        "list_tags",
        "list_commits",
        "get_commit",
        "create_release",
        "delete_release",
        "get_release",
        "get_latest_release",
        "list_releases",
        "list_issues",
        "issue_read",
        "issue_write",
        "label_read",
        "label_write",
        "milestone_read",
        "milestone_write",
        "list_pull_requests",
        "pull_request_read",
        "pull_request_write",
        "pull_request_review_write",
    ] {
        assert!(names.contains(expected), "missing {expected}");
    }
    assert!(
        !names.contains("create_issue"),
        "legacy names are hidden by default"
    );
    let tool = |n: &str| tools.iter().find(|t| t.name == n).unwrap();
    let iw = tool("issue_write");
    let schema = Value::Object((*iw.input_schema).clone());
    assert_eq!(schema["required"], json!(["method", "owner", "repo"]));
    assert_eq!(schema["properties"]["method"]["enum"][0], "create");
    assert_eq!(schema["properties"]["labels"]["items"]["type"], "number");
    assert_eq!(schema["properties"]["commentID"]["type"], "number");
    let li = Value::Object((*tool("list_issues").input_schema).clone());
    assert_eq!(li["properties"]["state"]["default"], "all");
    assert_eq!(li["properties"]["per_page"]["default"], 30);
    let ann = |n: &str| tool(n).annotations.clone().unwrap();
    assert_eq!(ann("list_issues").read_only_hint, Some(true));
    assert_eq!(ann("create_branch").destructive_hint, Some(false));
    assert_eq!(ann("delete_branch").destructive_hint, Some(true));
    assert_eq!(ann("delete_branch").idempotent_hint, Some(true));
    assert!(tool("get_me").output_schema.is_some());
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn sessions_mode_issues_session_ids() {
    let env = start(|c| c.sessions = true).await;
    let (status, h, body) = post(&env.url, &init("2025-11-25"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(h.get("mcp-session-id").is_some(), "{h:?}");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let c = client(&env.url, None).await;
    let me = super::common::ok(&c, "get_me", json!({})).await;
    assert_eq!(me["login"], "user1");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn modern_protocol_clients_discover_and_call() {
    use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    use rmcp::{ClientLifecycleMode, ClientServiceExt};

    let env = start(|c| c.token = None).await;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(env.url.clone())
            .auth_header(env.lab.user_token.clone()),
    );
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("modern", "1.0"),
    );
    let mode = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    let c = tokio::time::timeout(STEP, info.serve_with_lifecycle(transport, mode))
        .await
        .unwrap()
        .unwrap();
    let tools = c.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "list_issues"));
    let me = super::common::ok(&c, "get_me", json!({})).await;
    assert_eq!(me["login"], "user1");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn simple_clients_get_json_and_sse_only_clients_get_sse() {
    let env = start(|_| {}).await;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_me", "arguments": {}}});
    for (accept, expect) in [
        (Some("application/json"), "application/json"),
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("text/event-stream"), "text/event-stream"),
        (
            Some("text/event-stream, application/json;q=0.9"),
            "application/json",
        ),
    ] {
        let mut req = http()
            .post(&env.url)
            .header("content-type", "application/json")
            .json(&body);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{accept:?}");
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(expect), "{accept:?}: {ct}");
        let text = resp.text().await.unwrap();
        assert!(text.contains("user1"), "{accept:?}: {text}");
    }
}
