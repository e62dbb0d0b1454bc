//! Events are one object served by two APIs: `core/v1` Event (what kubectl and most
//! tools read) and `events.k8s.io/v1` Event (what kube-runtime's `Recorder` writes).
//! A write to either is mirrored into the other's shape, so readers of one API see
//! events written through the other.

use serde_json::{Map, Value, json};

use super::store::{Key, State};

fn copy(from: &Value, to: &mut Map<String, Value>, pairs: &[(&str, &str)]) {
    for (src, dst) in pairs {
        if let Some(v) = from.get(*src).filter(|v| !v.is_null()) {
            to.insert((*dst).to_string(), v.clone());
        }
    }
}

fn metadata(obj: &Value) -> Value {
    let mut meta = obj.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    meta
}

/// A core/v1 Event in the events.k8s.io/v1 shape.
fn to_events_api(core: &Value) -> Value {
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("kind".into(), json!("Event"));
    out.insert("metadata".into(), metadata(core));
    copy(
        core,
        &mut out,
        &[
            ("involvedObject", "regarding"),
            ("message", "note"),
            ("reason", "reason"),
            ("type", "type"),
            ("action", "action"),
            ("related", "related"),
            ("source", "deprecatedSource"),
            ("firstTimestamp", "deprecatedFirstTimestamp"),
            ("lastTimestamp", "deprecatedLastTimestamp"),
            ("count", "deprecatedCount"),
            ("eventTime", "eventTime"),
            ("reportingInstance", "reportingInstance"),
        ],
    );
    let controller = core
        .get("reportingComponent")
        .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        .or_else(|| core.pointer("/source/component"));
    if let Some(c) = controller {
        out.insert("reportingController".into(), c.clone());
    }
    Value::Object(out)
}

/// An events.k8s.io/v1 Event in the core/v1 shape.
fn to_core(ev: &Value) -> Value {
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!("v1"));
    out.insert("kind".into(), json!("Event"));
    out.insert("metadata".into(), metadata(ev));
    copy(
        ev,
        &mut out,
        &[
            ("regarding", "involvedObject"),
            ("note", "message"),
            ("reason", "reason"),
            ("type", "type"),
            ("action", "action"),
            ("related", "related"),
            ("deprecatedFirstTimestamp", "firstTimestamp"),
            ("deprecatedCount", "count"),
            ("eventTime", "eventTime"),
            ("reportingController", "reportingComponent"),
            ("reportingInstance", "reportingInstance"),
        ],
    );
    let last = ev
        .get("deprecatedLastTimestamp")
        .filter(|v| !v.is_null())
        .or_else(|| ev.get("eventTime"));
    if let Some(t) = last {
        out.insert("lastTimestamp".into(), t.clone());
    }
    let source = ev.get("deprecatedSource").filter(|v| !v.is_null()).cloned().unwrap_or_else(|| {
        json!({"component": ev.get("reportingController").cloned().unwrap_or(json!("")), "host": ev.get("reportingInstance").cloned().unwrap_or(json!(""))})
    });
    out.insert("source".into(), source);
    Value::Object(out)
}

fn mirror_key(key: &Key) -> Key {
    let group = if key.group.is_empty() {
        "events.k8s.io"
    } else {
        ""
    };
    Key {
        group: group.into(),
        ..key.clone()
    }
}

/// Mirrors a stored Event of either API into the other (without re-running hooks).
pub(super) fn mirror_write(st: &mut State, key: &Key, obj: &Value) {
    let mirrored = if key.group.is_empty() {
        to_events_api(obj)
    } else {
        to_core(obj)
    };
    let target = mirror_key(key);
    let kind = if st.objects.contains_key(&target) {
        "MODIFIED"
    } else {
        "ADDED"
    };
    st.put(target, mirrored, kind);
}

/// Removes the mirror of a removed Event.
pub(super) fn mirror_remove(st: &mut State, key: &Key) {
    st.remove(&mirror_key(key));
}
