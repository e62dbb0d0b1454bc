//! Streamable HTTP: `POST /mcp` (rmcp), `GET /healthz`, and the layers around them.
//!
//! Stateless with plain-JSON replies by default (like upstream ≈v1.8, and what simple
//! clients parse); `-sessions` switches to rmcp's session mode. `Host` checking guards
//! only loopback-bound servers by default (that is where DNS rebinding bites), so a
//! request to `mcp-gitea-proxy.<ns>.svc.cluster.local:8080` is not refused inside
//! Kubernetes. Browser requests (with `Origin`) must be same-origin or allow-listed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::server::{GiteaMcp, bearer};

/// Largest accepted request body (big file writes), as upstream.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Settings of the HTTP front.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Listen address (`None` = all interfaces).
    pub bind: Option<IpAddr>,
    /// Issue MCP sessions.
    pub sessions: bool,
    /// Refuse requests that bring no token.
    pub require_token: bool,
    /// Extra accepted `Host` values; `*` accepts any.
    pub allowed_hosts: Vec<String>,
    /// Accepted browser origins besides same-origin.
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone)]
struct Guard {
    require_token: bool,
    allowed_origins: Arc<Vec<String>>,
}

fn rmcp_config(opts: &HttpOptions, cancel: CancellationToken) -> StreamableHttpServerConfig {
    let base = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(opts.sessions)
        .with_json_response(!opts.sessions)
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_cancellation_token(cancel)
        .disable_allowed_origins();
    let loopback_bind = opts.bind.is_some_and(|ip| ip.is_loopback());
    if opts.allowed_hosts.iter().any(|h| h == "*") {
        base.disable_allowed_hosts()
    } else if loopback_bind || !opts.allowed_hosts.is_empty() {
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
        hosts.extend(opts.allowed_hosts.iter().cloned());
        base.with_allowed_hosts(hosts)
    } else {
        base.disable_allowed_hosts()
    }
}

/// The whole HTTP app; `cancel` ends open MCP streams on shutdown.
pub fn router(server: GiteaMcp, opts: &HttpOptions, cancel: CancellationToken) -> Router {
    let config = rmcp_config(opts, cancel);
    let mcp: Router = if opts.sessions {
        let svc = StreamableHttpService::new(
            move || Ok(server.clone()),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        Router::new().route_service("/mcp", svc)
    } else {
        let svc = StreamableHttpService::new(
            move || Ok(server.clone()),
            Arc::new(NeverSessionManager::default()),
            config,
        );
        Router::new().route_service("/mcp", svc)
    };
    let guard = Guard {
        require_token: opts.require_token,
        allowed_origins: Arc::new(opts.allowed_origins.clone()),
    };
    mcp.layer(middleware::from_fn_with_state(guard, check_request))
        .route("/healthz", get(healthz))
}

async fn healthz() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
}

fn refuse(status: StatusCode, msg: &str) -> Response {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": msg}});
    (status, axum::Json(body)).into_response()
}

/// Origin check (same-origin or allow-listed) and the optional token requirement.
async fn check_request(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        let same = !host.is_empty() && origin_host.eq_ignore_ascii_case(host);
        let listed = guard
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin));
        if !same && !listed {
            return refuse(StatusCode::FORBIDDEN, "Forbidden: Origin is not allowed");
        }
    }
    if guard.require_token && req.method() == http::Method::POST && bearer(req.headers()).is_none()
    {
        let mut resp = refuse(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send your Gitea token as Authorization: Bearer <token>",
        );
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    if req.method() != http::Method::POST {
        return next.run(req).await;
    }
    // Buffer the body (within the limit) to catch malformed `arguments` early.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload Too Large: body exceeds 32 MiB",
            );
        }
    };
    if let Some(reply) = crate::arguments_probe::malformed_arguments(&bytes) {
        return (StatusCode::OK, axum::Json(reply)).into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Serves until SIGINT/SIGTERM or `shutdown` fires, draining for at most 10 s.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let stop = cancel.clone();
    let server =
        axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await });
    let mut task = tokio::spawn(async move { server.await });
    tokio::select! {
        res = &mut task => return res.map_err(std::io::Error::other)?,
        _ = cancel.cancelled() => {}
    }
    match tokio::time::timeout(Duration::from_secs(10), task).await {
        Ok(res) => res.map_err(std::io::Error::other)?,
        Err(_) => Ok(()),
    }
}

/// The listen address for `bind`/`port`.
pub fn listen_addr(bind: Option<IpAddr>, port: u16) -> SocketAddr {
    SocketAddr::new(bind.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), port)
}

/// `-healthcheck`: GET `http://127.0.0.1:<port>/healthz`, true on 200.
pub async fn healthcheck(port: u16) -> bool {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(c) => c,
        Err(_) => return false,
    };
    matches!(
        client.get(format!("http://127.0.0.1:{port}/healthz")).send().await,
        Ok(r) if r.status().is_success()
    )
}
