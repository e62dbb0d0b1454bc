//! The HTTP API: `/report-failure` (sync and async), `/runs/{id}`, `/health`, `/readyz`,
//! `/metrics`, `/openapi.json`.
//!
//! Handlers are thin: validate, run the agent inside a span carrying the run id, map the
//! outcome to a status. Failures are real statuses with a JSON body naming the kind
//! (422 invalid input, 502 upstream failure, 503 not ready or overloaded, 504 deadline,
//! 500 when a run panicked).
//!
//! Load is bounded: at most `max_concurrent_runs` runs execute; at most
//! `max_queued_reports` synchronous reports wait for a slot, and one more gets 503
//! `overloaded` with a `Retry-After` header at once (asynchronous runs are bounded by the
//! run store). A run that panics is caught and answered (or recorded for `/runs/{id}`) as
//! 500 `internal`, so an asynchronous run always reaches a final state.

mod error;
mod openapi;
mod runs;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use futures::FutureExt;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tracing::Instrument;

pub use self::error::ApiError;
use self::runs::RunStore;
use crate::agent_loop::{Agent, RunOutcome};
use crate::error::RunError;
use crate::report::FailureReport;

/// How long a report waits for MCP sessions that are (re)connecting before it gets 503.
const READY_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

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
        // Limit bodies before they are buffered; the handler turns the rejection into 413 JSON.
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    #[serde(default, rename = "async")]
    run_async: Option<String>,
}

async fn report_failure(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let run_id = uuid::Uuid::new_v4().to_string();
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            return ApiError::from_rejection(rejection)
                .with_run_id(&run_id)
                .into_response();
        }
    };
    let report = match FailureReport::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return ApiError::Validation(e).with_run_id(&run_id).into_response(),
    };
    let span = tracing::info_span!("run", run_id = %run_id);
    let container = report
        .container_name
        .as_deref()
        .unwrap_or("(not specified)");
    span.in_scope(|| {
        tracing::info!(namespace = %report.namespace, pod = %report.pod_name, container, "📥 Received failure report");
        tracing::info!("   Namespace: {}", report.namespace);
        tracing::info!("   Pod: {}", report.pod_name);
        tracing::info!("   Container: {container}");
    });
    let run_async = wants_async(&query, &headers);
    // A synchronous caller holds its connection while it waits: only so many may wait
    // (asynchronous runs are bounded by the run store).
    let admitted = if run_async {
        None
    } else {
        let Ok(ticket) = state.admission.clone().try_acquire_owned() else {
            span.in_scope(|| tracing::warn!("📤 Sending response: error (overloaded)"));
            return state.overloaded().with_run_id(&run_id).into_response();
        };
        Some(ticket)
    };
    // A session that is reconnecting right now gets a short grace period before 503.
    if !state.agent.registry().wait_ready(READY_GRACE).await {
        span.in_scope(|| tracing::warn!("📤 Sending response: error (not ready)"));
        return ApiError::NotReady.with_run_id(&run_id).into_response();
    }
    if run_async {
        return start_async(state, report, run_id, span);
    }
    let (status, body) = execute(&state, &report, &run_id).instrument(span).await;
    drop(admitted);
    (status, axum::Json(body)).into_response()
}

/// `?async=true` (or `1`, `yes`), or a `Prefer: respond-async` header.
fn wants_async(query: &ReportQuery, headers: &HeaderMap) -> bool {
    query
        .run_async
        .as_deref()
        .is_some_and(|v| matches!(v, "true" | "1" | "yes"))
        || headers
            .get(header::HeaderName::from_static("prefer"))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("respond-async"))
}

/// Records the run, runs it in the background and answers 202 with its status URL.
fn start_async(
    state: AppState,
    report: FailureReport,
    run_id: String,
    span: tracing::Span,
) -> Response {
    if !state.runs.start(&run_id) {
        return state.overloaded().with_run_id(&run_id).into_response();
    }
    let id = run_id.clone();
    tokio::spawn(
        async move {
            let (status, body) = execute(&state, &report, &id).await;
            state.runs.finish(&id, status, body);
        }
        .instrument(span),
    );
    let location = format!("/runs/{run_id}");
    let body = json!({"status": "accepted", "run_id": run_id, "status_url": location});
    (
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}

/// Runs the agent for one report under the concurrency limit; returns status and body.
/// A panic inside the run is answered as 500 `internal` (and logged), never lost.
async fn execute(state: &AppState, report: &FailureReport, run_id: &str) -> (StatusCode, Value) {
    let Ok(_permit) = state.permits.acquire().await else {
        return ApiError::NotReady.with_run_id(run_id).parts();
    };
    let result = match AssertUnwindSafe(state.agent.run(report))
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(_) => {
            tracing::error!("📤 the run panicked; answered as an internal error");
            return ApiError::Internal.with_run_id(run_id).parts();
        }
    };
    let (status, body) = match result {
        Ok(outcome) => (StatusCode::OK, success_body(&outcome, run_id)),
        Err(error) => ApiError::Run(error).with_run_id(run_id).parts(),
    };
    let word = if status.is_success() {
        "success"
    } else {
        "error"
    };
    tracing::info!(status = status.as_u16(), "📤 Sending response: {word}");
    (status, body)
}

fn success_body(outcome: &RunOutcome, run_id: &str) -> Value {
    json!({
        "status": "success",
        "result": outcome.result,
        "issue_url": outcome.issue_url,
        "issue_number": outcome.issue_number,
        "analysis": outcome.analysis,
        "iterations": outcome.iterations,
        "fallback": outcome.fallback,
        "run_id": run_id,
    })
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
