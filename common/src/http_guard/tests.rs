//! The host and origin rules (the union of both servers' former unit tests) and the layer
//! in front of a real axum server over TCP, so the peer address is a real one.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use http::{Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use super::*;

#[test]
fn hosts() {
    for ok in [
        "localhost:8080",
        "localhost",
        "127.0.0.1:9",
        "[::1]:80",
        "mcp-openshift:8080",
        "mcp-openshift.agent-user1.svc:8080",
        "x.y.svc.cluster.local",
        "mcp-gitea-proxy.mcp-gitea-u1.svc.cluster.local:8080",
        " localhost ",
    ] {
        assert!(host_allowed(ok, &[]), "{ok}");
    }
    for bad in [
        "evil.example.com",
        "evil.example.com:8080",
        "",
        "1.2.3.4.nip.io",
        // A public name that merely starts like a loopback address (it resolves wherever
        // its owner likes, so it is a rebinding vector).
        "127.0.0.1.nip.io",
        "127.evil.example.com:80",
        "attacker.io",
    ] {
        assert!(!host_allowed(bad, &[]), "{bad}");
    }
    assert!(host_allowed(
        "mcp.apps.example.com",
        &["mcp.apps.example.com".into()]
    ));
    assert!(host_allowed(
        "MCP.apps.example.com:443",
        &["mcp.apps.example.com".into()]
    ));
    assert!(host_allowed("anything.example.com", &["*".into()]));
}

#[test]
fn origins() {
    for ok in [
        "http://localhost",
        "http://localhost:6274",
        "https://127.0.0.1",
        "https://127.0.0.1:8443",
        "http://[::1]:3000",
        "http://[::1]:3000/",
        "HTTP://LOCALHOST:80/",
    ] {
        assert!(origin_allowed(ok, &[]), "{ok}");
    }
    for bad in [
        "http://evil.example.com",
        "http://evil.example.com:8080",
        "http://localhost.evil.example.com",
        "http://127.0.0.1.nip.io:8080",
        "http://user@localhost",
        "null",
        "",
        "file://",
        "http://localhost:80:80",
        "http://[::1]x",
        "http://localhost:",
        "http://localhost/x",
        "ftp://localhost",
    ] {
        assert!(!origin_allowed(bad, &[]), "{bad}");
    }
    let listed = vec!["https://librechat.apps.example.com".to_string()];
    assert!(origin_allowed(
        "https://LibreChat.apps.example.com",
        &listed
    ));
    assert!(!origin_allowed(
        "https://librechat.apps.example.com.evil.io",
        &listed
    ));
    assert!(origin_allowed("https://anything.example", &["*".into()]));
}

/// Serves `layer` in front of a `GET /` that answers 200, on a loopback port with the peer
/// address recorded.
async fn serve(layer: HostOriginLayer) -> SocketAddr {
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// Sends a raw HTTP/1.1 request with exactly these headers; returns status and body.
async fn send(addr: SocketAddr, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = String::from("GET / HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}

#[tokio::test]
async fn rebinding_requests_from_a_loopback_peer_get_403() {
    let addr = serve(HostOriginLayer::new(
        vec!["mcp.apps.example.com".into()],
        vec!["https://chat.example.com".into()],
    ))
    .await;
    let port = addr.port().to_string();
    let local = format!("127.0.0.1:{port}");
    assert_eq!(send(addr, &[("Host", &local)]).await.0, 200);
    assert_eq!(send(addr, &[("Host", "mcp.apps.example.com")]).await.0, 200);
    // The attacker's page, rebound to 127.0.0.1: its own name in Host.
    let (status, body) = send(addr, &[("Host", "evil.example.com:8080")]).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("Forbidden: invalid Host header \"evil.example.com:8080\""),
        "{body}"
    );
    assert_eq!(send(addr, &[("Host", "127.0.0.1.nip.io")]).await.0, 403);
    // A good Host with a foreign Origin: still refused.
    let (status, body) = send(
        addr,
        &[("Host", &local), ("Origin", "http://evil.example.com")],
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (403, "Forbidden: Origin is not allowed")
    );
    assert_eq!(
        send(
            addr,
            &[("Host", &local), ("Origin", "https://chat.example.com")]
        )
        .await
        .0,
        200
    );
    assert_eq!(
        send(
            addr,
            &[("Host", &local), ("Origin", "http://localhost:6274")]
        )
        .await
        .0,
        200
    );
}

fn teapot(refusal: &Refusal) -> axum::response::Response {
    (StatusCode::IM_A_TEAPOT, refusal.message()).into_response()
}

#[tokio::test]
async fn refusals_render_as_configured() {
    let addr = serve(HostOriginLayer::new(vec![], vec![]).respond_with(teapot)).await;
    let (status, body) = send(addr, &[("Host", "evil.example.com")]).await;
    assert_eq!(
        (status, body.as_str()),
        (418, "Forbidden: invalid Host header")
    );
}

#[tokio::test]
async fn a_request_without_peer_information_is_host_checked_only_when_configured() {
    let app = |layer| {
        Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(layer)
    };
    let request = || {
        Request::get("/")
            .header("host", "evil.example.com")
            .body(Body::empty())
            .expect("request")
    };
    let skipped = app(HostOriginLayer::new(vec![], vec![]))
        .oneshot(request())
        .await
        .expect("infallible");
    assert_eq!(skipped.status(), StatusCode::OK);
    let checked = app(HostOriginLayer::new(vec![], vec![]).unknown_peer_is_loopback(true))
        .oneshot(request())
        .await
        .expect("infallible");
    assert_eq!(checked.status(), StatusCode::FORBIDDEN);
    // The Origin check never depends on the peer.
    let origin = app(HostOriginLayer::new(vec![], vec![]))
        .oneshot(
            Request::get("/")
                .header("origin", "http://evil.example.com")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(origin.status(), StatusCode::FORBIDDEN);
}
