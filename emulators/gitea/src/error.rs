//! Gitea's `APIError` responses: `{"message": …, "url": "<ROOT_URL>/api/swagger"}` with
//! Gitea's status codes. Handlers return [`ApiError`]; the `url` field needs the root URL,
//! which a middleware (`fill_error_url`) adds after the handler ran.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;

/// A handler's result: any failure is answered as a Gitea error.
pub(crate) type Result<T> = std::result::Result<T, ApiError>;

/// An error answered the way Gitea answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Gitea's 404s carry `errors` (the underlying error texts, or `null`).
    pub(crate) errors: Option<Vec<String>>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: None,
        }
    }

    /// 404 with Gitea's default text and `errors: null`.
    pub(crate) fn not_found() -> Self {
        Self {
            errors: Some(Vec::new()),
            ..Self::new(StatusCode::NOT_FOUND, "not found")
        }
    }

    /// 404 naming what is missing in `errors`, e.g. `user redirect does not exist [name: x]`.
    pub(crate) fn not_found_err(error: impl Into<String>) -> Self {
        Self {
            errors: Some(vec![error.into()]),
            ..Self::new(StatusCode::NOT_FOUND, "not found")
        }
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
}

/// Marker left on error responses so the middleware can add the documentation URL.
#[derive(Debug, Clone)]
struct PendingError(ApiError);

impl ApiError {
    fn body(&self, url: &str) -> serde_json::Value {
        let mut body = json!({ "message": self.message, "url": url });
        if let (Some(errors), Some(map)) = (&self.errors, body.as_object_mut()) {
            let errors = if errors.is_empty() {
                serde_json::Value::Null
            } else {
                json!(errors)
            };
            map.insert("errors".to_string(), errors);
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body(""))).into_response();
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// Rewrites error bodies with `url` = `<ROOT_URL>api/swagger`, as Gitea does.
pub(crate) async fn fill_error_url(
    State(shared): State<std::sync::Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if let Some(PendingError(error)) = response.extensions_mut().remove::<PendingError>() {
        let url = format!("{}api/swagger", shared.root_url());
        return (error.status, axum::Json(error.body(&url))).into_response();
    }
    response
}

/// Unknown API routes answer 404 in Gitea's shape.
pub(crate) async fn fallback() -> ApiError {
    ApiError::not_found()
}

/// A known route with an unsupported method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}
