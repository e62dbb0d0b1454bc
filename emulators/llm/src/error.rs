//! Errors: loading scripts, and the LiteLLM-shaped error responses the emulator sends
//! (`{"error":{"message","type","param","code"}}`, `code` being the status as a string).

use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A script file or text that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The file could not be read.
    #[error("cannot read script {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not YAML.
    #[error("script is not valid YAML: {0}")]
    Yaml(String),
    /// The data does not have the shape of a script.
    #[error("invalid script: {0}")]
    Shape(String),
}

/// An error answered the way the LiteLLM proxy answers it.
#[derive(Debug, Clone)]
pub struct LiteLlmError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// `error.type`.
    pub error_type: String,
    /// `error.param`.
    pub param: Option<String>,
    /// A `retry-after` header, in seconds.
    pub retry_after_secs: Option<u64>,
}

impl LiteLlmError {
    /// An error with `status`, `type` and `message`.
    pub fn new(status: StatusCode, error_type: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            error_type: error_type.into(),
            param: None,
            retry_after_secs: None,
        }
    }

    /// 401 `auth_error`.
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "auth_error", message)
    }

    /// 400 `invalid_request_error`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// LiteLLM's budget error (`type: budget_exceeded`), status 400 unless given.
    pub fn budget_exceeded(status: Option<u16>, spend: f64, max_budget: f64) -> Self {
        Self::new(
            status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::BAD_REQUEST),
            "budget_exceeded",
            format!("Budget has been exceeded! Current cost: {spend}, Max budget: {max_budget}"),
        )
    }

    /// Sets `error.param`.
    pub fn param(mut self, param: &str) -> Self {
        self.param = Some(param.into());
        self
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.status.as_u16().to_string(),
            }
        })
    }
}

impl IntoResponse for LiteLlmError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
