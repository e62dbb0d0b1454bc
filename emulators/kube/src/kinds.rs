//! Per-kind behaviour, only where Kubernetes itself has it: Namespace and Secret
//! defaulting, a simulated kubelet status for new Pods, pod logs from annotations, CRDs
//! that register resource types, and OpenShift Projects mirroring Namespaces.

use base64::Engine;
use serde_json::{Value, json};

use super::object::{meta_mut, meta_str, now};
use super::registry::{self, ResourceType};
use super::status::ApiError;
use super::store::{Key, LogText, State};

/// Annotation holding `{container: log text}` for a Pod's current containers.
pub const LOGS_ANNOTATION: &str = "testbed.io/logs";
/// Annotation holding `{container: log text}` for the previous container instances.
pub const PREVIOUS_LOGS_ANNOTATION: &str = "testbed.io/previous-logs";

fn is(rt: &ResourceType, group: &str, kind: &str) -> bool {
    rt.group == group && rt.kind == kind
}

/// Fills the defaults the API server (and, for Pods, a kubelet) would fill on create.
pub(super) fn defaults_on_create(rt: &ResourceType, obj: &mut Value) {
    let name = meta_str(obj, "name").unwrap_or("").to_string();
    if is(rt, "", "Namespace") {
        let meta = meta_mut(obj);
        let labels = meta.entry("labels").or_insert_with(|| json!({}));
        if let Some(l) = labels.as_object_mut() {
            l.insert("kubernetes.io/metadata.name".into(), json!(name));
        }
        obj["spec"] = json!({"finalizers": ["kubernetes"]});
        obj["status"] = json!({"phase": "Active"});
    } else if is(rt, "", "Pod")
        && obj
            .get("status")
            .is_none_or(|s| s.as_object().is_none_or(|m| m.is_empty()))
    {
        obj["status"] = running_status(obj);
    } else if is_workload(rt) && obj.get("status").is_none_or(Value::is_null) {
        obj["status"] = rolled_out(obj, &rt.kind);
    } else if is(rt, "", "Service") {
        if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
            spec.entry("type").or_insert_with(|| json!("ClusterIP"));
            spec.entry("clusterIP")
                .or_insert_with(|| json!("10.96.0.10"));
        }
    } else if is(rt, "apiextensions.k8s.io", "CustomResourceDefinition") {
        obj["status"] = json!({"conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "lastTransitionTime": now(), "message": "no conflicts found"},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "lastTransitionTime": now(), "message": "the initial names have been accepted"}
        ], "acceptedNames": obj.pointer("/spec/names").cloned().unwrap_or(json!({}))});
    }
}

/// Whether a simulated controller rolls this kind out (Deployments, StatefulSets, …).
pub(super) fn is_workload(rt: &ResourceType) -> bool {
    rt.group == "apps"
        && matches!(
            rt.kind.as_str(),
            "Deployment" | "StatefulSet" | "ReplicaSet"
        )
}

/// The status of a workload whose controller has rolled out every replica.
pub(super) fn rolled_out(obj: &Value, kind: &str) -> Value {
    let replicas = obj
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let generation = obj
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let ts = now();
    let mut status = json!({
        "observedGeneration": generation, "replicas": replicas, "readyReplicas": replicas,
        "availableReplicas": replicas, "updatedReplicas": replicas,
    });
    if kind == "Deployment" {
        status["conditions"] = json!([
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": ts, "lastTransitionTime": ts},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet has successfully progressed.", "lastUpdateTime": ts, "lastTransitionTime": ts}
        ]);
    }
    status
}

/// What a kubelet would report for a freshly started Pod: Running, every container ready.
fn running_status(pod: &Value) -> Value {
    let started = now();
    let statuses: Vec<Value> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    json!({
                        "name": c.get("name").cloned().unwrap_or(json!("")),
                        "image": c.get("image").cloned().unwrap_or(json!("")),
                        "imageID": "", "ready": true, "started": true, "restartCount": 0,
                        "state": {"running": {"startedAt": started}}
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": started},
                       {"type": "ContainersReady", "status": "True", "lastTransitionTime": started},
                       {"type": "PodScheduled", "status": "True", "lastTransitionTime": started}],
        "hostIP": "10.0.0.10", "podIP": "10.128.0.20",
        "podIPs": [{"ip": "10.128.0.20"}], "startTime": started,
        "qosClass": "BestEffort",
        "containerStatuses": statuses,
    })
}

