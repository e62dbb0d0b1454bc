//! Patch semantics: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge
//! for the common list cases of built-in kinds (lists of objects merged by their merge
//! key), and server-side apply with per-manager field sets: create if missing, remove
//! fields a manager stopped applying, conflicts with other managers unless `force`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

/// The merge key of a list field of a built-in kind, if its items merge by key.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    let key = match field {
        "volumeMounts" | "volumeDevices" => "mountPath",
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        "conditions" => "type",
        "hostAliases" => "ip",
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "containerStatuses"
        | "initContainerStatuses"
        | "subsets"
        | "rules"
        | "subjects" => "name",
        _ => return None,
    };
    let keyed = items.iter().all(|i| i.get(key).is_some());
    keyed.then_some(key)
}

/// A strategic merge patch onto `doc` (built-in kinds only).
pub(super) fn strategic_merge(doc: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *doc = patch.clone();
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut clean = patch.clone();
        strip_directives(&mut clean);
        *doc = clean;
        return;
    }
    if !doc.is_object() {
        *doc = json!({});
    }
    let Value::Object(doc_map) = doc else { return };
    for (k, v) in patch_map {
        if k.starts_with('$') {
            continue;
        }
        match v {
            Value::Null => {
                doc_map.remove(k);
            }
            Value::Array(items) => {
                let existing = doc_map
                    .get(k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let merged = match merge_key(k, &[existing.as_slice(), items.as_slice()].concat()) {
                    Some(key) => merge_keyed_list(existing, items, key),
                    None => items
                        .iter()
                        .filter(|i| i.get("$patch").is_none())
                        .cloned()
                        .collect(),
                };
                doc_map.insert(k.clone(), Value::Array(merged));
            }
            Value::Object(_) => strategic_merge(doc_map.entry(k.clone()).or_insert(Value::Null), v),
            other => {
                doc_map.insert(k.clone(), other.clone());
            }
        }
    }
}

fn merge_keyed_list(mut existing: Vec<Value>, patch: &[Value], key: &str) -> Vec<Value> {
    for item in patch {
        let id = item.get(key);
        let pos = existing.iter().position(|e| e.get(key) == id);
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (pos, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (Some(i), false) => {
                if let Some(slot) = existing.get_mut(i) {
                    strategic_merge(slot, item);
                }
            }
            (None, false) => {
                let mut clean = item.clone();
                strip_directives(&mut clean);
                existing.push(clean);
            }
            (None, true) => {}
        }
    }
    existing
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with('$'));
            map.values_mut().for_each(strip_directives);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_directives),
        _ => {}
    }
}

/// A field path in apply conflict messages (`.spec.replicas`).
type Path = Vec<String>;

