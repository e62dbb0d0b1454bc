//! One JSON call to a remote REST API (Gitea, LiteLLM): send the request, turn a transport
//! failure, a 429 or a 5xx into an error the retry policy retries, and parse the answer.
//! Every other status goes back to the caller, which decides what it means.

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::error::{Error, Result};

/// Sends `rb` (with `body` as JSON when given) and returns the status and the parsed body
/// (`Null` when the body is not JSON).
pub(crate) async fn send(
    service: &'static str,
    action: &str,
    mut rb: RequestBuilder,
    body: Option<&Value>,
) -> Result<(StatusCode, Value)> {
    if let Some(b) = body {
        rb = rb.json(b);
    }
    let resp = rb.send().await.map_err(|source| Error::Http {
        service,
        action: action.to_string(),
        source,
    })?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(remote(service, action, status, &text));
    }
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// An unexpected answer from `service`, with the start of its body for the operator.
pub(crate) fn remote(service: &'static str, action: &str, status: StatusCode, text: &str) -> Error {
    Error::Remote {
        service,
        action: action.to_string(),
        status: status.as_u16(),
        body: text.chars().take(300).collect(),
    }
}
