//! Content negotiation for responses: plain JSON, `meta.k8s.io/v1` Table (kubectl and the
//! Go server print nothing without it), PartialObjectMetadata, and 406 for clients that
//! accept only protobuf.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::object::partial;
use super::registry::ResourceType;
use super::status::ApiError;
use super::table;

/// What the client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// Plain JSON objects and lists.
    Json,
    /// A Table.
    Table,
    /// PartialObjectMetadata / PartialObjectMetadataList.
    Metadata,
}

/// Reads the Accept header; an Accept that allows no JSON at all is 406.
pub(super) fn negotiate(accept: &str) -> Result<Want, ApiError> {
    if accept.trim().is_empty() {
        return Ok(Want::Json);
    }
    let mut json_ok = false;
    for range in accept.split(',') {
        let range = range.trim();
        let base = range.split(';').next().unwrap_or("").trim();
        if base == "application/json"
            || base == "*/*"
            || base == "application/*"
            || base == "application/yaml"
        {
            if range.contains("as=Table") {
                return Ok(Want::Table);
            }
            if range.contains("as=PartialObjectMetadata") {
                return Ok(Want::Metadata);
            }
            json_ok = true;
        }
    }
    if json_ok {
        Ok(Want::Json)
    } else {
        Err(ApiError::not_acceptable(format!(
            "only the following media types are accepted: application/json, application/yaml (asked for {accept})"
        )))
    }
}

/// A JSON response with the given status code.
pub(super) fn json_response(code: StatusCode, value: &Value) -> Response {
    let mut resp = (code, value.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Renders one object as the client wants it.
pub(super) fn object(
    rt: &ResourceType,
    obj: Value,
    want: Want,
    code: StatusCode,
    include: &str,
) -> Response {
    match want {
        Want::Json => json_response(code, &obj),
        Want::Table => json_response(
            code,
            &table::render(rt, std::slice::from_ref(&obj), "", include),
        ),
        Want::Metadata => json_response(code, &partial(&obj)),
    }
}

/// Renders a list as the client wants it.
pub(super) fn list(
    rt: &ResourceType,
    items: Vec<Value>,
    rv: &str,
    cont: Option<String>,
    remaining: Option<usize>,
    want: Want,
    include: &str,
) -> Response {
    let mut meta = json!({"resourceVersion": rv});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    if let Some(r) = remaining {
        meta["remainingItemCount"] = json!(r);
    }
    match want {
        Want::Table => {
            let mut t = table::render(rt, &items, rv, include);
            t["metadata"] = meta;
            json_response(StatusCode::OK, &t)
        }
        Want::Metadata => json_response(
            StatusCode::OK,
            &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                    "items": items.iter().map(partial).collect::<Vec<_>>()}),
        ),
        Want::Json => {
            let items: Vec<Value> = if rt.custom {
                items
            } else {
                items
                    .into_iter()
                    .map(|mut i| {
                        if let Some(m) = i.as_object_mut() {
                            m.remove("apiVersion");
                            m.remove("kind");
                        }
                        i
                    })
                    .collect()
            };
            json_response(
                StatusCode::OK,
                &json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": meta, "items": items}),
            )
        }
    }
}
