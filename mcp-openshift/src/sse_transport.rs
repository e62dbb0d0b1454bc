//! Legacy HTTP+SSE transport (MCP 2024-11-05) as upstream 0.0.55–0.0.66 serves it, built as a
//! custom rmcp transport: `GET /sse` opens a session and streams `message` events; clients
//! POST JSON-RPC to `/sse?sessionid=…` or `/message?sessionid=…` (also `sessionId`) and get 202.
//!
//! Each GET spawns one rmcp service over a channel pair; dropping the response body (client
//! gone) cancels the service and forgets the session. A session belongs to the credential
//! of its GET: a POST carrying another bearer token (or none, when the GET had one, and
//! the reverse) is refused with 403, so a leaked session id does not lend the session's
//! identity to another caller.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{Stream, StreamExt, stream};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::{CancellationToken, PollSender};

use crate::server::{McpServer, ServerState, bearer_token};
use crate::session_owner::{FOREIGN_SESSION, Owner, OwnerKey};

/// Interval of SSE comment keep-alives (clients and proxies drop idle streams).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long a POST may wait for room in its session's queue.
pub const POST_QUEUE_TIMEOUT: Duration = Duration::from_secs(10);
/// One open session: where its POSTs go, and who opened it.
#[derive(Clone)]
struct Session {
    tx: mpsc::Sender<ClientJsonRpcMessage>,
    owner: Owner,
}

type Sessions = Arc<RwLock<HashMap<String, Session>>>;

/// State of the SSE endpoints.
#[derive(Clone)]
pub struct SseState {
    server: Arc<ServerState>,
    sessions: Sessions,
    shutdown: CancellationToken,
    keep_alive: Duration,
    max_sessions: usize,
    key: OwnerKey,
}

impl SseState {
    /// Sessions end when `shutdown` is cancelled; comments are sent every `keep_alive`; at
    /// most `max_sessions` are open at once.
    pub fn new(
        server: Arc<ServerState>,
        shutdown: CancellationToken,
        keep_alive: Duration,
        max_sessions: usize,
    ) -> Self {
        Self {
            server,
            sessions: Arc::default(),
            shutdown,
            keep_alive,
            max_sessions,
            key: OwnerKey::default(),
        }
    }
}

/// `GET /sse` and `POST /sse`, `POST /message`.
pub fn router(state: SseState) -> Router {
    Router::new()
        .route("/sse", get(open).post(post))
        .route("/message", axum::routing::post(post))
        .with_state(state)
}

/// Removes the session and stops its service when the SSE body is dropped.
struct SessionGuard {
    id: String,
    sessions: Sessions,
    ct: CancellationToken,
    server: Arc<ServerState>,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.ct.cancel();
        if let Ok(mut m) = self.sessions.write() {
            m.remove(&self.id);
        }
        self.server.metrics.sse_sessions(-1);
        tracing::debug!(session = %self.id, "SSE session closed");
    }
}

async fn open(State(state): State<SseState>, headers: HeaderMap) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (c2s_tx, c2s_rx) = mpsc::channel::<ClientJsonRpcMessage>(64);
    let (s2c_tx, s2c_rx) = mpsc::channel::<ServerJsonRpcMessage>(64);
    {
        let Ok(mut m) = state.sessions.write() else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "session table unavailable",
            )
                .into_response();
        };
        if m.len() >= state.max_sessions {
            let mut resp = (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "Service Unavailable: the server has {} open SSE sessions, its limit; retry later",
                    state.max_sessions
                ),
            )
                .into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
            return resp;
        }
        m.insert(
            id.clone(),
            Session {
                tx: c2s_tx,
                owner: state.key.of(&headers),
            },
        );
    }
    state.server.metrics.sse_sessions(1);
    let ct = state.shutdown.child_token();
    let handler = McpServer::new(state.server.clone(), bearer_token(&headers));
    let transport = (PollSender::new(s2c_tx), ReceiverStream::new(c2s_rx));
    let service_ct = ct.clone();
    tokio::spawn(async move {
        let running = rmcp::service::serve_directly_with_ct(handler, transport, None, service_ct);
        let _ = running.waiting().await;
    });
    tracing::debug!(session = %id, "SSE session opened");
    let guard = SessionGuard {
        id: id.clone(),
        sessions: state.sessions.clone(),
        ct: ct.clone(),
        server: state.server.clone(),
    };
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/sse?sessionid={id}"));
    let stop = ct.clone();
    let messages = ReceiverStream::new(s2c_rx)
        .map(move |msg| {
            let _keep = &guard;
            let data = serde_json::to_string(&msg).unwrap_or_else(|e| {
                format!("{{\"jsonrpc\":\"2.0\",\"error\":{{\"code\":-32603,\"message\":\"{e}\"}}}}")
            });
            Ok::<_, Infallible>(Event::default().event("message").data(data))
        })
        .take_until(async move { stop.cancelled().await });
    let body: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(stream::once(async move { Ok(endpoint) }).chain(messages));
    let mut resp = Sse::new(body)
        .keep_alive(KeepAlive::new().interval(state.keep_alive))
        .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache, no-transform"),
    );
    resp.headers_mut()
        .insert("x-accel-buffering", header::HeaderValue::from_static("no"));
    resp
}

#[derive(Deserialize)]
struct SessionQuery {
    sessionid: Option<String>,
    #[serde(rename = "sessionId")]
    session_id: Option<String>,
}

async fn post(
    State(state): State<SseState>,
    Query(q): Query<SessionQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(id) = q.sessionid.or(q.session_id).filter(|s| !s.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "sessionid must be provided").into_response();
    };
    let session = state.sessions.read().ok().and_then(|m| m.get(&id).cloned());
    let Some(Session { tx, owner }) = session else {
        return (StatusCode::NOT_FOUND, "session not found").into_response();
    };
    if owner != state.key.of(&headers) {
        return (StatusCode::FORBIDDEN, FOREIGN_SESSION).into_response();
    }
    let msg: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("invalid JSON-RPC message: {e}"),
            )
                .into_response();
        }
    };
    // A session that does not drain its queue must not hold the POST forever.
    match tokio::time::timeout(POST_QUEUE_TIMEOUT, tx.send(msg)).await {
        Ok(Ok(())) => (StatusCode::ACCEPTED, "Accepted").into_response(),
        Ok(Err(_)) => (StatusCode::NOT_FOUND, "session not found").into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "session is busy; retry later",
        )
            .into_response(),
    }
}
