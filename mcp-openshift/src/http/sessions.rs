//! Streamable-HTTP sessions: a cap on how many are open, and each one tied to the
//! credential that opened it.
//!
//! rmcp's `LocalSessionManager` keeps every session until it is deleted or idle for its
//! `keep_alive` (set from `--session-idle-timeout`), with no upper bound. This layer sits in
//! front of it: a request that would open a session (a POST without `Mcp-Session-Id`) is
//! answered 503 with a JSON-RPC error once `--max-sessions` are open, and a request naming
//! a session opened with another bearer token (or with none) gets 403. Opening is
//! serialised, so the cap is exact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use crate::session_owner::{FOREIGN_SESSION, Owner, OwnerKey};

const SESSION_HEADER: &str = "mcp-session-id";

/// The gate in front of one streamable-HTTP service.
pub(super) struct SessionGate {
    manager: Arc<LocalSessionManager>,
    max: usize,
    key: OwnerKey,
    owners: Mutex<HashMap<String, Owner>>,
    opening: tokio::sync::Mutex<()>,
}

impl SessionGate {
    pub(super) fn new(manager: Arc<LocalSessionManager>, max: usize) -> Self {
        Self {
            manager,
            max,
            key: OwnerKey::default(),
            owners: Mutex::default(),
            opening: tokio::sync::Mutex::new(()),
        }
    }

    fn owner_of(&self, id: &str) -> Option<Owner> {
        self.owners.lock().ok().and_then(|m| m.get(id).copied())
    }

    /// Records the owner of a new session and forgets sessions rmcp has closed.
    async fn record(&self, id: &str, owner: Owner) {
        let live: Vec<String> = self
            .manager
            .sessions
            .read()
            .await
            .keys()
            .map(|k| k.to_string())
            .collect();
        if let Ok(mut m) = self.owners.lock() {
            m.retain(|k, _| live.iter().any(|l| l == k));
            m.insert(id.to_string(), owner);
        }
    }
}

fn full(max: usize) -> Response {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32000,
        "message": format!("Service Unavailable: the server has {max} open MCP sessions, its limit; close one (DELETE /mcp) or retry later")}});
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    resp
}

pub(super) async fn gate(
    State(gate): State<Arc<SessionGate>>,
    req: Request,
    next: Next,
) -> Response {
    let owner = gate.key.of(req.headers());
    if let Some(id) = req
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        if gate.owner_of(id).is_some_and(|o| o != owner) {
            return (StatusCode::FORBIDDEN, FOREIGN_SESSION).into_response();
        }
        return next.run(req).await;
    }
    if req.method() != http::Method::POST {
        return next.run(req).await;
    }
    let _one_at_a_time = gate.opening.lock().await;
    if gate.manager.sessions.read().await.len() >= gate.max {
        return full(gate.max);
    }
    let resp = next.run(req).await;
    if let Some(id) = resp
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        gate.record(id, owner).await;
    }
    resp
}
