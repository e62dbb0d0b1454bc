//! The emulator's errors as Keycloak answers them: the admin API's
//! `{"errorMessage": …}` / `{"error": …}` bodies and the token endpoint's OAuth
//! `{"error", "error_description"}`, each with its status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum KeycloakError {
    /// Missing, malformed, foreign or expired bearer token (401).
    #[error("HTTP 401 Unauthorized")]
    Unauthorized,
    /// A valid token that may not use the admin API (403).
    #[error("HTTP 403 Forbidden")]
    Forbidden,
    /// Unknown realm (404).
    #[error("Realm not found.")]
    RealmNotFound,
    /// Unknown user (404).
    #[error("User not found")]
    UserNotFound,
    /// A username or email already taken (409).
    #[error("User exists with same {0}")]
    Conflict(&'static str),
    /// A request body field that is missing or wrong (400), named.
    #[error("{message}")]
    BadField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A request body above the limit (413).
    #[error("request body too large")]
    TooLarge,
    /// An OAuth error of the token endpoint.
    #[error("{error}: {description}")]
    OAuth {
        /// Status (400 or 401).
        status: StatusCode,
        /// `invalid_grant`, `invalid_client`, `unsupported_grant_type`, `invalid_request`.
        error: &'static str,
        /// `error_description`.
        description: String,
    },
}

impl KeycloakError {
    /// A 400 naming `field`.
    pub(crate) fn field(field: &'static str, message: impl Into<String>) -> Self {
        KeycloakError::BadField {
            field,
            message: message.into(),
        }
    }

    /// A rejected JSON body: 413 when too large, else a 400 naming `body`.
    pub(crate) fn body(e: axum::extract::rejection::JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            KeycloakError::TooLarge
        } else {
            KeycloakError::field("body", e.body_text())
        }
    }

    /// An OAuth error.
    pub(crate) fn oauth(status: StatusCode, error: &'static str, description: &str) -> Self {
        KeycloakError::OAuth {
            status,
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for KeycloakError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            KeycloakError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "HTTP 401 Unauthorized" }),
            ),
            KeycloakError::Forbidden => {
                (StatusCode::FORBIDDEN, json!({ "error": "unknown_error" }))
            }
            KeycloakError::RealmNotFound | KeycloakError::UserNotFound => {
                (StatusCode::NOT_FOUND, json!({ "error": self.to_string() }))
            }
            KeycloakError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({ "error": self.to_string() }),
            ),
            KeycloakError::Conflict(_) => (
                StatusCode::CONFLICT,
                json!({ "errorMessage": self.to_string() }),
            ),
            KeycloakError::BadField { field, message } => (
                StatusCode::BAD_REQUEST,
                json!({ "field": field, "errorMessage": message, "params": [field] }),
            ),
            KeycloakError::OAuth {
                status,
                error,
                description,
            } => (
                *status,
                json!({ "error": error, "error_description": description }),
            ),
        };
        (status, Json(body)).into_response()
    }
}
