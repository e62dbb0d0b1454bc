//! The server attacked over HTTP: a DNS-rebound page (foreign `Host`, foreign `Origin`), a
//! caller holding someone else's session id (legacy SSE and streamable HTTP), a flood of
//! sessions, and logs too big to hold. Each test fails on a server without the wall.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};

use super::util::{Transport, connect, ok, start};

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"attacker","version":"1"}}}"#;
const LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn post_mcp(base: &str) -> reqwest::RequestBuilder {
    http()
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
}

/// Opens a streamable-HTTP session with `token`; returns its id.
async fn open_session(base: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = post_mcp(base).body(INIT);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn session_id(resp: &reqwest::Response) -> String {
    resp.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string()
}

/// Opens a legacy SSE session with `token` (kept open by a background task); returns the
/// URL its POSTs go to.
async fn open_sse(base: &str, token: Option<&str>) -> String {
    let mut req = http()
        .get(format!("{base}/sse"))
        .header("accept", "text/event-stream")
        .timeout(Duration::from_secs(3600));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut events = resp.bytes_stream().eventsource();
    let first = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.event, "endpoint");
    tokio::spawn(async move { while events.next().await.is_some() {} });
    format!("{base}{}", first.data.trim())
}

#[tokio::test]
async fn a_rebound_page_gets_403_on_every_endpoint() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let port = h.server.local_addr().port();
    // DNS rebinding: the attacker's name in Host, on a loopback connection.
    let evil_host = format!("evil.example.com:{port}");
    for path in ["/mcp", "/sse"] {
        let r = http()
            .get(format!("{base}{path}"))
            .header("host", &evil_host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    // A foreign Origin, even when it agrees with Host (as it does under rebinding).
    for (origin, host) in [
        ("http://evil.example.com", format!("127.0.0.1:{port}")),
        (
            &*format!("http://127.0.0.1.nip.io:{port}"),
            format!("127.0.0.1:{port}"),
        ),
        ("null", format!("localhost:{port}")),
    ] {
        let r = post_mcp(&base)
            .header("origin", origin)
            .header("host", host)
            .body(INIT)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        assert_eq!(r.text().await.unwrap(), "Forbidden: Origin is not allowed");
        let r = http()
            .get(format!("{base}/sse"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{origin} /sse");
    }
    // A loopback origin (a local inspector) and no Origin at all (native clients) pass.
    for origin in [Some("http://localhost:6274"), None] {
        let mut req = post_mcp(&base).body(INIT);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        assert_eq!(req.send().await.unwrap().status(), 200, "{origin:?}");
    }
    // --allowed-origins admits a named page.
    let h2 = start(&["--allowed-origins", "https://chat.example.com"]).await;
    let r = post_mcp(&h2.server.base_url())
        .header("origin", "https://chat.example.com")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn an_sse_session_belongs_to_the_token_that_opened_it() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let url = open_sse(&base, Some("token-of-alice")).await;
    for (token, want) in [(Some("token-of-mallory"), 403), (None, 403)] {
        let mut req = http().post(&url).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.body(INIT).send().await.unwrap();
        assert_eq!(r.status(), want, "{token:?}");
    }
    let r = http()
        .post(&url)
        .bearer_auth("token-of-alice")
        .header("content-type", "application/json")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // A session opened without a token refuses a POST that brings one (it would otherwise
    // act as the server's own identity for whoever learnt the id).
    let url = open_sse(&base, None).await;
    let r = http()
        .post(url.replace("/sse?", "/message?"))
        .bearer_auth("token-of-mallory")
        .header("content-type", "application/json")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn a_streamable_session_belongs_to_the_token_that_opened_it() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let opened = open_session(&base, Some("token-of-alice")).await;
    assert_eq!(opened.status(), 200);
    let id = session_id(&opened);
    let r = post_mcp(&base)
        .header("mcp-session-id", &id)
        .bearer_auth("token-of-mallory")
        .body(LIST)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = post_mcp(&base)
        .header("mcp-session-id", &id)
        .body(LIST)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no token on a session opened with one");
}

#[tokio::test]
async fn sessions_are_capped_and_idle_ones_expire() {
    let h = start(&["--max-sessions", "2", "--session-idle-timeout", "1"]).await;
    let base = h.server.base_url();
    let first = open_session(&base, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(open_session(&base, None).await.status(), 200);
    let full = open_session(&base, None).await;
    assert_eq!(full.status(), 503);
    assert_eq!(full.headers()["retry-after"], "30");
    let body: Value = full.json().await.unwrap();
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2 open MCP sessions, its limit"), "{msg}");
    // Idle sessions are closed: the old id is gone and there is room again.
    let id = session_id(&first);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let r = post_mcp(&base)
        .header("mcp-session-id", &id)
        .body(LIST)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(open_session(&base, None).await.status(), 200);
    // Legacy SSE has the same cap.
    let _a = open_sse(&base, None).await;
    let _b = open_sse(&base, None).await;
    let r = http()
        .get(format!("{base}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn an_oversized_log_is_read_in_bounded_pieces() {
    let dir = std::env::temp_dir().join(format!("mcp-openshift-attack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("config.toml");
    std::fs::write(&toml, "max_log_read_bytes = 1048576\n").unwrap();
    let h = start(&["--config", toml.to_str().unwrap()]).await;
    // 4 MiB of log: a needle near the start, another far past the read budget.
    let filler: String = (0..40_000)
        .map(|i| format!("line {i:06} {}\n", "x".repeat(90)))
        .collect();
    let log = format!("needle-early\n{filler}needle-late\n");
    h.emu.set_logs(
        &h.lab.namespace,
        &h.lab.pod,
        &h.lab.failed_container,
        &log,
        false,
    );
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let args = json!({"name": h.lab.pod, "namespace": h.lab.namespace, "container": h.lab.failed_container});
    let mut grep = args.clone();
    grep["grep"] = json!("needle");
    let text = ok(&c, "pods_log", grep).await;
    assert!(
        text.starts_with("# [log read stopped after 1048576 bytes: the rest of the log was not read or searched]\n"),
        "{}",
        &text[..text.len().min(300)]
    );
    assert!(text.contains("needle-early"));
    assert!(!text.contains("needle-late"));
    // Every line matching: the output keeps the end, capped, and says what was cut.
    let mut all = args.clone();
    all["grep"] = json!("line");
    let text = ok(&c, "pods_log", all).await;
    assert!(
        text.contains("# [log truncated: the first "),
        "{}",
        &text[..300]
    );
    assert!(text.len() < 70 * 1024, "{}", text.len());
    let _ = std::fs::remove_dir_all(&dir);
}
