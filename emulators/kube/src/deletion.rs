//! Deletion the way the API server does it: preconditions, finalizers that keep an
//! object (with `deletionTimestamp`) until they are removed, which kinds answer with the
//! object and which with a Status, and the namespace controller that empties a
//! terminating namespace before it disappears.

use serde_json::{Value, json};

use super::kinds;
use super::object::{finalizers, meta_mut, meta_str, now};
use super::registry::ResourceType;
use super::status::{self, ApiError};
use super::store::{Key, State, present};

pub(super) fn remove_with_hooks(st: &mut State, rt: &ResourceType, key: &Key) -> Option<Value> {
    let removed = remove_orphaning(st, rt, key)?;
    if let Some(uid) = meta_str(&removed, "uid") {
        collect_garbage(st, uid);
    }
    Some(removed)
}

/// Removes an object and runs its kind's hooks, leaving its dependents alone.
fn remove_orphaning(st: &mut State, rt: &ResourceType, key: &Key) -> Option<Value> {
    let removed = st.remove(key)?;
    kinds::after_remove(st, rt, &removed);
    Some(removed)
}

/// The garbage collector (background propagation): deletes every object whose owner
/// references name the removed `uid`, honouring their finalizers.
fn collect_garbage(st: &mut State, uid: &str) {
    let owned = |o: &Value| {
        o.pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
            })
    };
    let dependents: Vec<Key> = st
        .objects
        .iter()
        .filter(|(_, o)| owned(o))
        .map(|(k, _)| k.clone())
        .collect();
    for key in dependents {
        let Some(rt) = st
            .types
            .iter()
            .find(|t| t.group == key.group && t.plural == key.plural)
            .cloned()
        else {
            continue;
        };
        let Some(mut obj) = st.objects.get(&key).cloned() else {
            continue;
        };
        strip_simulated(st, &mut obj);
        if finalizers(&obj).is_empty() {
            remove_with_hooks(st, &rt, &key);
        } else if obj.pointer("/metadata/deletionTimestamp").is_none() {
            meta_mut(&mut obj).insert("deletionTimestamp".into(), json!(now()));
            st.put(key, obj, "MODIFIED");
        }
    }
}

/// Options of a delete.
#[derive(Debug, Clone, Default)]
pub(super) struct DeleteOpts {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `preconditions.uid`.
    pub uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub resource_version: Option<String>,
    /// `propagationPolicy: Orphan`: dependents keep existing.
    pub orphan: bool,
}

/// Kinds whose delete answers with the object rather than a Status.
fn returns_object(rt: &ResourceType) -> bool {
    rt.group.is_empty()
        && matches!(
            rt.plural.as_str(),
            "pods" | "serviceaccounts" | "namespaces"
        )
}

/// DELETE: removes the object, or marks it for deletion while finalizers remain.
pub(super) fn delete(
    st: &mut State,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    opts: &DeleteOpts,
) -> Result<Value, ApiError> {
    let key = Key::new(rt, namespace, name);
    let old = st
        .objects
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&rt.group, &rt.plural, name))?;
    let uid = meta_str(&old, "uid").unwrap_or("").to_string();
    if opts.uid.as_ref().is_some_and(|u| *u != uid)
        || opts
            .resource_version
            .as_deref()
            .is_some_and(|rv| Some(rv) != meta_str(&old, "resourceVersion"))
    {
        return Err(ApiError::conflict(&rt.group, &rt.plural, name));
    }
    if rt.group == "project.openshift.io"
        && rt.plural == "projects"
        && let Some(ns_type) = st.lookup("", "v1", "namespaces")
    {
        return delete(st, &ns_type, "", name, opts)
            .map(|_| status::success(&rt.group, &rt.plural, name, &uid));
    }
    if opts.dry_run {
        return Ok(present(rt, &old));
    }
    let is_namespace = rt.group.is_empty() && rt.plural == "namespaces";
    let mut old = old;
    strip_simulated(st, &mut old);
    if !is_namespace && finalizers(&old).is_empty() {
        // A simulated controller released the object at once.
        st.objects.insert(key.clone(), old.clone());
    }
    if is_namespace || !finalizers(&old).is_empty() {
        let mut marked = old.clone();
        if marked.pointer("/metadata/deletionTimestamp").is_none() {
            let meta = meta_mut(&mut marked);
            meta.insert("deletionTimestamp".into(), json!(now()));
            meta.insert("deletionGracePeriodSeconds".into(), json!(0));
            if is_namespace {
                marked["status"] = json!({"phase": "Terminating"});
            }
            marked = st.put(key.clone(), marked, "MODIFIED");
            if is_namespace {
                kinds::after_write(st, rt, &marked);
            }
        }
        if is_namespace {
            sweep_namespace(st, name);
        }
        return Ok(present(rt, &marked));
    }
    let removed = if opts.orphan {
        remove_orphaning(st, rt, &key)
    } else {
        remove_with_hooks(st, rt, &key)
    }
    .unwrap_or(old);
    sweep_if_terminating(st, namespace);
    if returns_object(rt) {
        Ok(present(rt, &removed))
    } else {
        Ok(status::success(&rt.group, &rt.plural, name, &uid))
    }
}

