//! Create, update and delete on the generic store, with the API server's rules: system
//! fields filled and preserved, resourceVersion preconditions, generation on spec
//! changes, no-op writes that change nothing, finalizers, and namespace termination.

use serde_json::{Value, json};

use super::fieldcheck::{self, FieldValidation, Warnings};
use super::kinds;
use super::object::{comparable, finalizers, meta_mut, meta_str, now, random_suffix, spec_part};
use super::registry::ResourceType;
use super::status::ApiError;
use super::store::{Key, State, present};
use super::validation::{check_kind, check_name};

/// Options shared by writes.
#[derive(Debug, Clone, Default)]
pub(super) struct WriteOpts {
    /// `dryRun=All`: do everything but store.
    pub dry_run: bool,
    /// `fieldManager` (defaults to the client's name).
    pub manager: Option<String>,
    /// Keep `.status` from the body (fixtures, and `/status` writes).
    pub keep_status: bool,
    /// `Apply` for server-side apply, else `Update`.
    pub apply: bool,
    /// What to do with unknown fields (`fieldValidation`).
    pub fields: FieldValidation,
    /// Where the warnings of this request go.
    pub warnings: Warnings,
}

/// Records which manager wrote the object, as `metadata.managedFields`.
pub(super) fn touch_managed(
    obj: &mut Value,
    api_version: &str,
    manager: &str,
    operation: &str,
    subresource: Option<&str>,
    fields: Value,
) {
    let meta = meta_mut(obj);
    let list = meta.entry("managedFields").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    if let Some(list) = list.as_array_mut() {
        list.retain(|e| {
            !(e.get("manager").and_then(Value::as_str) == Some(manager)
                && e.get("operation").and_then(Value::as_str) == Some(operation)
                && e.get("subresource").and_then(Value::as_str) == subresource)
        });
        let mut entry = json!({"manager": manager, "operation": operation, "apiVersion": api_version, "time": now(), "fieldsType": "FieldsV1", "fieldsV1": fields});
        if let Some(sub) = subresource {
            entry["subresource"] = json!(sub);
        }
        list.push(entry);
    }
}

/// The FieldsV1 set of the fields present in `obj` (maps to `f:` keys; lists as leaves).
pub(super) fn fields_v1(obj: &Value) -> Value {
    match obj {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                if matches!(k.as_str(), "apiVersion" | "kind" | "status") {
                    continue;
                }
                let inner = if let Value::Object(_) = v {
                    fields_v1(v)
                } else {
                    json!({})
                };
                out.insert(format!("f:{k}"), inner);
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

fn user_fields(obj: &Value) -> Value {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "namespace",
            "name",
            "deletionTimestamp",
        ] {
            meta.remove(k);
        }
    }
    fields_v1(&copy)
}

/// POST: stores a new object and returns it as the API shows it.
pub(super) fn create(
    st: &mut State,
    rt: &ResourceType,
    namespace: &str,
    mut obj: Value,
    opts: &WriteOpts,
) -> Result<Value, ApiError> {
    check_kind(rt, &obj)?;
    let meta = meta_mut(&mut obj);
    let mut name = meta
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        match meta.get("generateName").and_then(Value::as_str) {
            Some(prefix) if !prefix.is_empty() => name = format!("{prefix}{}", random_suffix()),
            _ => {
                return Err(ApiError::invalid(
                    &rt.kind,
                    "",
                    &rt.group,
                    "metadata.name",
                    "Required value: name or generateName is required",
                ));
            }
        }
    }
    check_name(rt, &name)?;
    if rt.namespaced {
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != namespace => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {}
        }
        st.check_namespace(namespace)?;
    }
    let key = Key::new(rt, namespace, &name);
    if st.objects.contains_key(&key) {
        return Err(ApiError::already_exists(&rt.group, &rt.plural, &name));
    }
    let meta = meta_mut(&mut obj);
    meta.insert("name".into(), json!(name));
    if rt.namespaced {
        meta.insert("namespace".into(), json!(namespace));
    } else {
        meta.remove("namespace");
    }
    for k in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "managedFields",
        "selfLink",
    ] {
        meta.remove(k);
    }
    meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    meta.insert("creationTimestamp".into(), json!(now()));
    if rt.generation {
        meta.insert("generation".into(), json!(1));
    }
    if rt.has_sub("status")
        && !opts.keep_status
        && let Some(map) = obj.as_object_mut()
    {
        map.remove("status");
    }
    kinds::defaults_on_create(rt, &mut obj);
    kinds::defaults_on_write(rt, &mut obj)?;
    fieldcheck::check(st, rt, &mut obj, opts.fields, &opts.warnings)?;
    kinds::validate(rt, &obj, None)?;
    let manager = opts.manager.clone().unwrap_or_else(|| "unknown".into());
    let fields = user_fields(&obj);
    touch_managed(
        &mut obj,
        &rt.api_version(),
        &manager,
        if opts.apply { "Apply" } else { "Update" },
        None,
        fields,
    );
    let obj = present(rt, &obj);
    if opts.dry_run {
        return Ok(obj);
    }
    let stored = st.put(key, obj, "ADDED");
    kinds::after_write(st, rt, &stored);
    Ok(stored)
}

