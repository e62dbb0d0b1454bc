//! A parsed request to a resource ([`Call`]: method, resource type, namespace, name,
//! subresource, query, caller, body) and what it asks for: its body decoded, the write
//! options, the object name, the selectors and the collection it covers. The handler builds
//! it; every verb module reads it.

use axum::http::Method;
use serde_json::Value;

use super::auth::Identity;
use super::fieldcheck::{FieldValidation, Warnings};
use super::registry::ResourceType;
use super::selectors::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::store::Key;
use super::writes::WriteOpts;

/// A parsed request to a resource.
#[derive(Debug)]
pub(super) struct Call {
    /// HTTP method.
    pub method: Method,
    /// The resource type from the URL.
    pub rt: ResourceType,
    /// Namespace from the URL (empty for cluster scope or all namespaces).
    pub namespace: String,
    /// Object name, if the URL names one.
    pub name: Option<String>,
    /// Subresource (`status`, `log`, …).
    pub sub: Option<String>,
    /// Query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// `Accept` header.
    pub accept: String,
    /// `Content-Type` header.
    pub content_type: String,
    /// The caller.
    pub identity: Identity,
    /// The body.
    pub body: bytes::Bytes,
    /// `fieldValidation` of a write.
    pub fields: FieldValidation,
    /// Warnings for the response's `Warning` headers.
    pub warnings: Warnings,
}

impl Call {
    /// The first value of a query parameter.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean query parameter (`true`/`1`).
    pub(super) fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }
}

/// Decodes a JSON (or, for apply, YAML) body.
pub(super) fn decode(call: &Call) -> Result<Value, ApiError> {
    if call.content_type.contains("protobuf") {
        return super::protobuf::decode_object(&call.body);
    }
    if call.body.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    match serde_json::from_slice::<Value>(&call.body) {
        Ok(v) => Ok(v),
        Err(json_err) if call.content_type.contains("yaml") => {
            let text = std::str::from_utf8(&call.body)
                .map_err(|_| ApiError::bad_request("the YAML body is not UTF-8"))?;
            serde_saphyr::from_str::<Value>(text).map_err(|e| {
                ApiError::bad_request(format!("error decoding YAML: {e}; as JSON: {json_err}"))
            })
        }
        Err(e) => Err(ApiError::bad_request(format!(
            "couldn't get version/kind; json parse error: {e}"
        ))),
    }
}

pub(super) fn write_opts(call: &Call) -> WriteOpts {
    WriteOpts {
        dry_run: call.param("dryRun") == Some("All"),
        manager: call.param("fieldManager").map(String::from),
        keep_status: false,
        apply: false,
        fields: call.fields,
        warnings: call.warnings.clone(),
    }
}

pub(super) fn name(call: &Call) -> &str {
    call.name.as_deref().unwrap_or("")
}

pub(super) fn include(call: &Call) -> String {
    call.param("includeObject")
        .unwrap_or("Metadata")
        .to_string()
}

/// Selects the objects a list or watch of `call` covers.
pub(super) fn selectors(call: &Call) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(call.param("labelSelector").unwrap_or(""))
        .map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(call.param("fieldSelector").unwrap_or(""), &call.rt.kind)
        .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

/// Whether `key` belongs to the collection `call` addresses.
pub(super) fn in_scope(call: &Call, key: &Key) -> bool {
    key.group == call.rt.group
        && key.plural == call.rt.plural
        && (call.namespace.is_empty() || key.namespace == call.namespace)
}
