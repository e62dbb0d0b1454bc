//! The `/scale` subresource (`autoscaling/v1` Scale) of workloads: reads and writes
//! `spec.replicas` of the parent object, as `kubectl scale` and upstream's
//! `resources_scale` use it.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::Inner;
use super::call::Call;
use super::call::{decode, name, write_opts};
use super::respond::json_response;
use super::status::ApiError;
use super::store::{Key, present};
use super::writes::{self, UpdateOpts};

fn to_scale(obj: &Value) -> Value {
    let meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    let pick = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    let selector = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": pick("name"), "namespace": pick("namespace"), "uid": pick("uid"),
                     "resourceVersion": pick("resourceVersion"), "creationTimestamp": pick("creationTimestamp")},
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {"replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector},
    })
}

/// GET, PUT or PATCH on `…/<name>/scale`.
pub(super) fn handle(inner: &Arc<Inner>, call: &Call) -> Result<Response, ApiError> {
    let mut st = inner.lock();
    let key = Key::new(&call.rt, &call.namespace, name(call));
    let obj = st
        .objects
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&call.rt.group, &call.rt.plural, name(call)))?;
    let mut scale = to_scale(&obj);
    match call.method {
        Method::GET => return Ok(json_response(StatusCode::OK, &scale)),
        Method::PUT => scale = decode(call)?,
        Method::PATCH if call.content_type.starts_with("application/json-patch+json") => {
            let ops: json_patch::Patch = serde_json::from_value(decode(call)?)
                .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
            json_patch::patch(&mut scale, &ops).map_err(|e| {
                ApiError::invalid("Scale", name(call), "autoscaling", "patch", &e.to_string())
            })?;
        }
        Method::PATCH => json_patch::merge(&mut scale, &decode(call)?),
        _ => {
            return Err(ApiError::method_not_allowed(
                "the server does not allow this method on the requested resource",
            ));
        }
    }
    let replicas = scale
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .filter(|r| *r >= 0)
        .ok_or_else(|| {
            ApiError::invalid(
                "Scale",
                name(call),
                "autoscaling",
                "spec.replicas",
                "Invalid value: must be a non-negative integer",
            )
        })?;
    let mut updated = present(&call.rt, &obj);
    updated["spec"]["replicas"] = json!(replicas);
    if let Some(rv) = scale
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
    {
        updated["metadata"]["resourceVersion"] = json!(rv);
    }
    let opts = UpdateOpts {
        write: write_opts(call),
        status_only: false,
        require_rv: false,
    };
    let stored = writes::update(
        &mut st,
        &call.rt,
        &call.namespace,
        name(call),
        updated,
        &opts,
    )?;
    Ok(json_response(StatusCode::OK, &to_scale(&stored)))
}
