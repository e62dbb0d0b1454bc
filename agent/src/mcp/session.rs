//! One supervised MCP session per configured server.
//!
//! A background task connects, initialises, lists the tools, then keeps the session
//! healthy: it re-lists tools when the server announces `tools/list_changed` and
//! periodically (which also detects a dead peer), and when the session ends it reconnects
//! with exponential backoff and jitter (the `backon` policy of [`SessionTiming::backoff`]). A server that is down at startup is simply retried; the agent
//! keeps serving and reports not-ready meanwhile. Calls read the current session and fail
//! fast with [`McpError::NotConnected`] when there is none.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    JsonObject, ProtocolVersion, Tool,
};
use rmcp::service::{NotificationContext, Peer, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use backon::{BackoffBuilder, ExponentialBuilder};

use super::sse_transport::SseClientTransport;
use crate::config::{McpServerConfig, McpTransport, ToolServer};
use crate::error::McpError;

/// Timing of the supervisor; the defaults suit production, tests shorten them.
#[derive(Clone, Debug)]
pub struct SessionTiming {
    /// Limit for connecting and initialising.
    pub connect_timeout: Duration,
    /// How often tools are re-listed (also the liveness check).
    pub refresh_interval: Duration,
    /// First reconnect delay.
    pub backoff_initial: Duration,
    /// Largest reconnect delay.
    pub backoff_max: Duration,
}

impl SessionTiming {
    /// The reconnect delays: from `backoff_initial`, doubling up to `backoff_max`, with up
    /// to as much again of random jitter, never giving up.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.backoff_initial)
            .with_max_delay(self.backoff_max)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

impl Default for SessionTiming {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            refresh_interval: Duration::from_secs(30),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

#[derive(Default)]
struct State {
    peer: Option<Peer<RoleClient>>,
    tools: Vec<Tool>,
    last_error: Option<String>,
    reconnects: u64,
}

/// A supervised connection to one MCP server.
pub struct McpSession {
    server: ToolServer,
    timing: SessionTiming,
    http: reqwest::Client,
    state: RwLock<State>,
    /// Signalled by the client handler on `tools/list_changed`, and by callers that saw
    /// the transport fail (so the supervisor checks the session at once).
    poke: Arc<Notify>,
    /// Signalled whenever the tool list or connection state changes.
    changed: Notify,
}

/// Our rmcp client handler: identifies the agent and forwards list-changed notices.
#[derive(Clone)]
struct Handler {
    info: ClientConfig,
    poke: Arc<Notify>,
}

impl ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.poke.notify_one();
    }
}

impl McpSession {
    /// A session for `server`, not yet connected; call [`McpSession::supervise`].
    pub fn new(server: ToolServer, mut timing: SessionTiming) -> Self {
        if let Some(timeout) = server.connect_timeout {
            timing.connect_timeout = timeout;
        }
        // No overall timeout: the SSE GET is long-lived. Every request sets its own.
        let mut builder = reqwest::Client::builder().connect_timeout(timing.connect_timeout);
        // On the SSE GET, every POST and every streamable-HTTP request alike; marked
        // sensitive so they never appear in a debug print.
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &server.headers {
            if let (Ok(name), Ok(mut value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_str(value.expose()),
            ) {
                value.set_sensitive(true);
                headers.insert(name, value);
            }
        }
        if let Some(token) = &server.connection.bearer
            && let Ok(mut value) =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        {
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        if !headers.is_empty() {
            builder = builder.default_headers(headers);
        }
        let http = builder.build().unwrap_or_default();
        Self {
            server,
            timing,
            http,
            state: RwLock::default(),
            poke: Arc::new(Notify::new()),
            changed: Notify::new(),
        }
    }

    /// The server's connection settings.
    pub fn config(&self) -> &McpServerConfig {
        &self.server.connection
    }

    /// The server with its policy.
    pub fn server(&self) -> &ToolServer {
        &self.server
    }

    /// The tools the server offered when last connected (kept while it is down, so tool
    /// names stay stable across an outage).
    pub fn known_tools(&self) -> Vec<Tool> {
        self.read(|s| s.tools.clone())
    }

    /// Whether a session is live.
    pub fn is_connected(&self) -> bool {
        self.read(|s| s.peer.is_some())
    }

    /// The server's current tools (empty while disconnected).
    pub fn tools(&self) -> Vec<Tool> {
        self.read(|s| {
            if s.peer.is_some() {
                s.tools.clone()
            } else {
                Vec::new()
            }
        })
    }

    /// The last connection error, if the session is down.
    pub fn last_error(&self) -> Option<String> {
        self.read(|s| s.last_error.clone())
    }

    /// How many times the session was re-established after a loss.
    pub fn reconnects(&self) -> u64 {
        self.read(|s| s.reconnects)
    }

    /// Waits until the tool list or connection state changes.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn write(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.state.write().unwrap_or_else(|e| e.into_inner()));
        self.changed.notify_waiters();
    }

    /// Calls a tool on this server with a timeout.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: JsonObject,
        timeout: Duration,
    ) -> Result<CallToolResult, McpError> {
        let server = self.config().name.clone();
        let peer = self
            .read(|s| s.peer.clone())
            .ok_or_else(|| McpError::NotConnected {
                server: server.clone(),
            })?;
        let params = CallToolRequestParams::new(name.to_string()).with_arguments(arguments);
        match tokio::time::timeout(timeout, peer.call_tool(params)).await {
            Err(_) => Err(McpError::Timeout { server, timeout }),
            Ok(Ok(result)) => Ok(result),
            Ok(Err(e)) => {
                if !matches!(e, rmcp::ServiceError::McpError(_)) {
                    self.poke.notify_one();
                }
                Err(McpError::Protocol {
                    server,
                    message: e.to_string(),
                })
            }
        }
    }

    /// Runs the supervisor until `shutdown` is cancelled.
    pub async fn supervise(self: Arc<Self>, shutdown: CancellationToken) {
        let mut delays = self.timing.backoff();
        let mut first_attempt = true;
        let mut ever_connected = false;
        loop {
            let name = &self.config().name;
            if first_attempt {
                tracing::info!(server = %name, "Connecting to {name} ({})...", self.config().transport.as_str());
                tracing::info!(server = %name, "   URL: {}", self.config().url);
            } else {
                tracing::debug!(server = %name, "reconnecting to {name}");
            }
            match self.connect().await {
                Ok(running) => {
                    if ever_connected {
                        self.write(|s| s.reconnects += 1);
                    }
                    ever_connected = true;
                    delays = self.timing.backoff();
                    if self.serve(running, &shutdown).await {
                        return;
                    }
                    self.write(|s| {
                        s.peer = None;
                        s.last_error = Some("session closed".into());
                    });
                    tracing::warn!(server = %name, "{name}: session lost, reconnecting");
                }
                Err(message) => {
                    tracing::warn!(server = %name, "❌ {name}: failed - {message}");
                    self.write(|s| s.last_error = Some(message));
                }
            }
            first_attempt = false;
            let delay = delays.next().unwrap_or(self.timing.backoff_max);
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }

    async fn connect(&self) -> Result<RunningService<RoleClient, Handler>, String> {
        let version = match self.config().transport {
            McpTransport::Sse => ProtocolVersion::V_2024_11_05,
            McpTransport::StreamableHttp => ProtocolVersion::V_2025_06_18,
        };
        let handler = Handler {
            info: ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new("pipeline-agent", env!("CARGO_PKG_VERSION")),
            )
            .with_protocol_version(version),
            poke: self.poke.clone(),
        };
        let timeout = self.timing.connect_timeout;
        let url = self.config().url.clone();
        let attempt = async {
            match self.config().transport {
                McpTransport::Sse => {
                    let transport = SseClientTransport::connect(self.http.clone(), url, timeout)
                        .await
                        .map_err(|e| error_chain(&e))?;
                    handler.serve(transport).await.map_err(|e| error_chain(&e))
                }
                McpTransport::StreamableHttp => {
                    let config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                        .reinit_on_expired_session(true);
                    let transport =
                        StreamableHttpClientTransport::with_client(self.http.clone(), config);
                    handler.serve(transport).await.map_err(|e| error_chain(&e))
                }
            }
        };
        let running = tokio::time::timeout(timeout, attempt)
            .await
            .map_err(|_| format!("no initialize reply within {timeout:?}"))??;
        let tools = tokio::time::timeout(timeout, running.peer().list_all_tools())
            .await
            .map_err(|_| "tools/list timed out".to_string())?
            .map_err(|e| format!("tools/list failed: {e}"))?;
        let name = &self.config().name;
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        tracing::info!(server = %name, tools = tools.len(), "✅ {name}: connected");
        tracing::info!(server = %name, "   Tools ({}): {names:?}", names.len());
        let peer = running.peer().clone();
        self.write(|s| {
            s.peer = Some(peer);
            s.tools = tools;
            s.last_error = None;
        });
        Ok(running)
    }

    /// Keeps a live session healthy; returns `true` on shutdown, `false` when the session ended.
    async fn serve(
        &self,
        running: RunningService<RoleClient, Handler>,
        shutdown: &CancellationToken,
    ) -> bool {
        let peer = running.peer().clone();
        let cancel = running.cancellation_token();
        let waiting = running.waiting();
        tokio::pin!(waiting);
        let mut tick = tokio::time::interval(self.timing.refresh_interval);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => {
                    cancel.cancel();
                    return true;
                }
                _ = &mut waiting => return false,
                _ = self.poke.notified() => {}
                _ = tick.tick() => {}
            }
            match tokio::time::timeout(self.timing.connect_timeout, peer.list_all_tools()).await {
                Ok(Ok(tools)) => {
                    let changed = self.read(|s| s.tools != tools);
                    if changed {
                        tracing::info!(server = %self.config().name, tools = tools.len(), "{}: tool list changed", self.config().name);
                        self.write(|s| s.tools = tools);
                    }
                }
                Ok(Err(rmcp::ServiceError::McpError(e))) => {
                    tracing::warn!(server = %self.config().name, error = %e.message, "tools/list refused");
                }
                Ok(Err(e)) => {
                    tracing::warn!(server = %self.config().name, error = %e, "session check failed");
                    cancel.cancel();
                    return false;
                }
                Err(_) => {
                    tracing::warn!(server = %self.config().name, "session check timed out");
                    cancel.cancel();
                    return false;
                }
            }
        }
    }
}

/// An error with its causes, so "error sending request" also says "connection refused".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
