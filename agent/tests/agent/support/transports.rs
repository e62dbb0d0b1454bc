//! Serves a [`Fixture`] over Streamable HTTP (rmcp's service) or over a test-side legacy
//! SSE server (GET `/sse` + POST `/sse?sessionid=…`, as kubernetes-mcp-server behind the
//! ToolHive proxy does), whose streams the tests can drop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures::StreamExt;
use rmcp::ServiceExt;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::StreamableHttpService;
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::{CancellationToken, PollSender};

use super::fixture::Fixture;

/// `/mcp` over Streamable HTTP.
pub fn streamable_router(fixture: Fixture) -> Router {
    let service = StreamableHttpService::new(
        move || Ok(fixture.clone()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    Router::new().nest_service("/mcp", service)
}

/// The inbound channel and the stream's cancel token of one SSE session.
type Session = (mpsc::Sender<ClientJsonRpcMessage>, CancellationToken);

/// `/mcp` over stateless Streamable HTTP answering plain JSON (no SSE framing, no session).
pub fn stateless_json_router(fixture: Fixture) -> Router {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true);
    let service = StreamableHttpService::new(
        move || Ok(fixture.clone()),
        Arc::new(
            rmcp::transport::streamable_http_server::session::never::NeverSessionManager::default(),
        ),
        config,
    );
    Router::new().nest_service("/mcp", service)
}

#[derive(Clone, Default)]
pub struct SseControl {
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    pub opened: Arc<std::sync::atomic::AtomicUsize>,
}

impl SseControl {
    /// Ends every open SSE stream (the server stays up).
    pub fn drop_streams(&self) {
        for (_, (_, ct)) in self.sessions.lock().unwrap().drain() {
            ct.cancel();
        }
    }
    pub fn sessions_opened(&self) -> usize {
        self.opened.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct SseApp {
    fixture: Fixture,
    control: SseControl,
}

/// `/sse` over legacy HTTP+SSE.
pub fn sse_router(fixture: Fixture, control: SseControl) -> Router {
    Router::new()
        .route("/sse", get(sse_get).post(sse_post))
        .with_state(SseApp { fixture, control })
}

async fn sse_get(State(app): State<SseApp>) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let (c2s_tx, c2s_rx) = mpsc::channel::<ClientJsonRpcMessage>(64);
    let (s2c_tx, s2c_rx) = mpsc::channel::<ServerJsonRpcMessage>(64);
    let ct = CancellationToken::new();
    app.control
        .sessions
        .lock()
        .unwrap()
        .insert(id.clone(), (c2s_tx, ct.clone()));
    app.control
        .opened
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let fixture = app.fixture.clone();
    let service_ct = ct.clone();
    tokio::spawn(async move {
        if let Ok(running) = fixture
            .serve_with_ct(
                (PollSender::new(s2c_tx), ReceiverStream::new(c2s_rx)),
                service_ct,
            )
            .await
        {
            let _ = running.waiting().await;
        }
    });
    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/sse?sessionid={id}"));
    let messages = ReceiverStream::new(s2c_rx).map(|m| {
        Event::default()
            .event("message")
            .data(serde_json::to_string(&m).unwrap())
    });
    let stream = futures::stream::once(async { endpoint })
        .chain(messages)
        .map(Ok::<_, std::convert::Infallible>)
        .take_until(ct.cancelled_owned());
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

#[derive(serde::Deserialize)]
struct SessionQuery {
    sessionid: String,
}

async fn sse_post(
    State(app): State<SseApp>,
    Query(q): Query<SessionQuery>,
    body: Bytes,
) -> Response {
    let sender = app
        .control
        .sessions
        .lock()
        .unwrap()
        .get(&q.sessionid)
        .map(|(tx, _)| tx.clone());
    let Some(sender) = sender else {
        return (StatusCode::NOT_FOUND, "Session not found").into_response();
    };
    let Ok(message) = serde_json::from_slice::<ClientJsonRpcMessage>(&body) else {
        return (StatusCode::BAD_REQUEST, "Invalid message").into_response();
    };
    match sender.send(message).await {
        Ok(()) => (StatusCode::ACCEPTED, "Accepted").into_response(),
        Err(_) => (StatusCode::GONE, "Session closed").into_response(),
    }
}