/// Defaults applied on every write (create and update).
pub(super) fn defaults_on_write(rt: &ResourceType, obj: &mut Value) -> Result<(), ApiError> {
    if is(rt, "", "Secret") {
        let map = obj
            .as_object_mut()
            .ok_or_else(|| ApiError::bad_request("object must be a JSON object"))?;
        map.entry("type").or_insert_with(|| json!("Opaque"));
        if let Some(Value::Object(plain)) = map.remove("stringData") {
            let data = map.entry("data").or_insert_with(|| json!({}));
            if let Some(data) = data.as_object_mut() {
                for (k, v) in plain {
                    let text = v.as_str().unwrap_or_default();
                    data.insert(
                        k,
                        json!(base64::engine::general_purpose::STANDARD.encode(text)),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Kind-specific validation of an object about to be stored.
pub(super) fn validate(
    rt: &ResourceType,
    obj: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let name = meta_str(obj, "name").unwrap_or("");
    if is(rt, "", "Pod") {
        for ann in [LOGS_ANNOTATION, PREVIOUS_LOGS_ANNOTATION] {
            if let Some(text) = obj
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(ann))
                .and_then(Value::as_str)
            {
                let parsed: Result<serde_json::Map<String, Value>, _> = serde_json::from_str(text);
                if parsed.is_err() {
                    return Err(ApiError::invalid(
                        "Pod",
                        name,
                        "",
                        &format!("metadata.annotations[{ann}]"),
                        "must be a JSON object of container name to log text",
                    ));
                }
            }
        }
        let has_containers = obj
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty());
        if !has_containers {
            return Err(ApiError::invalid(
                "Pod",
                name,
                "",
                "spec.containers",
                "Required value",
            ));
        }
    }
    if let Some(old) = old {
        if (is(rt, "rbac.authorization.k8s.io", "RoleBinding")
            || is(rt, "rbac.authorization.k8s.io", "ClusterRoleBinding"))
            && old.get("roleRef") != obj.get("roleRef")
        {
            return Err(ApiError::invalid(
                &rt.kind,
                name,
                &rt.group,
                "roleRef",
                "Invalid value: cannot change roleRef",
            ));
        }
        if is(rt, "", "Secret") && old.get("type") != obj.get("type") {
            return Err(ApiError::invalid(
                "Secret",
                name,
                "",
                "type",
                "Invalid value: field is immutable",
            ));
        }
    }
    if is(rt, "apiextensions.k8s.io", "CustomResourceDefinition") {
        registry::from_crd(obj).map_err(|why| {
            ApiError::invalid("CustomResourceDefinition", name, &rt.group, "spec", &why)
        })?;
    }
    Ok(())
}

/// Side effects of a stored create or update.
pub(super) fn after_write(st: &mut State, rt: &ResourceType, obj: &Value) {
    let name = meta_str(obj, "name").unwrap_or("").to_string();
    if rt.kind == "Event" && (rt.group.is_empty() || rt.group == "events.k8s.io") {
        let key = Key::new(rt, meta_str(obj, "namespace").unwrap_or(""), &name);
        super::events::mirror_write(st, &key, obj);
    } else if is(rt, "apiextensions.k8s.io", "CustomResourceDefinition") {
        if let Ok(types) = registry::from_crd(obj) {
            st.register(types);
            st.set_schemas(obj);
        }
    } else if is(rt, "", "Pod") {
        let ns = meta_str(obj, "namespace").unwrap_or("").to_string();
        for (ann, previous) in [(LOGS_ANNOTATION, false), (PREVIOUS_LOGS_ANNOTATION, true)] {
            let Some(text) = obj
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(ann))
                .and_then(Value::as_str)
            else {
                continue;
            };
            if let Ok(map) = serde_json::from_str::<serde_json::Map<String, Value>>(text) {
                for (container, log) in map {
                    let log = log.as_str().unwrap_or_default();
                    st.logs.insert(
                        (ns.clone(), name.clone(), container, previous),
                        log_text(log),
                    );
                }
            }
        }
    } else if is(rt, "", "Namespace") {
        mirror_project(st, obj);
    }
}

/// Splits log text into stamped lines.
pub(super) fn log_text(text: &str) -> LogText {
    // Line i of n was written n-1-i seconds before now, so sinceSeconds can select.
    let now = jiff::Timestamp::now().as_second();
    let n = text.lines().count() as i64;
    LogText {
        lines: text
            .lines()
            .enumerate()
            .map(|(i, l)| (now - (n - 1 - i as i64), l.to_string()))
            .collect(),
    }
}

fn project_key(name: &str) -> Key {
    Key {
        group: "project.openshift.io".into(),
        plural: "projects".into(),
        namespace: String::new(),
        name: name.into(),
    }
}

/// OpenShift shows every Namespace as a Project with the same name, labels and
/// annotations.
fn mirror_project(st: &mut State, ns: &Value) {
    let name = meta_str(ns, "name").unwrap_or("").to_string();
    let Some(pt) = st
        .types
        .iter()
        .find(|t| t.group == "project.openshift.io" && t.plural == "projects")
        .cloned()
    else {
        return;
    };
    let mut meta = ns.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    let project = json!({
        "apiVersion": pt.api_version(), "kind": "Project", "metadata": meta,
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": ns.pointer("/status/phase").cloned().unwrap_or(json!("Active"))},
    });
    let key = project_key(&name);
    let unchanged = st.objects.get(&key).map(super::object::comparable)
        == Some(super::object::comparable(&project));
    if !unchanged {
        let kind = if st.objects.contains_key(&key) {
            "MODIFIED"
        } else {
            "ADDED"
        };
        st.put(key, project, kind);
    }
}

/// Side effects of a removed object.
pub(super) fn after_remove(st: &mut State, rt: &ResourceType, obj: &Value) {
    let name = meta_str(obj, "name").unwrap_or("").to_string();
    if rt.kind == "Event" && (rt.group.is_empty() || rt.group == "events.k8s.io") {
        super::events::mirror_remove(
            st,
            &Key::new(rt, meta_str(obj, "namespace").unwrap_or(""), &name),
        );
    } else if is(rt, "apiextensions.k8s.io", "CustomResourceDefinition") {
        if let (Some(group), Some(plural)) = (
            obj.pointer("/spec/group").and_then(Value::as_str),
            obj.pointer("/spec/names/plural").and_then(Value::as_str),
        ) {
            let (group, plural) = (group.to_string(), plural.to_string());
            let keys: Vec<Key> = st
                .objects
                .keys()
                .filter(|k| k.group == group && k.plural == plural)
                .cloned()
                .collect();
            for k in keys {
                st.remove(&k);
            }
            st.unregister(&group, &plural);
        }
    } else if is(rt, "", "Namespace") {
        st.remove(&project_key(&name));
    }
}
