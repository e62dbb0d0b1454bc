//! Server-side apply (`application/apply-patch+yaml`): the request side. Each field
//! manager's last applied configuration is kept per object; `patch::apply` merges it and
//! finds conflicts, and this module turns the outcome into a create, an update or a 409.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::Inner;
use super::call::Call;
use super::call::{decode, include, name, write_opts};
use super::object::meta_str;
use super::patch;
use super::respond::{self, Want};
use super::status::ApiError;
use super::store::{Key, present};
use super::writes::{self, UpdateOpts, WriteOpts};

/// What an apply configuration says about the object, without server-owned fields.
fn intent(obj: &Value, status: bool) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(map) = obj.as_object() {
        for (k, v) in map {
            match k.as_str() {
                "apiVersion" | "kind" => {}
                "status" if !status => {}
                "metadata" => {
                    let mut meta = serde_json::Map::new();
                    for f in ["labels", "annotations", "finalizers", "ownerReferences"] {
                        if let Some(v) = v.get(f) {
                            meta.insert(f.into(), v.clone());
                        }
                    }
                    if !meta.is_empty() {
                        out.insert("metadata".into(), Value::Object(meta));
                    }
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// Server-side apply.
pub(super) fn apply(inner: &Arc<Inner>, call: &Call, want: Want) -> Result<Response, ApiError> {
    let manager = call
        .param("fieldManager")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ApiError::bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"))?
        .to_string();
    let body = decode(call)?;
    if body.get("apiVersion").is_none() || body.get("kind").is_none() {
        return Err(ApiError::bad_request(
            "invalid object type: apiVersion and kind must be set for apply",
        ));
    }
    super::validation::check_kind(&call.rt, &body)?;
    if meta_str(&body, "name").is_some_and(|n| n != name(call)) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({})",
            meta_str(&body, "name").unwrap_or(""),
            name(call)
        )));
    }
    let status_only = call.sub.as_deref() == Some("status");
    let applied = intent(&body, status_only);
    let force = call.flag("force");
    let opts = WriteOpts {
        manager: Some(manager.clone()),
        apply: true,
        ..write_opts(call)
    };
    let mut st = inner.lock();
    let key = Key::new(&call.rt, &call.namespace, name(call));
    let Some(current) = st.objects.get(&key).cloned() else {
        if status_only {
            return Err(ApiError::not_found(
                &call.rt.group,
                &call.rt.plural,
                name(call),
            ));
        }
        let mut obj = body.clone();
        if let Some(m) = obj.as_object_mut() {
            m.remove("status");
        }
        super::object::meta_mut(&mut obj).insert("name".into(), json!(name(call)));
        let created = writes::create(&mut st, &call.rt, &call.namespace, obj, &opts)?;
        if !opts.dry_run {
            st.applied.entry(key).or_default().insert(manager, applied);
        }
        return Ok(respond::object(
            &call.rt,
            created,
            want,
            StatusCode::CREATED,
            &include(call),
        ));
    };
    let managers = st.applied.get(&key).cloned().unwrap_or_default();
    let previous = managers.get(&manager).cloned();
    let others: std::collections::BTreeMap<String, Value> = managers
        .into_iter()
        .filter(|(m, _)| *m != manager)
        .collect();
    let merged = patch::apply(&present(&call.rt, &current), &applied, previous.as_ref(), &others, force, !call.rt.custom).map_err(|conflicts| {
        let causes = conflicts
            .iter()
            .map(|(path, owner)| {
                let field = format!(".{}", path.join("."));
                json!({"reason": "FieldManagerConflict", "message": format!("conflict with \"{owner}\": {field}"), "field": field})
            })
            .collect();
        ApiError::apply_conflict(&call.rt.group, &call.rt.plural, name(call), causes)
    })?;
    let uopts = UpdateOpts {
        write: WriteOpts {
            keep_status: status_only,
            ..opts.clone()
        },
        status_only,
        require_rv: false,
    };
    let updated = writes::update(
        &mut st,
        &call.rt,
        &call.namespace,
        name(call),
        merged,
        &uopts,
    )?;
    if !opts.dry_run && st.objects.contains_key(&key) {
        let entry = st.applied.entry(key).or_default();
        if force {
            for other in entry.values_mut() {
                drop_overlap(other, &applied);
            }
        }
        entry.insert(manager, applied);
    }
    Ok(respond::object(
        &call.rt,
        updated,
        want,
        StatusCode::OK,
        &include(call),
    ))
}

/// After a forced apply the forcing manager owns the overlapping fields alone.
fn drop_overlap(other: &mut Value, applied: &Value) {
    if let (Some(o), Some(a)) = (other.as_object_mut(), applied.as_object()) {
        for (k, av) in a {
            let remove = match o.get_mut(k) {
                Some(ov) if ov.is_object() && av.is_object() => {
                    drop_overlap(ov, av);
                    ov.as_object().is_some_and(|m| m.is_empty())
                }
                Some(_) => true,
                None => false,
            };
            if remove {
                o.remove(k);
            }
        }
    }
}
