//! `provisioner serve`: orders over HTTP with a bounded worker pool.
//!
//! - `POST /tenants {"username","guid"}` → 202; provisioning runs in the background.
//! - `GET /tenants/{username}` → the tenant's last operation: state, error, report.
//! - `DELETE /tenants/{username}?guid=…` → 202; destroy runs in the background.
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
use crate::plan::{Provisioner, Report};
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
            workers: Arc::new(Semaphore::new(workers.max(1))),
            size: workers.max(1),
            running: Arc::default(),
            peak: Arc::default(),
            tenants: Arc::default(),
        }
    }
}

/// The HTTP API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/tenants", post(order))
        .route("/tenants/{username}", get(show).delete(remove))
        .route("/stats", get(stats))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// Serves until Ctrl-C.
pub async fn run(p: Provisioner, listen: &str, workers: usize) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })?;
    tracing::info!(listen, workers, "serving tenant orders");
    axum::serve(listener, router(AppState::new(p, workers)))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|source| Error::Listen {
            addr: listen.to_string(),
            source,
        })
}

#[derive(Debug, Deserialize)]
struct Order {
    username: String,
    guid: String,
}

#[derive(Debug, Deserialize)]
struct GuidQuery {
    guid: Option<String>,
}

fn problem(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

async fn order(State(s): State<AppState>, body: Option<Json<Order>>) -> Response {
    let Some(Json(o)) = body else {
        return problem(
            StatusCode::BAD_REQUEST,
            "body must be JSON {\"username\", \"guid\"}",
        );
    };
    match Tenant::new(&o.username, &o.guid) {
        Ok(t) => start(s, t, true).await,
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    }
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
    match Tenant::new(&username, &guid) {
        Ok(t) => start(s, t, false).await,
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
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
            return problem(
                StatusCode::CONFLICT,
                format!("{} has an operation in flight", tenant.username),
            );
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
