//! The verbs on stored resources: get, list (selectors, limit/continue), create, replace,
//! patch (merge, JSON, strategic, server-side apply) and delete, each a thin layer over
//! `writes` that decodes the body and renders the response.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

use super::Inner;
use super::deletion::{self, DeleteOpts};
use super::handler::Call;
use super::patch;
use super::respond::{self, Want};
use super::selectors::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::store::{Key, present};
use super::writes::{self, UpdateOpts, WriteOpts};

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

/// GET of one object (or its status).
pub(super) fn get(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let st = inner.lock();
    let key = Key::new(&call.rt, &call.namespace, name(call));
    let obj = st
        .objects
        .get(&key)
        .ok_or_else(|| ApiError::not_found(&call.rt.group, &call.rt.plural, name(call)))?;
    Ok(respond::object(
        &call.rt,
        present(&call.rt, obj),
        want,
        StatusCode::OK,
        &include(call),
    ))
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

/// GET of a collection.
pub(super) fn list(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let (labels, fields) = selectors(call)?;
    let limit = match call.param("limit") {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("invalid limit {l:?}")))?,
        None => 0,
    };
    let after: Option<(String, String)> = match call.param("continue").filter(|c| !c.is_empty()) {
        Some(token) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| ApiError::bad_request("continue key is not valid"))?,
        ),
        None => None,
    };
    let st = inner.lock();
    let mut items = Vec::new();
    let mut last: Option<(String, String)> = None;
    let mut remaining = 0usize;
    for (key, obj) in st.objects.iter().filter(|(k, _)| in_scope(call, k)) {
        if after.as_ref().is_some_and(|(ns, n)| {
            (key.namespace.as_str(), key.name.as_str()) <= (ns.as_str(), n.as_str())
        }) {
            continue;
        }
        if !labels.matches(&super::object::labels(obj)) || !fields.matches(obj) {
            continue;
        }
        if call.rt.group == "project.openshift.io" && !call.identity.can_see_namespace(&key.name) {
            continue;
        }
        if limit > 0 && items.len() >= limit {
            remaining += 1;
            continue;
        }
        last = Some((key.namespace.clone(), key.name.clone()));
        items.push(present(&call.rt, obj));
    }
    let cont = (remaining > 0)
        .then(|| {
            last.map(|l| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(json!([l.0, l.1]).to_string())
            })
        })
        .flatten();
    let rv = st.rv.to_string();
    Ok(respond::list(
        &call.rt,
        items,
        &rv,
        cont,
        (remaining > 0).then_some(remaining),
        want,
        &include(call),
    ))
}

/// POST.
pub(super) fn create(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let obj = decode(call)?;
    let mut opts = write_opts(call);
    opts.manager.get_or_insert_with(|| "unknown".into());
    let mut st = inner.lock();
    let created = writes::create(&mut st, &call.rt, &call.namespace, obj, &opts)?;
    Ok(respond::object(
        &call.rt,
        created,
        want,
        StatusCode::CREATED,
        &include(call),
    ))
}

/// PUT (main resource or `/status`).
pub(super) fn replace(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let obj = decode(call)?;
    let status_only = call.sub.as_deref() == Some("status");
    let opts = UpdateOpts {
        write: write_opts(call),
        status_only,
        // Built-in kinds allow unconditional updates (no resourceVersion), CRs do not.
        require_rv: call.rt.custom,
    };
    let mut st = inner.lock();
    let updated = writes::update(&mut st, &call.rt, &call.namespace, name(call), obj, &opts)?;
    Ok(respond::object(
        &call.rt,
        updated,
        want,
        StatusCode::OK,
        &include(call),
    ))
}

