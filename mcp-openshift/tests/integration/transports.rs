//! Transport behaviour: legacy SSE framing and status codes, streamable HTTP sessions and
//! stateless mode, protocol versions, Host checks, /healthz, /metrics, /stats.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};

use super::util::{BOTH, Transport, connect, ok, start, tool_names};

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// POSTs `body` to `url` (the legacy SSE message endpoints take any client's raw posts).
async fn post(c: &reqwest::Client, url: &str, body: &'static str) -> reqwest::Response {
    c.post(url).body(body).send().await.unwrap()
}

/// A POST to the streamable HTTP endpoint with the `accept` and `content-type` headers the
/// transport requires of every client.
fn post_mcp(c: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
    c.post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
}

/// GETs `url`, failing the test only if nothing answers.
async fn get(c: &reqwest::Client, url: &str) -> reqwest::Response {
    c.get(url).send().await.unwrap()
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

async fn next<S>(events: &mut S) -> eventsource_stream::Event
where
    S: futures::Stream<
            Item = Result<
                eventsource_stream::Event,
                eventsource_stream::EventStreamError<reqwest::Error>,
            >,
        > + Unpin,
{
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("no SSE event in time")
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn legacy_sse_wire_format_and_status_codes() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let c = http();
    // Missing or unknown session ids.
    let r = post(&c, &format!("{base}/message"), INIT).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), "sessionid must be provided");
    let r = post(&c, &format!("{base}/sse?sessionid=nope"), INIT).await;
    assert_eq!(r.status(), 404);

    let stream_client = reqwest::Client::new();
    let resp = stream_client
        .get(format!("{base}/sse"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut events = resp.bytes_stream().eventsource();
    let first: eventsource_stream::Event = next(&mut events).await;
    assert_eq!(first.event, "endpoint");
    let id = first
        .data
        .strip_prefix("/sse?sessionid=")
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 32);
    let session = format!("{base}/sse?sessionid={id}");

    // Both POST paths and both parameter spellings are accepted with 202.
    let r = post(&c, &format!("{base}/message?sessionId={id}"), INIT).await;
    assert_eq!(r.status(), 202);
    let ev = next(&mut events).await;
    assert_eq!(ev.event, "message");
    let v: Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["result"]["protocolVersion"], "2024-11-05");
    assert_eq!(v["result"]["serverInfo"]["name"], "kubernetes-mcp-server");
    let r = post(
        &c,
        &session,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    )
    .await;
    assert_eq!(r.status(), 202);
    let r = post(
        &c,
        &session,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    )
    .await;
    assert_eq!(r.status(), 202);
    let ev = next(&mut events).await;
    let v: Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(v["id"], 2);
    assert_eq!(v["result"]["tools"].as_array().unwrap().len(), 20);
    // Not JSON-RPC.
    let r = post(&c, &session, "{not json").await;
    assert_eq!(r.status(), 400);

    // Closing the stream ends the session.
    drop(events);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = post(&c, &session, r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#).await;
        if r.status() == 404 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "session still alive after the stream closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn streamable_http_sessions_and_versions() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let c = http();
    for (asked, answered) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
    ] {
        let body = INIT.replace("2024-11-05", asked);
        let r = post_mcp(&c, &base).body(body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asked}");
        assert!(r.headers().contains_key("mcp-session-id"));
        let text = r.text().await.unwrap();
        assert!(
            text.contains(&format!("\"protocolVersion\":\"{answered}\"")),
            "{asked}: {text}"
        );
    }
    let r = post_mcp(&c, &base)
        .header("mcp-session-id", "unknown")
        .body(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    h.server.shutdown().await;
}

#[tokio::test]
async fn stateless_mode_serves_without_sessions() {
    let h = start(&["--stateless"]).await;
    let base = h.server.base_url();
    let c = http();
    let r = post_mcp(&c, &base).body(INIT).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("mcp-session-id"));
    let client = connect(&base, Transport::Streamable, None).await;
    assert_eq!(tool_names(&client).await.len(), 20);
    let text = ok(&client, "namespaces_list", json!({})).await;
    assert!(text.contains("agent-user1"), "{text}");
    client.cancel().await.unwrap();
    h.server.shutdown().await;
}

