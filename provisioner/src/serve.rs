//! `provisioner serve`: orders over HTTP with a bounded worker pool.
//!
//! - `POST /tenants {"username","guid"}` → 202; provisioning runs in the background. The
//!   preflight (username collisions, another order's guid, a Gitea user or namespace we
//!   did not create) runs first: 422 or 409 naming the field, nothing created.
//! - `GET /tenants/{username}` → the tenant's last operation: state, error, report.
//! - `DELETE /tenants/{username}?guid=…` → 202; destroy runs in the background. A guid
//!   that is not the tenant's answers 409 and nothing is deleted.
//!
//! Every route but `/healthz` requires `Authorization: Bearer <token>` when a token is
//! configured ([`ApiToken`]; 401 JSON otherwise); [`run`] refuses to listen on anything but
//! a loopback address without one.
//!
//! At most `workers` operations run at once (a semaphore); one tenant has at most one
//! operation in flight (a second order for it answers 409). `GET /stats` reports the pool:
//! workers, operations running now and the most ever running at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{Mutex, Semaphore};

use crate::error::{Error, Result};
use crate::journal::Report;
use crate::provisioner::Provisioner;
use crate::tenant::Tenant;

/// Where a tenant's last operation stands.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for a worker.
    Queued,
    /// Provision running.
    Provisioning,
    /// Provisioned.
    Ready,
    /// Destroy running.
    Destroying,
    /// Destroyed.
    Destroyed,
    /// The last operation failed (see `error`).
    Failed,
}

/// A tenant's last operation.
#[derive(Debug, Clone, Serialize)]
pub struct TenantStatus {
    /// The tenant.
    pub tenant: Tenant,
    /// Phase.
    pub phase: Phase,
    /// Why it failed.
    pub error: Option<String>,
    /// Steps of the finished operation.
    pub report: Option<Report>,
}

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    provisioner: Provisioner,
    token: Option<Arc<ApiToken>>,
    workers: Arc<Semaphore>,
    size: usize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    tenants: Arc<Mutex<HashMap<String, TenantStatus>>>,
}

impl AppState {
    /// A server state running at most `workers` operations at once.
    pub fn new(provisioner: Provisioner, workers: usize) -> Self {
        AppState {
            provisioner,
            token: None,
            workers: Arc::new(Semaphore::new(workers.max(1))),
            size: workers.max(1),
            running: Arc::default(),
            peak: Arc::default(),
            tenants: Arc::default(),
        }
    }
}

impl AppState {
    /// Requires `token` as a bearer token on every route but `/healthz`.
    pub fn with_token(mut self, token: ApiToken) -> Self {
        self.token = Some(Arc::new(token));
        self
    }
}

/// The bearer token callers of the API must present (compared in constant time; a
/// [`Secret`](crate::config::Secret), so it never prints).
#[derive(Debug)]
pub struct ApiToken(crate::config::Secret);

impl ApiToken {
    /// A token; shorter than 16 characters is refused (guessable).
    pub fn new(token: &str) -> Result<Self> {
        let token = token.trim();
        if token.len() < 16 {
            return Err(Error::invalid(
                "PROVISIONER_API_TOKEN",
                "must be at least 16 characters",
            ));
        }
        Ok(ApiToken(crate::config::Secret::new(token)))
    }

    /// Whether `presented` is the token: every byte is compared whatever the first
    /// difference, so the time taken does not tell how much of a guess was right.
    pub fn matches(&self, presented: &[u8]) -> bool {
        let want = self.0.expose().as_bytes();
        let mut diff = u8::from(presented.len() != want.len());
        for (i, want) in want.iter().enumerate() {
            diff |= want ^ presented.get(i).copied().unwrap_or(0);
        }
        diff == 0
    }
}

/// The HTTP API.
pub fn router(state: AppState) -> Router {
    let guarded = Router::new()
        .route("/tenants", post(order))
        .route("/tenants/{username}", get(show).delete(remove))
        .route("/stats", get(stats))
        .route_layer(axum::middleware::from_fn_with_state(
            state.token.clone(),
            require_token,
        ));
    guarded
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// 401 unless the request carries the configured bearer token (shared with the Tenant
/// front, `front.rs`).
pub(crate) async fn require_token(
    State(token): State<Option<Arc<ApiToken>>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(token) = &token else {
        return next.run(request).await;
    };
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(p) if token.matches(p.as_bytes()) => next.run(request).await,
        Some(_) => problem(StatusCode::UNAUTHORIZED, "invalid bearer token"),
        None => problem(
            StatusCode::UNAUTHORIZED,
            "missing bearer token (Authorization: Bearer …)",
        ),
    }
}

/// Serves until Ctrl-C. Without a token only a loopback address is accepted.
pub async fn run(
    p: Provisioner,
    listen: &str,
    workers: usize,
    token: Option<ApiToken>,
) -> Result<()> {
    check_listen(listen, token.is_some())?;
    let mut state = AppState::new(p, workers);
    match token {
        Some(t) => state = state.with_token(t),
        None => tracing::warn!(listen, "serving WITHOUT authentication (loopback only)"),
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })?;
    tracing::info!(listen, workers, "serving tenant orders");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(serve_common::shutdown_signal())
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })
}

