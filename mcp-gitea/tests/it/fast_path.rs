//! The stateless fast path answers exactly as rmcp does: the same server and emulator
//! behind two routers, one with the fast path and one without, get the same raw requests
//! and must give the same status, content type and body bytes.

use gitea_emulator::GiteaEmulator;
use mcp_gitea::http_transport::{self, HttpOptions};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::common::{STEP, config};

async fn serve(app: axum::Router, cancel: CancellationToken) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(http_transport::serve(listener, app, cancel));
    format!("http://{addr}/mcp")
}

/// (status, content type, body) of one raw POST.
async fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut req = reqwest::Client::builder()
        .timeout(STEP)
        .build()
        .unwrap()
        .post(url)
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (resp.status().as_u16(), ct, resp.text().await.unwrap())
}

fn call(id: Value, name: &str, args: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": args}})
    .to_string()
}

#[tokio::test]
async fn fast_path_replies_are_identical_to_rmcp_replies() {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let http = reqwest::Client::new();
    for i in 0..3 {
        http.post(format!("{}/repos/user1/mcp/issues", gitea.api_url()))
            .header("authorization", format!("token {}", lab.user_token))
            .json(&json!({"title": format!("seed {i}"), "body": "Build failed"}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
    let cfg = config(&gitea, Some(&lab.user_token));
    let server = mcp_gitea::build_server(&cfg).unwrap();
    let opts = HttpOptions {
        bind: cfg.bind,
        ..HttpOptions::default()
    };
    let cancel = CancellationToken::new();
    let _stop = cancel.clone().drop_guard();
    let fast = serve(
        http_transport::router_with(server.clone(), &opts, cancel.child_token(), true),
        cancel.clone(),
    )
    .await;
    let slow = serve(
        http_transport::router_with(server, &opts, cancel.child_token(), false),
        cancel.clone(),
    )
    .await;

    let repo = json!({"owner": "user1", "repo": "mcp"});
    let bodies = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"cursor": "x"}})
            .to_string(),
        call(
            json!(3),
            "list_issues",
            json!({"owner": "user1", "repo": "mcp", "state": "open"}),
        ),
        call(
            json!("s-4"),
            "issue_read",
            json!({"method": "get", "owner": "user1", "repo": "mcp", "issue_number": "2"}),
        ),
        call(
            json!(5),
            "issue_read",
            json!({"method": "get", "owner": "user1", "repo": "mcp", "issue_number": 999}),
        ),
        call(
            json!(6),
            "issue_write",
            json!({"method": "create", "owner": "user1", "repo": "mcp"}),
        ),
        call(
            json!(7),
            "issue_write",
            json!({"method": "create", "owner": "user1", "repo": "nope", "title": "t"}),
        ),
        call(
            json!(8),
            "issue_write",
            json!({"method": "explode", "owner": "user1", "repo": "mcp"}),
        ),
        call(json!(9), "no_such_tool", repo.clone()),
        call(json!(10), "list_repo_issues", repo.clone()),
        call(json!(11), "list_issues", json!("not an object")),
        call(json!(12), "get_me", Value::Null),
        json!({"jsonrpc": "2.0", "id": 13, "method": "tools/call", "params": {"name": "get_me"}})
            .to_string(),
        json!({"jsonrpc": "2.0", "id": 14, "method": "tools/call",
               "params": {"name": "get_me", "arguments": {}, "_meta": {"progressToken": 1}}})
        .to_string(),
        json!({"jsonrpc": "2.0", "id": 15, "method": "ping"}).to_string(),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        json!([{"jsonrpc": "2.0", "id": 16, "method": "tools/list"}]).to_string(),
        json!({"jsonrpc": "2.0", "id": 17, "method": "tools/call"}).to_string(),
        "{not json".to_string(),
    ];
    let json_ct = ("content-type", "application/json");
    let both = ("accept", "application/json, text/event-stream");
    let header_sets: [&[(&str, &str)]; 9] = [
        &[json_ct, both],
        &[json_ct, ("accept", "application/json")],
        &[json_ct, both, ("mcp-protocol-version", "2025-06-18")],
        &[json_ct, both, ("mcp-protocol-version", "2024-11-05")],
        &[
            json_ct,
            both,
            ("mcp-protocol-version", "2025-11-25"),
            ("authorization", "Bearer nobody"),
        ],
        &[json_ct, both, ("mcp-protocol-version", "1999-01-01")],
        &[json_ct, both, ("mcp-protocol-version", "2026-07-28")],
        &[("content-type", "text/plain"), both],
        &[json_ct, both, ("host", "evil.example")],
    ];
    let mut compared = 0;
    for headers in header_sets {
        for body in &bodies {
            let a = post(&fast, body, headers).await;
            let b = post(&slow, body, headers).await;
            assert_eq!(a, b, "request {body} with headers {headers:?}");
            compared += 1;
        }
    }
    // The plain cases really were answered (by both), not refused alike.
    let (status, ct, text) = post(&fast, &bodies[2], header_sets[0]).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["id"], 3);
    assert!(
        v["result"]["structuredContent"]["items"][0]["number"].is_u64(),
        "{v}"
    );
    assert_eq!(compared, 9 * bodies.len());
}
