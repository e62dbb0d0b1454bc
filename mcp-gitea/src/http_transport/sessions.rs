//! With `-sessions`: a cap on open MCP sessions and each session tied to the credential
//! that opened it.
//!
//! rmcp's `LocalSessionManager` closes a session idle for its `keep_alive`
//! (`-session-idle-timeout`) but keeps any number open. This layer answers a request that
//! would open one (a POST without `Mcp-Session-Id`) with 503 and a JSON-RPC error once
//! `-max-sessions` are open (opening is serialised, so the cap is exact), and a request on a
//! session opened with another token (or with none, and the reverse) with 403. Owners are
//! kept as keyed hashes of the token, never the token.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;

use crate::server::bearer;

const SESSION_HEADER: &str = "mcp-session-id";

/// A keyed hash of a request's token; `None` without one.
type Owner = Option<u64>;

/// The gate in front of the session-mode service.
pub(super) struct SessionGate {
    manager: Arc<LocalSessionManager>,
    max: usize,
    key: RandomState,
    owners: Mutex<HashMap<String, Owner>>,
    opening: tokio::sync::Mutex<()>,
}

impl SessionGate {
    pub(super) fn new(manager: Arc<LocalSessionManager>, max: usize) -> Self {
        Self {
            manager,
            max,
            key: RandomState::new(),
            owners: Mutex::default(),
            opening: tokio::sync::Mutex::new(()),
        }
    }

    fn owner(&self, headers: &http::HeaderMap) -> Owner {
        bearer(headers).map(|t| self.key.hash_one(t.as_str()))
    }

    fn owner_of(&self, id: &str) -> Option<Owner> {
        self.owners.lock().ok().and_then(|m| m.get(id).copied())
    }

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

fn jsonrpc_error(status: StatusCode, message: String) -> Response {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": null,
        "error": {"code": -32000, "message": message}});
    (status, axum::Json(body)).into_response()
}

pub(super) async fn gate(
    State(gate): State<Arc<SessionGate>>,
    req: Request,
    next: Next,
) -> Response {
    let owner = gate.owner(req.headers());
    if let Some(id) = req
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        if gate.owner_of(id).is_some_and(|o| o != owner) {
            return jsonrpc_error(
                StatusCode::FORBIDDEN,
                "Forbidden: this session was opened with another token; open your own session"
                    .into(),
            );
        }
        return next.run(req).await;
    }
    if req.method() != http::Method::POST {
        return next.run(req).await;
    }
    let _one_at_a_time = gate.opening.lock().await;
    if gate.manager.sessions.read().await.len() >= gate.max {
        let mut resp = jsonrpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "Service Unavailable: the server has {} open MCP sessions, its limit; close one (DELETE /mcp) or retry later",
                gate.max
            ),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return resp;
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