pub(super) fn sweep_if_terminating(st: &mut State, namespace: &str) {
    if namespace.is_empty() {
        return;
    }
    let key = Key {
        group: String::new(),
        plural: "namespaces".into(),
        namespace: String::new(),
        name: namespace.into(),
    };
    if st
        .objects
        .get(&key)
        .is_some_and(|ns| ns.pointer("/metadata/deletionTimestamp").is_some())
    {
        sweep_namespace(st, namespace);
    }
}

/// The namespace controller: deletes every object in a terminating namespace (honouring
/// finalizers), then the namespace itself once it is empty.
fn sweep_namespace(st: &mut State, namespace: &str) {
    let keys: Vec<Key> = st
        .objects
        .keys()
        .filter(|k| k.namespace == namespace)
        .cloned()
        .collect();
    for key in keys {
        let Some(obj) = st.objects.get(&key).cloned() else {
            continue;
        };
        let Some(rt) = st
            .types
            .iter()
            .find(|t| t.group == key.group && t.plural == key.plural)
            .cloned()
        else {
            st.remove(&key);
            continue;
        };
        let mut obj = obj;
        strip_simulated(st, &mut obj);
        if finalizers(&obj).is_empty() {
            remove_with_hooks(st, &rt, &key);
        } else if obj.pointer("/metadata/deletionTimestamp").is_none() {
            let mut marked = obj;
            meta_mut(&mut marked).insert("deletionTimestamp".into(), json!(now()));
            st.put(key, marked, "MODIFIED");
        }
    }
    let ns_key = Key {
        group: String::new(),
        plural: "namespaces".into(),
        namespace: String::new(),
        name: namespace.into(),
    };
    let remaining: Vec<String> = st
        .objects
        .iter()
        .filter(|(k, _)| k.namespace == namespace)
        .flat_map(|(_, o)| finalizers(o))
        .collect();
    let Some(ns_type) = st.lookup("", "v1", "namespaces") else {
        return;
    };
    if st.objects.keys().all(|k| k.namespace != namespace) {
        remove_with_hooks(st, &ns_type, &ns_key);
    } else if let Some(mut ns) = st.objects.get(&ns_key).cloned() {
        let condition = json!({"type": "NamespaceFinalizersRemaining", "status": "True", "reason": "SomeFinalizersRemain",
            "message": format!("Some content in the namespace has finalizers remaining: {}", remaining.join(", ")), "lastTransitionTime": now()});
        if ns.pointer("/status/conditions/0/message") != condition.get("message") {
            ns["status"] = json!({"phase": "Terminating", "conditions": [condition]});
            st.put(ns_key, ns, "MODIFIED");
        }
    }
}

/// Removes the finalizers a simulated controller (e.g. Argo CD's) would remove once the
/// object is being deleted.
fn strip_simulated(st: &State, obj: &mut Value) {
    if st.simulated_finalizers.is_empty() {
        return;
    }
    if let Some(list) = obj
        .pointer_mut("/metadata/finalizers")
        .and_then(Value::as_array_mut)
    {
        list.retain(|f| {
            !f.as_str()
                .is_some_and(|f| st.simulated_finalizers.iter().any(|s| s == f))
        });
    }
}