/// Refuses a non-loopback listen address without a token (any host name but
/// `localhost` counts as non-loopback).
pub fn check_listen(listen: &str, has_token: bool) -> Result<()> {
    if has_token {
        return Ok(());
    }
    let loopback = match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => listen
            .rsplit_once(':')
            .is_some_and(|(host, _)| host == "localhost"),
    };
    if loopback {
        Ok(())
    } else {
        Err(Error::invalid(
            "PROVISIONER_API_TOKEN",
            format!("required to listen on {listen} (only loopback may go without a token)"),
        ))
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Order {
    pub(crate) username: String,
    pub(crate) guid: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct GuidQuery {
    pub(crate) guid: Option<String>,
}

pub(crate) fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// An error of the preflight or guid check as an answer: 422 for input that can never
/// work, 409 for a conflict with someone else's object, 502 for anything else.
pub(crate) fn refusal(e: &Error) -> Response {
    let (status, field) = match e {
        Error::Invalid { field, .. } => (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
        Error::Conflict { field, .. } => (StatusCode::CONFLICT, Some(field)),
        _ => (StatusCode::BAD_GATEWAY, None),
    };
    let field = field.map(|f| f.trim_start_matches('-').to_string());
    (
        status,
        Json(json!({ "error": e.to_string(), "field": field })),
    )
        .into_response()
}

async fn order(State(s): State<AppState>, body: Option<Json<Order>>) -> Response {
    let Some(Json(o)) = body else {
        return problem(
            StatusCode::BAD_REQUEST,
            "body must be JSON {\"username\", \"guid\"}",
        );
    };
    let t = match Tenant::new(&o.username, &o.guid) {
        Ok(t) => t,
        Err(e) => return refusal(&e),
    };
    if busy(&s, &t).await {
        return in_flight(&t);
    }
    match s.provisioner.preflight(&t).await {
        Ok(()) => start(s, t, true).await,
        Err(e) => refusal(&e),
    }
}

async fn busy(s: &AppState, t: &Tenant) -> bool {
    s.tenants.lock().await.get(&t.username).is_some_and(|t| {
        matches!(
            t.phase,
            Phase::Queued | Phase::Provisioning | Phase::Destroying
        )
    })
}

fn in_flight(t: &Tenant) -> Response {
    problem(
        StatusCode::CONFLICT,
        format!("{} has an operation in flight", t.username),
    )
}

async fn remove(
    State(s): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<GuidQuery>,
) -> Response {
    let known = s
        .tenants
        .lock()
        .await
        .get(&username)
        .map(|t| t.tenant.guid.clone());
    let Some(guid) = q.guid.or(known) else {
        return problem(StatusCode::BAD_REQUEST, "unknown tenant: pass ?guid=");
    };
    let t = match Tenant::new(&username, &guid) {
        Ok(t) => t,
        Err(e) => return refusal(&e),
    };
    if busy(&s, &t).await {
        return in_flight(&t);
    }
    match s.provisioner.check_guid(&t).await {
        Ok(_) => start(s, t, false).await,
        Err(e) => refusal(&e),
    }
}

async fn stats(State(s): State<AppState>) -> Response {
    Json(
        json!({ "workers": s.size, "running": s.running.load(Ordering::SeqCst),
        "peak": s.peak.load(Ordering::SeqCst) }),
    )
    .into_response()
}

async fn show(State(s): State<AppState>, Path(username): Path<String>) -> Response {
    match s.tenants.lock().await.get(&username) {
        Some(status) => Json(status.clone()).into_response(),
        None => problem(StatusCode::NOT_FOUND, format!("no order for {username}")),
    }
}

/// Records the order and runs it on a worker; 409 while the tenant is busy.
async fn start(s: AppState, tenant: Tenant, provision: bool) -> Response {
    {
        let mut tenants = s.tenants.lock().await;
        let busy = tenants.get(&tenant.username).is_some_and(|t| {
            matches!(
                t.phase,
                Phase::Queued | Phase::Provisioning | Phase::Destroying
            )
        });
        if busy {
            return in_flight(&tenant);
        }
        let status = TenantStatus {
            tenant: tenant.clone(),
            phase: Phase::Queued,
            error: None,
            report: None,
        };
        tenants.insert(tenant.username.clone(), status);
    }
    let worker = s.clone();
    let t = tenant.clone();
    tokio::spawn(async move {
        let Ok(_permit) = worker.workers.acquire().await else {
            return;
        };
        let now = worker.running.fetch_add(1, Ordering::SeqCst) + 1;
        worker.peak.fetch_max(now, Ordering::SeqCst);
        set(
            &worker,
            &t,
            if provision {
                Phase::Provisioning
            } else {
                Phase::Destroying
            },
            None,
            None,
        )
        .await;
        let result = if provision {
            worker.provisioner.provision(&t).await
        } else {
            worker.provisioner.destroy(&t).await
        };
        // Counted down before the phase changes, so a client seeing the end sees it too.
        worker.running.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(report) => {
                let phase = if provision {
                    Phase::Ready
                } else {
                    Phase::Destroyed
                };
                set(&worker, &t, phase, None, Some(report)).await;
            }
            Err(e) => set(&worker, &t, Phase::Failed, Some(e.to_string()), None).await,
        }
    });
    (
        StatusCode::ACCEPTED,
        Json(json!({ "username": tenant.username, "phase": "queued" })),
    )
        .into_response()
}

async fn set(
    s: &AppState,
    t: &Tenant,
    phase: Phase,
    error: Option<String>,
    report: Option<Report>,
) {
    let status = TenantStatus {
        tenant: t.clone(),
        phase,
        error,
        report,
    };
    s.tenants.lock().await.insert(t.username.clone(), status);
}
