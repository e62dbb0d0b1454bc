//! A bare forwarding proxy: the floor of any server that sits between a client and Gitea.
//!
//! It passes each request on with one shared HTTP client and hands back Gitea's status
//! and bytes untouched: no MCP, no JSON, nothing decoded. The Gitea benchmark makes the
//! same REST calls through it, so the table shows how much of an MCP server's added time
//! is the second HTTP exchange itself, which no server in that position can avoid. It
//! runs on threads of its own, as a proxy process would.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::world::OwnRuntime;
use crate::serve::{ServerHandle, spawn_http};

/// Requests larger than this are refused (the benchmark's are tiny).
const MAX_BODY: usize = 1 << 20;

struct Target {
    /// Gitea's root URL, without a trailing slash.
    base: String,
    http: reqwest::Client,
}

/// A running forwarder; stops when dropped.
#[derive(Debug)]
pub struct Forwarder {
    /// Its root URL: `{url}/api/v1/…` reaches Gitea's `/api/v1/…`.
    pub url: String,
    _server: ServerHandle,
    _runtime: OwnRuntime,
}

/// Starts a forwarder to `target` (a root URL such as the Gitea emulator's).
pub async fn start(target: &str) -> anyhow::Result<Forwarder> {
    let state = Arc::new(Target {
        base: target.trim_end_matches('/').to_string(),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?,
    });
    let router = axum::Router::new().fallback(forward).with_state(state);
    let runtime = OwnRuntime::new("forwarder")?;
    let server = runtime.run(spawn_http(router, 0)).await??;
    Ok(Forwarder {
        url: format!("http://{}", server.addr()),
        _server: server,
        _runtime: runtime,
    })
}

async fn forward(State(target): State<Arc<Target>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = target
        .http
        .request(parts.method, format!("{}{path}", target.base))
        .body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT] {
        if let Some(value) = parts.headers.get(&name) {
            out = out.header(name, value);
        }
    }
    let answer = match out.send().await {
        Ok(answer) => answer,
        Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    match answer.bytes().await {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            if let Some(value) = content_type {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(err) => (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    }
}