/// Server-side apply: the new object, or the conflicting paths with their owners.
///
/// `others` are the configurations other managers applied; `previous` is what this
/// manager applied last time. List items merge by key for built-in kinds (`keyed`),
/// other lists are atomic.
pub(super) fn apply(
    current: &Value,
    applied: &Value,
    previous: Option<&Value>,
    others: &BTreeMap<String, Value>,
    force: bool,
    keyed: bool,
) -> Result<Value, Vec<(Path, String)>> {
    let mut conflicts = Vec::new();
    if !force {
        for (manager, config) in others {
            collect_conflicts(
                applied,
                config,
                current,
                &mut vec![],
                manager,
                &mut conflicts,
                keyed,
            );
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let mut result = current.clone();
    if let Some(prev) = previous {
        remove_dropped(&mut result, prev, applied, others, keyed);
    }
    apply_merge(&mut result, applied, keyed);
    Ok(result)
}

fn collect_conflicts(
    applied: &Value,
    other: &Value,
    current: &Value,
    path: &mut Path,
    manager: &str,
    out: &mut Vec<(Path, String)>,
    keyed: bool,
) {
    match (applied, other) {
        (Value::Object(a), Value::Object(o)) => {
            for (k, v) in a {
                if let Some(ov) = o.get(k) {
                    path.push(k.clone());
                    let cur = current.get(k).unwrap_or(&Value::Null);
                    collect_conflicts(v, ov, cur, path, manager, out, keyed);
                    path.pop();
                }
            }
        }
        (Value::Array(a), Value::Array(o)) if keyed => match merge_key(
            path.last().map(String::as_str).unwrap_or(""),
            &[a.as_slice(), o.as_slice()].concat(),
        ) {
            Some(key) => {
                for item in a {
                    if let Some(oi) = o.iter().find(|x| x.get(key) == item.get(key)) {
                        path.push(format!(
                            "[{key}={}]",
                            item.get(key).map(Value::to_string).unwrap_or_default()
                        ));
                        collect_conflicts(item, oi, &Value::Null, path, manager, out, keyed);
                        path.pop();
                    }
                }
            }
            None if a != o => out.push((path.clone(), manager.to_string())),
            None => {}
        },
        (a, o) => {
            if a != o {
                out.push((path.clone(), manager.to_string()));
            }
        }
    }
}

fn owned_by_others(others: &BTreeMap<String, Value>, path: &[String]) -> bool {
    others.values().any(|cfg| {
        let mut node = cfg;
        for seg in path {
            match node.get(seg) {
                Some(next) => node = next,
                None => return false,
            }
        }
        true
    })
}

fn remove_dropped(
    result: &mut Value,
    prev: &Value,
    applied: &Value,
    others: &BTreeMap<String, Value>,
    keyed: bool,
) {
    fn walk(
        result: &mut Value,
        prev: &Value,
        applied: &Value,
        others: &BTreeMap<String, Value>,
        path: &mut Vec<String>,
        keyed: bool,
    ) {
        let (Value::Object(prev_map), Some(res_map)) = (prev, result.as_object_mut()) else {
            if let (Value::Array(p), Value::Array(a), Some(r)) =
                (prev, applied, result.as_array_mut())
                && let Some(key) = keyed
                    .then(|| {
                        merge_key(
                            path.last().map(String::as_str).unwrap_or(""),
                            &[p.as_slice(), a.as_slice()].concat(),
                        )
                    })
                    .flatten()
            {
                for item in p {
                    let id = item.get(key);
                    if !a.iter().any(|x| x.get(key) == id) {
                        r.retain(|x| x.get(key) != id);
                    } else if let (Some(ri), Some(ai)) = (
                        r.iter_mut().find(|x| x.get(key) == id),
                        a.iter().find(|x| x.get(key) == id),
                    ) {
                        walk(ri, item, ai, &BTreeMap::new(), path, keyed);
                    }
                }
            }
            return;
        };
        for (k, pv) in prev_map {
            path.push(k.clone());
            match applied.get(k) {
                None if !owned_by_others(others, path) => {
                    res_map.remove(k);
                }
                Some(av) => {
                    if let Some(rv) = res_map.get_mut(k) {
                        walk(rv, pv, av, others, path, keyed);
                    }
                }
                None => {}
            }
            path.pop();
        }
    }
    walk(result, prev, applied, others, &mut vec![], keyed);
}

fn apply_merge(doc: &mut Value, applied: &Value, keyed: bool) {
    fn walk(doc: &mut Value, applied: &Value, field: &str, keyed: bool) {
        match applied {
            Value::Object(a) => {
                if !doc.is_object() {
                    *doc = Value::Object(Map::new());
                }
                let Some(d) = doc.as_object_mut() else { return };
                for (k, v) in a {
                    if v.is_null() {
                        d.remove(k);
                    } else {
                        walk(d.entry(k.clone()).or_insert(Value::Null), v, k, keyed);
                    }
                }
            }
            Value::Array(items) => {
                let existing = doc.as_array().cloned().unwrap_or_default();
                match keyed
                    .then(|| merge_key(field, &[existing.as_slice(), items.as_slice()].concat()))
                    .flatten()
                {
                    Some(key) => {
                        let mut merged = existing;
                        for item in items {
                            match merged.iter_mut().find(|x| x.get(key) == item.get(key)) {
                                Some(slot) => walk(slot, item, "", keyed),
                                None => merged.push(item.clone()),
                            }
                        }
                        *doc = Value::Array(merged);
                    }
                    None => *doc = applied.clone(),
                }
            }
            other => *doc = other.clone(),
        }
    }
    walk(doc, applied, "", keyed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut doc = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        strategic_merge(
            &mut doc,
            &json!({"spec": {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"name": "a", "image": "z"}, {"name": "b", "$patch": "delete"}]}}),
        );
        assert_eq!(
            doc,
            json!({"spec": {"containers": [{"name": "a", "image": "z"}]}})
        );
    }

    #[test]
    fn apply_removes_dropped_fields_and_detects_conflicts() {
        let current = json!({"data": {"a": "1", "b": "2", "c": "3"}});
        let prev = json!({"data": {"a": "1", "b": "2"}});
        let mut others = BTreeMap::new();
        others.insert("other".to_string(), json!({"data": {"c": "3"}}));
        let out = apply(
            &current,
            &json!({"data": {"a": "9"}}),
            Some(&prev),
            &others,
            false,
            true,
        )
        .unwrap();
        assert_eq!(out, json!({"data": {"a": "9", "c": "3"}}));
        let err = apply(
            &current,
            &json!({"data": {"c": "4"}}),
            None,
            &others,
            false,
            true,
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![(
                vec!["data".to_string(), "c".to_string()],
                "other".to_string()
            )]
        );
        assert!(
            apply(
                &current,
                &json!({"data": {"c": "4"}}),
                None,
                &others,
                true,
                true
            )
            .is_ok()
        );
    }
}