/// Options of an update.
#[derive(Debug, Clone, Default)]
pub(super) struct UpdateOpts {
    /// Shared write options.
    pub write: WriteOpts,
    /// A `/status` write: only `.status` changes.
    pub status_only: bool,
    /// PUT requires `metadata.resourceVersion`; patches do not.
    pub require_rv: bool,
}

/// PUT (and the final step of every patch): replaces the object.
pub(super) fn update(
    st: &mut State,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    new: Value,
    opts: &UpdateOpts,
) -> Result<Value, ApiError> {
    check_kind(rt, &new)?;
    let key = Key::new(rt, namespace, name);
    let old = st
        .objects
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    if let Some(body_name) = meta_str(&new, "name").filter(|n| *n != name) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    match meta_str(&new, "resourceVersion").filter(|rv| !rv.is_empty()) {
        Some(rv) if Some(rv) != meta_str(&old, "resourceVersion") => {
            return Err(ApiError::conflict(&rt.group, &rt.plural, name));
        }
        None if opts.require_rv && !opts.status_only => {
            return Err(ApiError::invalid(
                &rt.kind,
                name,
                &rt.group,
                "metadata.resourceVersion",
                "Invalid value: 0x0: must be specified for an update",
            ));
        }
        _ => {}
    }
    let mut result = if opts.status_only {
        let mut r = old.clone();
        r["status"] = new.get("status").cloned().unwrap_or(json!({}));
        r
    } else {
        let mut r = new.clone();
        let keep_old_status = rt.has_sub("status") && !opts.write.keep_status;
        if let Some(map) = r.as_object_mut() {
            match (keep_old_status, old.get("status")) {
                (true, Some(s)) => {
                    map.insert("status".into(), s.clone());
                }
                (true, None) => {
                    map.remove("status");
                }
                _ => {}
            }
        }
        let old_meta = old.get("metadata").cloned().unwrap_or(json!({}));
        let meta = meta_mut(&mut r);
        for k in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "namespace",
            "name",
            "managedFields",
        ] {
            match old_meta.get(k) {
                Some(v) => meta.insert(k.into(), v.clone()),
                None => meta.remove(k),
            };
        }
        r
    };
    kinds::defaults_on_write(rt, &mut result)?;
    fieldcheck::check(st, rt, &mut result, opts.write.fields, &opts.write.warnings)?;
    kinds::validate(rt, &result, Some(&old))?;
    if rt.kind == "Namespace" && rt.group.is_empty() && !opts.status_only {
        result["spec"] = old.get("spec").cloned().unwrap_or(json!({}));
    }
    if rt.generation && spec_part(&result) != spec_part(&old) {
        let next = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1;
        meta_mut(&mut result).insert("generation".into(), json!(next));
        if kinds::is_workload(rt) && !opts.status_only {
            result["status"] = kinds::rolled_out(&result, &rt.kind);
        }
    }
    let mut result = present(rt, &result);
    if comparable(&result) == comparable(&present(rt, &old)) {
        return Ok(present(rt, &old));
    }
    let manager = opts
        .write
        .manager
        .clone()
        .unwrap_or_else(|| "unknown".into());
    let fields = if opts.status_only {
        json!({"f:status": {}})
    } else {
        user_fields(&result)
    };
    touch_managed(
        &mut result,
        &rt.api_version(),
        &manager,
        if opts.write.apply { "Apply" } else { "Update" },
        opts.status_only.then_some("status"),
        fields,
    );
    if opts.write.dry_run {
        return Ok(result);
    }
    if result.pointer("/metadata/deletionTimestamp").is_some() && finalizers(&result).is_empty() {
        meta_mut(&mut result).insert("resourceVersion".into(), json!(st.rv.to_string()));
        st.objects.insert(key.clone(), result);
        let removed = super::deletion::remove_with_hooks(st, rt, &key).unwrap_or(json!({}));
        super::deletion::sweep_if_terminating(st, namespace);
        return Ok(removed);
    }
    let stored = st.put(key, result, "MODIFIED");
    kinds::after_write(st, rt, &stored);
    Ok(stored)
}
