//! Extractors of a report request: [`RunMode`] (asynchronous or not, from the query or the
//! `Prefer` header) and [`ValidReport`] (the body validated into a [`FailureReport`], with
//! its run id and `run` span).
//!
//! A report that is not valid never becomes a run: its rejection is the API's error
//! shape (413 `body_too_large`, 422 `invalid_body` or `invalid_request` naming the field),
//! still with a run id so a caller can quote it.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;

use super::error::{ApiError, WithRunId};
use crate::report::FailureReport;

/// How the caller wants the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunMode {
    /// Hold the connection until the run ends (the default).
    Sync,
    /// `?async=true` (or `1`, `yes`), or a `Prefer: respond-async` header: 202 at once.
    Async,
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    #[serde(default, rename = "async")]
    run_async: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for RunMode {
    /// A query string that does not parse is answered as axum answers it (400).
    type Rejection = axum::extract::rejection::QueryRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(query) = Query::<ReportQuery>::from_request_parts(parts, state).await?;
        let by_query = query
            .run_async
            .as_deref()
            .is_some_and(|v| matches!(v, "true" | "1" | "yes"));
        let by_header = parts
            .headers
            .get(header::HeaderName::from_static("prefer"))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("respond-async"));
        Ok(if by_query || by_header {
            Self::Async
        } else {
            Self::Sync
        })
    }
}

/// A report that passed validation, ready to run.
pub(crate) struct ValidReport {
    /// The agent's id of this run (a fresh UUID, never the caller's).
    pub(crate) run_id: String,
    pub(crate) report: FailureReport,
    /// The `run` span every line of this run is logged in.
    pub(crate) span: tracing::Span,
}

impl<S: Send + Sync> FromRequest<S> for ValidReport {
    type Rejection = WithRunId;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let run_id = uuid::Uuid::new_v4().to_string();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::from_rejection(rejection).with_run_id(&run_id))?;
        let report = FailureReport::from_slice(&body)
            .map_err(|e| ApiError::Validation(e).with_run_id(&run_id))?;
        let span = tracing::info_span!("run", run_id = %run_id);
        received(&span, &report);
        Ok(Self {
            run_id,
            report,
            span,
        })
    }
}

impl ValidReport {
    /// `error` for this run, logged in its span as the response it becomes.
    pub(crate) fn refuse(&self, error: ApiError, why: &str) -> WithRunId {
        self.span
            .in_scope(|| tracing::warn!("📤 Sending response: error ({why})"));
        error.with_run_id(&self.run_id)
    }
}

/// The lines the lab guide points at when a report arrives.
fn received(span: &tracing::Span, report: &FailureReport) {
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
}
