//! How this server configures the shared Host/Origin guard: a request without peer
//! information (a router driven in process) counts as loopback, refusals are JSON-RPC
//! error bodies, and `/healthz` stays outside the guard.

use std::time::Duration;

use axum::body::Body;
use http::{Request, StatusCode, header};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::{HttpOptions, router};
use crate::catalog::Filter;
use crate::gitea_client::{ClientOptions, GiteaClient};
use crate::server::{GiteaMcp, ServerOptions};

fn app() -> axum::Router {
    let gitea = GiteaClient::new(&ClientOptions {
        host: "http://127.0.0.1:9".into(),
        insecure: false,
        timeout: Duration::from_secs(1),
    })
    .expect("client");
    let server = GiteaMcp::new(ServerOptions {
        gitea,
        static_token: None,
        filter: Filter::default(),
        legacy_tools: false,
    });
    router(server, &HttpOptions::default(), CancellationToken::new())
}

async fn send(req: Request<Body>) -> (StatusCode, Value) {
    let resp = app().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn a_request_without_peer_information_is_host_checked_and_refused_as_json_rpc() {
    let (status, body) = send(
        Request::post("/mcp")
            .header(header::HOST, "evil.example.com")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], -32600, "{body}");
    assert_eq!(body["error"]["message"], "Forbidden: invalid Host header");
    let (status, body) = send(
        Request::post("/mcp")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://evil.example.com")
            .body(Body::from("{}"))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["message"], "Forbidden: Origin is not allowed");
}

#[tokio::test]
async fn healthz_is_outside_the_guard() {
    let resp = app()
        .oneshot(
            Request::get("/healthz")
                .header(header::HOST, "evil.example.com")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
}
