//! The request-id and trace layer: every request gets an id and a `request` span carrying
//! it, and the response echoes the id in `x-request-id`.
//!
//! A caller's own `x-request-id` is kept when it is well-formed: 1 to [`MAX_LEN`] ASCII
//! letters, digits, `-`, `_` or `.`. Anything else (too long, spaces, control or non-ASCII
//! bytes, empty) is replaced by a fresh UUID, so a hostile header never reaches the logs
//! or the response. The request id only correlates: the run id of a report is always the
//! agent's own (see `report`), since `/runs/{id}` serves results by it.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header that carries the id both ways.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from a caller.
pub const MAX_LEN: usize = 64;

/// The middleware (`axum::middleware::from_fn(request_id::trace)`): reads or makes the id,
/// runs the request inside its span, and sets the response header.
pub(crate) async fn trace(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(well_formed)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// The caller's id, when it is one to keep.
fn well_formed(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    (!text.is_empty() && text.len() <= MAX_LEN && text.bytes().all(allowed))
        .then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        let kept = |s: &str| well_formed(&HeaderValue::from_str(s).unwrap());
        assert_eq!(kept("abc-123_X.y").as_deref(), Some("abc-123_X.y"));
        assert_eq!(kept(&"a".repeat(MAX_LEN)).map(|s| s.len()), Some(MAX_LEN));
        for bad in ["", "a b", "a\tb", "<script>", "a/b", "id;drop", "ünï"] {
            let value = HeaderValue::from_bytes(bad.as_bytes()).unwrap();
            assert_eq!(well_formed(&value), None, "{bad:?}");
        }
        assert_eq!(kept(&"a".repeat(MAX_LEN + 1)), None);
        let raw = HeaderValue::from_bytes(b"ab\xffcd").unwrap();
        assert_eq!(well_formed(&raw), None);
    }
}
