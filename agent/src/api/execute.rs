//! Running an admitted report: while the caller waits, or in the background with the
//! result kept in the run store for `GET /runs/{id}`.
//!
//! At most `max_concurrent_runs` runs execute at once (one permit each). A run that panics
//! is caught and answered (or recorded) as 500 `internal`, so an asynchronous run always
//! reaches a final state.

use std::panic::AssertUnwindSafe;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use serde_json::{Value, json};
use tracing::Instrument;

use super::AppState;
use super::admission::{Admission, Admitted};
use super::error::ApiError;
use super::report::ValidReport;
use crate::agent_loop::RunOutcome;
use crate::report::FailureReport;

/// Runs `admitted` the way it was admitted and answers.
pub(crate) async fn respond(state: AppState, admitted: Admitted) -> Response {
    let Admitted { run, mode } = admitted;
    match mode {
        Admission::Async => start_async(state, run),
        Admission::Sync(ticket) => {
            let (status, body) = execute(&state, &run.report, &run.run_id)
                .instrument(run.span)
                .await;
            drop(ticket);
            (status, axum::Json(body)).into_response()
        }
    }
}

/// Records the run, runs it in the background and answers 202 with its status URL.
fn start_async(state: AppState, run: ValidReport) -> Response {
    let ValidReport {
        run_id,
        report,
        span,
    } = run;
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
