//! `ApiError`: every failure of the API as a status plus a JSON body
//! `{"status":"error","error":{"kind","message"[,"field"]},"run_id"}`.

use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::RunError;
use crate::report::ValidationError;

/// An API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request body is invalid (422), naming the field.
    #[error("{0}")]
    Validation(ValidationError),
    /// The body could not be read (413 when too large).
    #[error("{message}")]
    Body {
        /// Status from the rejection.
        status: StatusCode,
        /// Why.
        message: String,
    },
    /// The agent has no usable MCP sessions yet (503).
    #[error("the agent is not ready: MCP servers are not connected yet")]
    NotReady,
    /// Too many reports are running or waiting (503, with `Retry-After`).
    #[error("too many reports in progress; retry after {} s", retry_after.as_secs())]
    Overloaded {
        /// Sent as the `Retry-After` header.
        retry_after: std::time::Duration,
    },
    /// The run panicked (500); the details are logged, not sent.
    #[error("the run failed unexpectedly")]
    Internal,
    /// The run failed (502, 503 or 504).
    #[error("{0}")]
    Run(RunError),
}

/// An [`ApiError`] with the run id it belongs to.
pub struct WithRunId {
    error: ApiError,
    run_id: String,
}

impl ApiError {
    pub(crate) fn from_rejection(rejection: BytesRejection) -> Self {
        Self::Body {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }

    /// Attaches the run id for the body.
    pub fn with_run_id(self, run_id: &str) -> WithRunId {
        WithRunId {
            error: self,
            run_id: run_id.to_string(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Body { status, .. } => *status,
            Self::NotReady | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Run(e) => super::status_of(e),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Validation(_) => "invalid_request",
            Self::Body { status, .. } if *status == StatusCode::PAYLOAD_TOO_LARGE => {
                "body_too_large"
            }
            Self::Body { .. } => "invalid_body",
            Self::NotReady => "not_ready",
            Self::Overloaded { .. } => "overloaded",
            Self::Internal => "internal",
            Self::Run(e) => e.kind(),
        }
    }
}

impl WithRunId {
    /// Status and JSON body.
    pub fn parts(self) -> (StatusCode, Value) {
        let mut error = json!({"kind": self.error.kind(), "message": self.error.to_string()});
        if let ApiError::Validation(v) = &self.error {
            error["field"] = v.field.clone().into();
            error["message"] = format!("{}: {}", v.field, v.reason).into();
        }
        (
            self.error.status(),
            json!({"status": "error", "error": error, "run_id": self.run_id}),
        )
    }
}

impl IntoResponse for WithRunId {
    fn into_response(self) -> Response {
        let retry_after = match &self.error {
            ApiError::Overloaded { retry_after } => Some(retry_after.as_secs().max(1)),
            _ => None,
        };
        let (status, body) = self.parts();
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