/// PATCH in its four flavours.
pub(super) fn patch(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let ct = call
        .content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if ct == "application/apply-patch+yaml" {
        return super::ssa::apply(inner, call, want);
    }
    let patch_doc = decode(call)?;
    let mut st = inner.lock();
    let key = Key::new(&call.rt, &call.namespace, name(call));
    let current = st
        .objects
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&call.rt.group, &call.rt.plural, name(call)))?;
    let mut doc = present(&call.rt, &current);
    match ct.as_str() {
        "application/merge-patch+json" => json_patch::merge(&mut doc, &patch_doc),
        "application/strategic-merge-patch+json" if call.rt.custom => {
            return Err(ApiError::unsupported_media(
                "strategic merge patch is not supported for custom resources; use merge-patch+json, json-patch+json or apply-patch+yaml",
            ));
        }
        "application/strategic-merge-patch+json" => patch::strategic_merge(&mut doc, &patch_doc),
        "application/json-patch+json" => {
            let ops: json_patch::Patch = serde_json::from_value(patch_doc)
                .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
            json_patch::patch(&mut doc, &ops).map_err(|e| {
                ApiError::invalid(
                    &call.rt.kind,
                    name(call),
                    &call.rt.group,
                    "patch",
                    &e.to_string(),
                )
            })?;
        }
        other => {
            return Err(ApiError::unsupported_media(format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"
            )));
        }
    }
    let opts = UpdateOpts {
        write: WriteOpts {
            keep_status: false,
            ..write_opts(call)
        },
        status_only: call.sub.as_deref() == Some("status"),
        require_rv: false,
    };
    let updated = writes::update(&mut st, &call.rt, &call.namespace, name(call), doc, &opts)?;
    Ok(respond::object(
        &call.rt,
        updated,
        want,
        StatusCode::OK,
        &include(call),
    ))
}

fn delete_opts(call: &Call) -> DeleteOpts {
    let body: Value = serde_json::from_slice(&call.body).unwrap_or(Value::Null);
    let dry = body
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v == "All"));
    let orphan = body.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan")
        || body.get("orphanDependents").and_then(Value::as_bool) == Some(true)
        || call.param("propagationPolicy") == Some("Orphan");
    DeleteOpts {
        orphan,
        dry_run: dry || call.param("dryRun") == Some("All"),
        uid: body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(String::from),
        resource_version: body
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(String::from),
    }
}

/// DELETE of one object.
pub(super) fn delete(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    // client-go's typed clients send DeleteOptions as protobuf; their defaults are ours.
    let protobuf = call.content_type.contains("protobuf");
    if !protobuf && !call.body.is_empty() && serde_json::from_slice::<Value>(&call.body).is_err() {
        return Err(ApiError::bad_request(
            "the DeleteOptions body is not valid JSON",
        ));
    }
    let mut st = inner.lock();
    let out = deletion::delete(
        &mut st,
        &call.rt,
        &call.namespace,
        name(call),
        &delete_opts(call),
    )?;
    if out.get("kind").and_then(Value::as_str) == Some("Status") {
        return Ok(respond::json_response(StatusCode::OK, &out));
    }
    Ok(respond::object(
        &call.rt,
        out,
        want,
        StatusCode::OK,
        &include(call),
    ))
}

/// DELETE of a collection (selectors apply).
pub(super) fn delete_collection(
    inner: &Arc<Inner>,
    call: &Call,
    _want: Want,
) -> Result<Response, ApiError> {
    let (labels, fields) = selectors(call)?;
    let opts = delete_opts(call);
    let mut st = inner.lock();
    let targets: Vec<Key> = st
        .objects
        .iter()
        .filter(|(k, o)| {
            in_scope(call, k) && labels.matches(&super::object::labels(o)) && fields.matches(o)
        })
        .map(|(k, _)| k.clone())
        .collect();
    let mut items = Vec::new();
    for key in targets {
        if let Ok(obj) = deletion::delete(&mut st, &call.rt, &key.namespace, &key.name, &opts) {
            items.push(obj);
        }
    }
    let rv = st.rv.to_string();
    Ok(respond::json_response(
        StatusCode::OK,
        &json!({"kind": format!("{}List", call.rt.kind), "apiVersion": call.rt.api_version(), "metadata": {"resourceVersion": rv}, "items": items}),
    ))
}
