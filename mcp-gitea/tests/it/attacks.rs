//! The server attacked over HTTP: a DNS-rebound browser page against a server bound to all
//! interfaces (the container default) that holds a static token, a caller reusing another
//! caller's MCP session, and a flood of sessions. Each test fails without its wall.

use std::time::Duration;

use serde_json::{Value, json};

use super::common::start;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn init() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "attacker", "version": "1"}}})
}

fn get_me() -> Value {
    json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_me", "arguments": {}}})
}

async fn post(url: &str, body: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = http()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.json(body).send().await.unwrap()
}

#[tokio::test]
async fn a_rebound_page_cannot_borrow_the_static_token() {
    // All interfaces, a static token: what the container runs, and what a rebinding attack
    // against a developer's machine would find on localhost.
    let env = start(|c| c.bind = None).await;
    let port = env
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/mcp")
        .to_string();
    let evil = format!("evil.example.com:{port}");
    let evil_origin = format!("http://{evil}");
    for headers in [
        vec![("host", evil.as_str())],
        // Under rebinding Origin and Host agree: same-origin is no test of trust.
        vec![("host", evil.as_str()), ("origin", evil_origin.as_str())],
        vec![("origin", evil_origin.as_str())],
        vec![("origin", "null")],
    ] {
        let r = post(&env.url, &get_me(), &headers).await;
        assert_eq!(r.status(), 403, "{headers:?}");
        let body = r.text().await.unwrap();
        assert!(!body.contains(&env.lab.user), "{headers:?}: {body}");
    }
    // Names public DNS cannot serve, a loopback origin, and native clients pass.
    for headers in [
        vec![(
            "host",
            "mcp-gitea-proxy.mcp-gitea-user1.svc.cluster.local:8080",
        )],
        vec![("origin", "http://localhost:6274")],
        vec![],
    ] {
        let r = post(&env.url, &get_me(), &headers).await;
        assert_eq!(r.status(), 200, "{headers:?}");
    }
}

fn session_of(r: &reqwest::Response) -> String {
    r.headers()["mcp-session-id"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_session_belongs_to_the_token_that_opened_it() {
    let env = start(|c| c.sessions = true).await;
    let alice = format!("Bearer {}", env.lab.user_token);
    let opened = post(&env.url, &init(), &[("authorization", alice.as_str())]).await;
    assert_eq!(opened.status(), 200);
    let id = session_of(&opened);
    for auth in [Some("Bearer someone-elses-token"), None] {
        let mut headers = vec![("mcp-session-id", id.as_str())];
        if let Some(a) = auth {
            headers.push(("authorization", a));
        }
        let r = post(&env.url, &get_me(), &headers).await;
        assert_eq!(r.status(), 403, "{auth:?}");
    }
}

#[tokio::test]
async fn sessions_are_capped_and_idle_ones_expire() {
    let env = start(|c| {
        c.sessions = true;
        c.max_sessions = 2;
        c.session_idle_secs = 1;
    })
    .await;
    let first = post(&env.url, &init(), &[]).await;
    assert_eq!(first.status(), 200);
    assert_eq!(post(&env.url, &init(), &[]).await.status(), 200);
    let full = post(&env.url, &init(), &[]).await;
    assert_eq!(full.status(), 503);
    assert_eq!(full.headers()["retry-after"], "30");
    let body: Value = full.json().await.unwrap();
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2 open MCP sessions, its limit"), "{msg}");
    let id = session_of(&first);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let r = post(&env.url, &get_me(), &[("mcp-session-id", id.as_str())]).await;
    assert_eq!(r.status(), 404);
    assert_eq!(post(&env.url, &init(), &[]).await.status(), 200);
}
