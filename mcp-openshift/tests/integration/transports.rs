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
    let r = c
        .post(format!("{base}/message"))
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), "sessionid must be provided");
    let r = c
        .post(format!("{base}/sse?sessionid=nope"))
        .body(INIT)
        .send()
        .await
        .unwrap();
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

    // Both POST paths and both parameter spellings are accepted with 202.
    let r = c
        .post(format!("{base}/message?sessionId={id}"))
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let ev = next(&mut events).await;
    assert_eq!(ev.event, "message");
    let v: Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["result"]["protocolVersion"], "2024-11-05");
    assert_eq!(v["result"]["serverInfo"]["name"], "kubernetes-mcp-server");
    let r = c
        .post(format!("{base}/sse?sessionid={id}"))
        .body(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let r = c
        .post(format!("{base}/sse?sessionid={id}"))
        .body(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let ev = next(&mut events).await;
    let v: Value = serde_json::from_str(&ev.data).unwrap();
    assert_eq!(v["id"], 2);
    assert_eq!(v["result"]["tools"].as_array().unwrap().len(), 20);
    // Not JSON-RPC.
    let r = c
        .post(format!("{base}/sse?sessionid={id}"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Closing the stream ends the session.
    drop(events);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let r = c
            .post(format!("{base}/sse?sessionid={id}"))
            .body(r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#)
            .send()
            .await
            .unwrap();
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
        let r = c
            .post(format!("{base}/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{asked}");
        assert!(r.headers().contains_key("mcp-session-id"));
        let text = r.text().await.unwrap();
        assert!(
            text.contains(&format!("\"protocolVersion\":\"{answered}\"")),
            "{asked}: {text}"
        );
    }
    let r = c
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
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
    let r = c
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(INIT)
        .send()
        .await
        .unwrap();
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
    let r = c
        .post(format!("{base}/mcp"))
        .header("host", "evil.example.com")
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(INIT)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
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
    assert_eq!(
        c.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let stats: Value = c
        .get(format!("{base}/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["tool_calls_by_name"]["pods_list_in_namespace"], 2);
    assert_eq!(stats["tool_errors_by_name"]["pods_get"], 2);
    assert_eq!(stats["total_tool_calls"], 4);
    assert!(stats["http_requests_by_path"]["/mcp"].as_u64().unwrap() > 0);
    assert!(stats["http_requests_by_path"]["/sse"].as_u64().unwrap() > 0);
    let metrics = c
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
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
