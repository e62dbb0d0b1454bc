//! The HTTP API: `/report-failure` (sync and async), `/runs/{id}`, `/health`, `/readyz`,
//! `/metrics`, `/openapi.json`.
//!
//! Handlers are thin: typed extractors, one call, a typed response. The pieces around them
//! each live in one module: [`request_id`] (the layer giving every request an id, a span and
//! an `x-request-id` header), `report` (the run mode and the body validated into a report
//! with its run id and span), `admission` (the queue bound and the readiness wait), `execute`
//! (the run itself, sync or in the background), `error` (every failure as a status plus a
//! JSON body naming the kind: 422 invalid input, 502 upstream failure, 503 not ready or
//! overloaded, 504 deadline, 500 when a run panicked).
//!
//! Load is bounded: at most `max_concurrent_runs` runs execute; at most
//! `max_queued_reports` synchronous reports wait for a slot, and one more gets 503
//! `overloaded` with a `Retry-After` header at once (asynchronous runs are bounded by the
//! run store).

mod admission;
mod error;
mod execute;
mod openapi;
mod report;
pub mod request_id;
mod runs;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::sync::Semaphore;

use self::admission::Admitted;
pub use self::error::ApiError;
use self::runs::RunStore;
use crate::agent_loop::Agent;
use crate::error::RunError;

/// How much work the API takes on at once.
#[derive(Clone, Copy, Debug)]
pub struct RunLimits {
    /// Runs executing at the same time.
    pub max_concurrent_runs: usize,
    /// Synchronous reports that may wait for a run slot (beyond the executing ones).
    pub max_queued_reports: usize,
    /// The `Retry-After` sent with 503 `overloaded`.
    pub retry_after: Duration,
}

impl From<&crate::config::Config> for RunLimits {
    fn from(c: &crate::config::Config) -> Self {
        Self {
            max_concurrent_runs: c.max_concurrent_runs,
            max_queued_reports: c.max_queued_reports,
            retry_after: c.overloaded_retry_after,
        }
    }
}

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    agent: Arc<Agent>,
    runs: Arc<RunStore>,
    /// Run slots: one permit per executing run.
    permits: Arc<Semaphore>,
    /// Synchronous reports admitted (executing or waiting for a slot).
    admission: Arc<Semaphore>,
    retry_after: Duration,
}

impl AppState {
    /// State over an agent, bounded by `limits`.
    pub fn new(agent: Arc<Agent>, limits: RunLimits) -> Self {
        let slots = limits.max_concurrent_runs.max(1);
        Self {
            agent,
            runs: Arc::new(RunStore::new(1000)),
            permits: Arc::new(Semaphore::new(slots)),
            admission: Arc::new(Semaphore::new(
                slots.saturating_add(limits.max_queued_reports),
            )),
            retry_after: limits.retry_after,
        }
    }

    fn overloaded(&self) -> ApiError {
        ApiError::Overloaded {
            retry_after: self.retry_after,
        }
    }
}

/// The API router with a request body limit of `body_limit` bytes.
pub fn router(state: AppState, body_limit: usize) -> Router {
    Router::new()
        .route("/report-failure", post(report_failure))
        .route("/runs/{id}", get(get_run))
        .route(
            "/health",
            get(|| async { axum::Json(json!({"status": "healthy"})) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::document()) }),
        )
        // Limit bodies before they are buffered; the report extractor turns the rejection
        // into 413 JSON.
        .layer(DefaultBodyLimit::max(body_limit))
        // Outermost: every request, answered or refused, has an id, a span and the header.
        .layer(axum::middleware::from_fn(request_id::trace))
        .with_state(state)
}

/// `POST /report-failure`: a valid, admitted report runs; everything else was answered by
/// the extractor.
async fn report_failure(State(state): State<AppState>, admitted: Admitted) -> Response {
    execute::respond(state, admitted).await
}

async fn get_run(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.runs.get(&id) {
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"status": "error",
            "error": {"kind": "not_found", "message": format!("no run {id}")}})),
        )
            .into_response(),
        Some(runs::RunState::Running) => {
            axum::Json(json!({"status": "running", "run_id": id})).into_response()
        }
        Some(runs::RunState::Done { status, body }) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (code, axum::Json(body)).into_response()
        }
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    let registry = state.agent.registry();
    let servers = registry.status();
    let tools = registry.tools().len();
    let ready = registry.is_ready() && tools > 0;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if ready { "ready" } else { "not_ready" };
    (
        status,
        axum::Json(json!({"status": word, "tools": tools, "servers": servers})),
    )
        .into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let metrics = state.agent.metrics();
    for s in state.agent.registry().status() {
        metrics.mcp_status(&s.name, s.connected, s.reconnects);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response()
}

/// The HTTP status of a run error.
pub fn status_of(error: &RunError) -> StatusCode {
    match error {
        RunError::Deadline(_) => StatusCode::GATEWAY_TIMEOUT,
        RunError::NoTools | RunError::NoIssueTool => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    }
}
