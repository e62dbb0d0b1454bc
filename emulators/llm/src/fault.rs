//! Failures a script can inject instead of an answer: the HTTP errors, timeouts and
//! broken bodies an agent meets behind a LiteLLM proxy.

use axum::http::StatusCode;
use serde::Deserialize;

use super::error::LiteLlmError;

/// A failure to inject instead of an answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// 429 with a `retry-after` header and LiteLLM's rate-limit error body.
    RateLimited {
        /// The `retry-after` value in seconds.
        retry_after_secs: u64,
    },
    /// An HTTP error status (500, 502, 503, …) with a LiteLLM error body.
    Status {
        /// The status code.
        status: u16,
        /// The error message; a generic one when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// LiteLLM's budget error: type `budget_exceeded`, status 400 unless given
    /// (some LiteLLM paths use 429, team/organisation budgets 402).
    BudgetExceeded {
        /// The status code (default 400).
        #[serde(default)]
        status: Option<u16>,
    },
    /// A LiteLLM error body with every field chosen.
    LiteLlmError {
        /// The status code.
        status: u16,
        /// `error.message`.
        message: String,
        /// `error.type`.
        #[serde(rename = "type")]
        error_type: String,
        /// `error.param` (`null` when absent).
        #[serde(default)]
        param: Option<String>,
    },
    /// Waits `after_ms`, then answers 408 "Request timed out" (a backend timeout).
    Timeout {
        /// How long to wait first.
        after_ms: u64,
    },
    /// A 200 whose body is not valid JSON.
    MalformedJson,
    /// A 200 completion with `choices: []`.
    EmptyChoices,
    /// Any status, content type and body, verbatim.
    Raw {
        /// The status code.
        status: u16,
        /// The body.
        body: String,
        /// The content type (default `application/json`).
        #[serde(default)]
        content_type: Option<String>,
    },
}

impl Fault {
    /// The LiteLLM error body this fault answers with; `None` for the faults that send
    /// a broken or raw body instead.
    pub(crate) fn as_error(&self, model: &str) -> Option<LiteLlmError> {
        let status_or_500 =
            |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let error = match self {
            Self::RateLimited { retry_after_secs } => LiteLlmError {
                retry_after_secs: Some(*retry_after_secs),
                ..LiteLlmError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "throttling_error",
                    format!(
                        "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for model {model}. Please try again in {retry_after_secs}s."
                    ),
                )
            },
            Self::Status { status, message } => {
                let default = match status {
                    502 => "litellm.BadGatewayError: upstream returned a bad gateway",
                    503 => "litellm.ServiceUnavailableError: upstream unavailable",
                    _ => "litellm.InternalServerError: upstream error",
                };
                let message = message.clone().unwrap_or_else(|| default.to_string());
                LiteLlmError::new(status_or_500(*status), "api_error", message)
            }
            Self::BudgetExceeded { status } => LiteLlmError::budget_exceeded(*status, 1.0, 1.0),
            Self::LiteLlmError {
                status,
                message,
                error_type,
                param,
            } => LiteLlmError {
                param: param.clone(),
                ..LiteLlmError::new(status_or_500(*status), error_type, message.clone())
            },
            Self::Timeout { after_ms } => LiteLlmError::new(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("litellm.Timeout: Request timed out after {after_ms} ms"),
            ),
            Self::MalformedJson | Self::EmptyChoices | Self::Raw { .. } => return None,
        };
        Some(error)
    }
}