#[tokio::test]
async fn host_header_policy_on_loopback() {
    let h = start(&["--allowed-hosts", "mcp.apps.example.com"]).await;
    let base = h.server.base_url();
    let port = h.server.local_addr().port();
    let c = http();
    for (host, status) in [
        ("evil.example.com".to_string(), 403),
        // A public name that only looks like a loopback address (it resolves wherever its
        // owner likes): the old `127.` prefix rule let it through.
        (format!("127.0.0.1.nip.io:{port}"), 403),
        (format!("localhost:{port}"), 200),
        (format!("mcp-openshift.mcp-openshift-user1.svc:{port}"), 200),
        (format!("mcp-openshift:{port}"), 200),
        ("mcp.apps.example.com".to_string(), 200),
    ] {
        let r = c
            .get(format!("{base}/healthz"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{host}");
    }
    let r = post_mcp(&c, &base)
        .header("host", "evil.example.com")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    h.server.shutdown().await;
}

#[tokio::test]
async fn rebinding_refusals_are_plain_text_naming_the_host() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    let port = h.server.local_addr().port();
    let c = http();
    let r = c
        .get(format!("{base}/healthz"))
        .header("host", "evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.text().await.unwrap(),
        "Forbidden: invalid Host header \"evil.example.com\""
    );
    let r = post_mcp(&c, &base)
        .header("host", format!("localhost:{port}"))
        .header("origin", "http://evil.example.com")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), "Forbidden: Origin is not allowed");
    h.server.shutdown().await;
}

#[tokio::test]
async fn health_metrics_and_stats_count_calls() {
    let h = start(&[]).await;
    let base = h.server.base_url();
    for t in BOTH {
        let client = connect(&base, t, None).await;
        ok(
            &client,
            "pods_list_in_namespace",
            json!({"namespace": "agent-user1"}),
        )
        .await;
        super::util::err(
            &client,
            "pods_get",
            json!({"name": "missing", "namespace": "agent-user1"}),
        )
        .await;
        client.cancel().await.unwrap();
    }
    let c = http();
    assert_eq!(get(&c, &format!("{base}/healthz")).await.status(), 200);
    let stats: Value = get(&c, &format!("{base}/stats"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stats["tool_calls_by_name"]["pods_list_in_namespace"], 2);
    assert_eq!(stats["tool_errors_by_name"]["pods_get"], 2);
    assert_eq!(stats["total_tool_calls"], 4);
    assert!(stats["http_requests_by_path"]["/mcp"].as_u64().unwrap() > 0);
    assert!(stats["http_requests_by_path"]["/sse"].as_u64().unwrap() > 0);
    let metrics = get(&c, &format!("{base}/metrics"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("k8s_mcp_tool_calls_total{tool=\"pods_get\",outcome=\"error\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("k8s_mcp_tool_duration_seconds_count{tool=\"pods_list_in_namespace\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "k8s_mcp_http_requests_total{method=\"GET\",path=\"/healthz\",status=\"200\"}"
        ),
        "{metrics}"
    );
    h.server.shutdown().await;
}

#[tokio::test]
async fn unknown_tool_is_a_json_rpc_error_on_both_transports() {
    let h = start(&[]).await;
    for t in BOTH {
        let client = connect(&h.server.base_url(), t, None).await;
        let params = rmcp::model::CallToolRequestParams::new("helm_list");
        let e = client.call_tool(params).await.unwrap_err().to_string();
        assert!(e.contains("unknown tool \"helm_list\""), "{t:?}: {e}");
        client.cancel().await.unwrap();
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn sse_streams_send_keep_alive_comments() {
    let emu = kube_emulator::KubeEmulator::new();
    let cluster = mcp_openshift::Cluster::from_client(emu.client(), "default");
    let config = mcp_openshift::Config::default();
    let opts = mcp_openshift::http::HttpOptions {
        keep_alive: Duration::from_millis(100),
        ..Default::default()
    };
    let server = mcp_openshift::http::serve(
        "127.0.0.1:0".parse().unwrap(),
        mcp_openshift::state(&config, cluster),
        &opts,
    )
    .await
    .unwrap();
    let resp = reqwest::Client::new()
        .get(format!("{}/sse", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-accel-buffering"], "no");
    let mut body = resp.bytes_stream();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    // After the endpoint event, only comment lines (`:`) arrive on an idle session.
    while seen.lines().filter(|l| l.starts_with(':')).count() < 2 {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("no keep-alive in time")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.starts_with("event: endpoint\ndata: /sse?sessionid="),
        "{seen}"
    );
    drop(body);
    server.shutdown().await;
}
