//! The HTTP server: streamable HTTP on `/mcp`, legacy SSE on `/sse` + `/message`, `/healthz`,
//! `/metrics`, `/stats`, with request counting, the Host and Origin checks (the shared
//! [`HostOriginLayer`]) and the session cap and owner check of `/mcp` ([`sessions`]) as
//! layers.

mod sessions;

pub use serve_common::http_guard::{host_allowed, origin_allowed};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serve_common::HostOriginLayer;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::server::{McpServer, ServerState};
use crate::sse_transport::{self, SseState};

/// Largest accepted request body on `/mcp` (upstream: 16 MiB).
pub const MCP_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Largest accepted POST body on the SSE message endpoint.
pub const SSE_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// HTTP settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Interval of keep-alive comments on SSE streams (legacy SSE and streamable HTTP).
    pub keep_alive: Duration,
    /// Streamable HTTP without sessions.
    pub stateless: bool,
    /// Extra accepted Host names for loopback connections (`*` = any).
    pub allowed_hosts: Vec<String>,
    /// Accepted browser origins besides loopback ones (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Most open sessions, per transport (streamable HTTP, legacy SSE).
    pub max_sessions: usize,
    /// Idle time after which a streamable-HTTP session is closed.
    pub session_idle_timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            keep_alive: sse_transport::KEEP_ALIVE,
            stateless: false,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_sessions: crate::config::DEFAULT_MAX_SESSIONS,
            session_idle_timeout: crate::config::DEFAULT_SESSION_IDLE,
        }
    }
}

async fn count(State(state): State<Arc<ServerState>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    state
        .metrics
        .record_http(&method, &path, resp.status().as_u16());
    resp
}

/// The whole HTTP application.
pub fn app(state: Arc<ServerState>, opts: &HttpOptions, shutdown: CancellationToken) -> Router {
    let cfg = StreamableHttpServerConfig::default()
        .disable_allowed_hosts()
        .with_sse_keep_alive(Some(opts.keep_alive))
        .with_max_request_body_bytes(MCP_BODY_LIMIT)
        .with_cancellation_token(shutdown.child_token());
    let factory_state = state.clone();
    let factory = move || Ok(McpServer::new(factory_state.clone(), None));
    let mcp = if opts.stateless {
        let cfg = cfg.with_legacy_session_mode(false).with_json_response(true);
        Router::new().nest_service(
            "/mcp",
            StreamableHttpService::new(factory, Arc::new(NeverSessionManager::default()), cfg),
        )
    } else {
        let mut manager = LocalSessionManager::default();
        manager.session_config.keep_alive = Some(opts.session_idle_timeout);
        let manager = Arc::new(manager);
        let gate = Arc::new(sessions::SessionGate::new(
            manager.clone(),
            opts.max_sessions,
        ));
        Router::new()
            .nest_service("/mcp", StreamableHttpService::new(factory, manager, cfg))
            .layer(middleware::from_fn_with_state(gate, sessions::gate))
    };
    let sse = sse_transport::router(SseState::new(
        state.clone(),
        shutdown,
        opts.keep_alive,
        opts.max_sessions,
    ))
    .layer(DefaultBodyLimit::max(SSE_BODY_LIMIT));
    let metrics_state = state.clone();
    let stats_state = state.clone();
    Router::new()
        .route("/healthz", get(|| async { StatusCode::OK }))
        .route(
            "/metrics",
            get(move || async move {
                (
                    [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    metrics_state.metrics.encode(),
                )
            }),
        )
        .route(
            "/stats",
            get(move || async move { axum::Json(stats_state.metrics.stats_json()) }),
        )
        .merge(mcp)
        .merge(sse)
        // Outermost (last) first: count every request (also rejected ones), then the Host
        // check (loopback peers only; a request without peer information is not checked),
        // then the Origin check; refusals are 403 with a plain-text body.
        .layer(HostOriginLayer::new(
            opts.allowed_hosts.clone(),
            opts.allowed_origins.clone(),
        ))
        .layer(middleware::from_fn_with_state(state, count))
}

/// A running HTTP server.
pub struct RunningHttp {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningHttp {
    /// Bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:P` style base URL (loopback when bound to the unspecified address).
    pub fn base_url(&self) -> String {
        let ip = if self.addr.ip().is_unspecified() {
            "127.0.0.1".parse().unwrap_or(self.addr.ip())
        } else {
            self.addr.ip()
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// Stop accepting, end sessions, and wait (bounded) for the server task.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }

    /// Wait until the server stops.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)?
    }

    /// Token that stops the server.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

/// Bind `addr` and serve `app` until the returned handle is shut down.
pub async fn serve(
    addr: SocketAddr,
    state: Arc<ServerState>,
    opts: &HttpOptions,
) -> std::io::Result<RunningHttp> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    // Streamed answers are written in several small chunks (priming event, then the
    // message): without TCP_NODELAY, Nagle holds the last one for the client's delayed ACK
    // (about 40 ms per request on a kept-alive connection).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let shutdown = CancellationToken::new();
    let router = app(state, opts, shutdown.clone());
    let stop = shutdown.clone();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
    });
    Ok(RunningHttp {
        addr,
        shutdown,
        task,
    })
}
