//! Streamable HTTP: `POST /mcp` (rmcp), `GET /healthz`, and the layers around them.
//!
//! Stateless with plain-JSON replies by default (like upstream ≈v1.8, and what simple
//! clients parse); `-sessions` switches to rmcp's session mode, capped and tied to the
//! opening token ([`sessions`]). The DNS-rebinding walls (the shared [`HostOriginLayer`]):
//! a loopback connection must name a host public DNS cannot serve, whatever the bind
//! address (so `mcp-gitea-proxy.<ns>.svc.cluster.local:8080` still works inside
//! Kubernetes), and a browser request (with `Origin`) must come from a loopback or
//! allow-listed origin. Here a request without peer information counts as a loopback one,
//! and refusals are JSON-RPC error bodies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::serve::ListenerExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::server::{GiteaMcp, bearer};

mod fast_path;
mod sessions;
use fast_path::FastPath;
use serve_common::http_guard::{HostOriginLayer, Refusal};
pub use serve_common::http_guard::{host_allowed, origin_allowed};

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
    /// Accepted browser origins besides loopback ones (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Most open MCP sessions (with `sessions`); 0 = the default 256.
    pub max_sessions: usize,
    /// Idle time after which a session is closed (with `sessions`); `None` = 300 s.
    pub session_idle: Option<Duration>,
}

/// Default of [`HttpOptions::max_sessions`].
pub const DEFAULT_MAX_SESSIONS: usize = 256;
/// Default of [`HttpOptions::session_idle`].
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(300);

/// rmcp's own Host and Origin checks are off: [`HostOriginLayer`] does both, by the peer
/// address.
fn rmcp_config(opts: &HttpOptions, cancel: CancellationToken) -> StreamableHttpServerConfig {
    StreamableHttpServerConfig::default()
        .with_legacy_session_mode(opts.sessions)
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_cancellation_token(cancel)
        .disable_allowed_origins()
        .disable_allowed_hosts()
}

/// The whole HTTP app; `cancel` ends open MCP streams on shutdown.
pub fn router(server: GiteaMcp, opts: &HttpOptions, cancel: CancellationToken) -> Router {
    router_with(server, opts, cancel, true)
}

/// [`router`], choosing whether plain stateless `tools/call`/`tools/list` requests take
/// the [`fast_path`] (`false` sends everything through rmcp; tests compare the two).
pub fn router_with(
    server: GiteaMcp,
    opts: &HttpOptions,
    cancel: CancellationToken,
    fast_path: bool,
) -> Router {
    let config = rmcp_config(opts, cancel);
    let mcp: Router = if opts.sessions {
        let mut manager = LocalSessionManager::default();
        manager.session_config.keep_alive = Some(opts.session_idle.unwrap_or(DEFAULT_SESSION_IDLE));
        let manager = Arc::new(manager);
        let max = match opts.max_sessions {
            0 => DEFAULT_MAX_SESSIONS,
            n => n,
        };
        let gate = Arc::new(sessions::SessionGate::new(manager.clone(), max));
        let svc = StreamableHttpService::new(move || Ok(server.clone()), manager, config);
        Router::new()
            .route(
                "/mcp",
                any(move |req: Request| dispatch(svc.clone(), svc.clone(), None, req)),
            )
            .layer(middleware::from_fn_with_state(gate, sessions::gate))
    } else {
        let fast = fast_path.then(|| FastPath::new(server.clone(), config.allowed_hosts.clone()));
        let stateless = |json: bool| {
            let server = server.clone();
            StreamableHttpService::new(
                move || Ok(server.clone()),
                Arc::new(NeverSessionManager::default()),
                config.clone().with_json_response(json),
            )
        };
        let (json, sse) = (stateless(true), stateless(false));
        Router::new().route(
            "/mcp",
            any(move |req: Request| dispatch(json.clone(), sse.clone(), fast.clone(), req)),
        )
    };
    let guard = HostOriginLayer::new(opts.allowed_hosts.clone(), opts.allowed_origins.clone())
        .unknown_peer_is_loopback(true)
        .respond_with(refuse_rebinding);
    // Outermost (last) first: Host and Origin, then the token and the arguments probe.
    mcp.layer(middleware::from_fn_with_state(
        opts.require_token,
        check_request,
    ))
    .layer(guard)
    .route("/healthz", get(healthz))
}

/// What a POST's `Accept` header allows.
fn accepts(headers: &http::HeaderMap) -> (bool, bool) {
    let Some(value) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return (true, false);
    };
    let (mut json, mut sse) = (false, false);
    for item in value.split(',') {
        let media = item
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/json" | "application/*" => json = true,
            "text/event-stream" | "text/*" => sse = true,
            "*/*" => json = true,
            _ => {}
        }
    }
    // Neither: answer JSON rather than refuse a simple client.
    (json || !sse, sse)
}

/// Serves POSTs as plain JSON when the client takes JSON (also `*/*` or no `Accept`),
/// SSE-framed only when it takes nothing but SSE. rmcp insists on both types in `Accept`,
/// so the header is normalised before it sees the request. JSON POSTs try `fast` first.
async fn dispatch<S, B>(json: S, sse: S, fast: Option<FastPath>, mut req: Request) -> Response
where
    S: tower::Service<Request, Response = http::Response<B>, Error = std::convert::Infallible>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let svc = if req.method() == http::Method::POST {
        let (takes_json, _) = accepts(req.headers());
        req.headers_mut().insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        if takes_json && let Some(fast) = fast {
            match fast.serve(req).await {
                Ok(resp) => return resp,
                Err(back) => req = back,
            }
        }
        if takes_json { json } else { sse }
    } else {
        json
    };
    match svc.oneshot(req).await {
        Ok(resp) => resp.map(axum::body::Body::new),
        Err(never) => match never {},
    }
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

/// A Host or Origin refusal as a JSON-RPC error (403).
fn refuse_rebinding(refusal: &Refusal) -> Response {
    refuse(StatusCode::FORBIDDEN, refusal.message())
}

/// The optional token requirement and the early check of malformed `arguments`.
async fn check_request(State(require_token): State<bool>, req: Request, next: Next) -> Response {
    if require_token && req.method() == http::Method::POST && bearer(req.headers()).is_none() {
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
    // Replies are written in one go; without TCP_NODELAY a reply that hyper splits into
    // two writes can wait for the client's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::trace!(error = %e, "TCP_NODELAY not set");
        }
    });
    // The peer address lets the Host check tell loopback connections from the others.
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stop.cancelled().await });
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

#[cfg(test)]
mod tests;
