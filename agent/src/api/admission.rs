//! [`Admitted`]: the extractor that lets a valid report in, or answers for the agent.
//!
//! In order: the run mode ([`RunMode`]), the body ([`ValidReport`]), the queue bound
//! (a synchronous caller holds its connection while it waits, so at most
//! `max_queued_reports` may wait; one more gets 503 `overloaded` with `Retry-After` at once),
//! then the readiness wait (an MCP session that is reconnecting right now gets
//! [`READY_GRACE`] before 503 `not_ready`). The order is the wire contract: a bad body is
//! 422 whatever the load, an overloaded agent answers before it waits for readiness.

use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use tokio::sync::OwnedSemaphorePermit;

use super::AppState;
use super::error::ApiError;
use super::report::{RunMode, ValidReport};

/// How long a report waits for MCP sessions that are (re)connecting before it gets 503.
pub(crate) const READY_GRACE: Duration = Duration::from_secs(2);

/// A report let in to run.
pub(crate) struct Admitted {
    pub(crate) run: ValidReport,
    pub(crate) mode: Admission,
}

/// How an admitted report runs.
pub(crate) enum Admission {
    /// In the background; bounded by the run store, not by the queue.
    Async,
    /// While the caller waits, holding one place of the queue until it is answered.
    Sync(OwnedSemaphorePermit),
}

impl FromRequest<AppState> for Admitted {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let mode = RunMode::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let run = ValidReport::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let mode = match mode {
            RunMode::Async => Admission::Async,
            RunMode::Sync => match state.admission.clone().try_acquire_owned() {
                Ok(ticket) => Admission::Sync(ticket),
                Err(_) => {
                    let error = run.refuse(state.overloaded(), "overloaded");
                    return Err(error.into_response());
                }
            },
        };
        if !state.agent.registry().wait_ready(READY_GRACE).await {
            let error = run.refuse(ApiError::NotReady, "not ready");
            return Err(error.into_response());
        }
        Ok(Self { run, mode })
    }
}
