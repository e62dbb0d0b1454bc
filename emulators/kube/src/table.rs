//! `meta.k8s.io/v1` Table rendering: the columns kubectl prints per kind (computed for
//! Pods, Namespaces and Events as the API server computes them; JSONPath columns for
//! custom resources; Name + Age otherwise).

use serde_json::{Value, json};

use super::registry::{Column, ResourceType};

fn columns(rt: &ResourceType) -> Vec<Column> {
    let c = Column::new;
    let mut cols = vec![c("Name", "string", ".metadata.name", 0)];
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Pod") => cols.extend([
            c("Ready", "string", "@ready", 0),
            c("Status", "string", "@podstatus", 0),
            c("Restarts", "string", "@restarts", 0),
            c("Age", "string", "@age", 0),
            c("IP", "string", ".status.podIP", 1),
            c("Node", "string", ".spec.nodeName", 1),
        ]),
        ("", "Namespace") | ("project.openshift.io", "Project") => {
            if rt.kind == "Project" {
                cols.push(c(
                    "Display Name",
                    "string",
                    ".metadata.annotations.openshift\\.io/display-name",
                    0,
                ));
            }
            cols.extend([
                c("Status", "string", ".status.phase", 0),
                c("Age", "string", "@age", 0),
            ]);
        }
        ("", "Event") => {
            cols = vec![
                c("Last Seen", "string", "@lastseen", 0),
                c("Type", "string", ".type", 0),
                c("Reason", "string", ".reason", 0),
                c("Object", "string", "@involved", 0),
                c("Message", "string", ".message", 0),
            ];
        }
        ("", "Node") => cols.extend([
            c("Status", "string", "@nodestatus", 0),
            c("Roles", "string", "@roles", 0),
            c("Age", "string", "@age", 0),
            c("Version", "string", ".status.nodeInfo.kubeletVersion", 0),
        ]),
        ("", "ConfigMap") => cols.extend([
            c("Data", "integer", "@datacount", 0),
            c("Age", "string", "@age", 0),
        ]),
        ("", "Secret") => cols.extend([
            c("Type", "string", ".type", 0),
            c("Data", "integer", "@datacount", 0),
            c("Age", "string", "@age", 0),
        ]),
        ("", "Service") => cols.extend([
            c("Type", "string", ".spec.type", 0),
            c("Cluster-IP", "string", ".spec.clusterIP", 0),
            c("Age", "string", "@age", 0),
        ]),
        ("apps", "Deployment") => cols.extend([
            c("Ready", "string", "@replicas", 0),
            c("Up-to-date", "integer", ".status.updatedReplicas", 0),
            c("Available", "integer", ".status.availableReplicas", 0),
            c("Age", "string", "@age", 0),
        ]),
        _ if !rt.columns.is_empty() => cols.extend(rt.columns.iter().map(|col| {
            if col.path == ".metadata.creationTimestamp" {
                c(&col.name, "string", "@age", col.priority)
            } else {
                col.clone()
            }
        })),
        _ => cols.push(c("Age", "string", "@age", 0)),
    }
    cols
}

/// A Table of `items`; `include` is `includeObject` (`Metadata` default, `Object`, `None`).
pub(super) fn render(rt: &ResourceType, items: &[Value], rv: &str, include: &str) -> Value {
    let cols = columns(rt);
    let defs: Vec<Value> = cols
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind, "format": if c.name == "Name" { "name" } else { "" }, "description": c.name, "priority": c.priority}))
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|item| {
            let cells: Vec<Value> = cols.iter().map(|c| cell(item, &c.path)).collect();
            let mut row = json!({"cells": cells});
            match include {
                "None" => {}
                "Object" => row["object"] = item.clone(),
                _ => row["object"] = super::object::partial(item),
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv}, "columnDefinitions": defs, "rows": rows})
}

fn cell(obj: &Value, path: &str) -> Value {
    match path {
        "@age" => json!(age(obj
            .pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str))),
        "@lastseen" => json!(age(obj
            .get("lastTimestamp")
            .or_else(|| obj.get("eventTime"))
            .or_else(|| obj.pointer("/metadata/creationTimestamp"))
            .and_then(Value::as_str))),
        "@involved" => {
            let io = obj.get("involvedObject").or_else(|| obj.get("regarding"));
            let s = |k| {
                io.and_then(|o| o.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            json!(format!("{}/{}", s("kind").to_lowercase(), s("name")))
        }
        "@datacount" => json!(
            obj.get("data")
                .and_then(Value::as_object)
                .map(|m| m.len())
                .unwrap_or(0)
        ),
        "@replicas" => json!(format!(
            "{}/{}",
            obj.pointer("/status/readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            obj.pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1)
        )),
        "@ready" | "@restarts" | "@podstatus" | "@nodestatus" | "@roles" => {
            node_or_pod_cell(obj, path)
        }
        _ => jsonpath(obj, path),
    }
}

/// Computed cells of Pods and Nodes.
fn node_or_pod_cell(obj: &Value, path: &str) -> Value {
    match path {
        "@ready" => {
            let statuses = container_statuses(obj);
            let total = obj
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map(Vec::len)
                .unwrap_or(0);
            let ready = statuses
                .iter()
                .filter(|s| s.get("ready").and_then(Value::as_bool) == Some(true))
                .count();
            json!(format!("{ready}/{total}"))
        }
        "@restarts" => {
            let n: i64 = container_statuses(obj)
                .iter()
                .filter_map(|s| s.get("restartCount").and_then(Value::as_i64))
                .sum();
            json!(n.to_string())
        }
        "@podstatus" => json!(pod_status(obj)),
        "@nodestatus" => {
            let ready = obj
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
            json!(if ready.is_some_and(|c| c["status"] == "True") {
                "Ready"
            } else {
                "NotReady"
            })
        }
        "@roles" => {
            let roles: Vec<&str> = obj
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .map(|l| {
                    l.keys()
                        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                        .collect()
                })
                .unwrap_or_default();
            json!(if roles.is_empty() {
                "<none>".to_string()
            } else {
                roles.join(",")
            })
        }
        _ => Value::Null,
    }
}

fn container_statuses(obj: &Value) -> Vec<Value> {
    obj.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The STATUS column kubectl shows: a waiting/terminated reason beats the phase.
pub(super) fn pod_status(pod: &Value) -> String {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    let mut status = pod
        .pointer("/status/reason")
        .or_else(|| pod.pointer("/status/phase"))
        .and_then(Value::as_str)
        .unwrap_or("Pending")
        .to_string();
    for s in container_statuses(pod) {
        if let Some(r) = s.pointer("/state/waiting/reason").and_then(Value::as_str) {
            status = r.to_string();
        } else if let Some(r) = s
            .pointer("/state/terminated/reason")
            .and_then(Value::as_str)
        {
            status = r.to_string();
        }
    }
    status
}

/// Evaluates the simple JSONPath subset printer columns use: `.a.b`, `.a[0]`, and
/// `.a[?(@.k=="v")].b`.
pub(super) fn jsonpath(obj: &Value, path: &str) -> Value {
    let mut node = obj;
    let mut rest = path.trim_start_matches('.');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[?(@.") {
            let Some((cond, tail)) = after.split_once(")]") else {
                return Value::Null;
            };
            let Some((k, v)) = cond.split_once("==") else {
                return Value::Null;
            };
            let v = v.trim_matches(|c| c == '"' || c == '\'');
            let Some(found) = node.as_array().and_then(|a| {
                a.iter()
                    .find(|i| i.get(k).and_then(Value::as_str) == Some(v))
            }) else {
                return Value::Null;
            };
            node = found;
            rest = tail.trim_start_matches('.');
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some((idx, tail)) = after.split_once(']') else {
                return Value::Null;
            };
            let Some(next) = idx.parse::<usize>().ok().and_then(|i| node.get(i)) else {
                return Value::Null;
            };
            node = next;
            rest = tail.trim_start_matches('.');
        } else {
            let (seg, tail) = split_segment(rest);
            let key = seg.replace("\\.", ".");
            let Some(next) = node.get(key.as_str()) else {
                return Value::Null;
            };
            node = next;
            rest = tail;
        }
    }
    node.clone()
}

fn split_segment(s: &str) -> (&str, &str) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'.' => return (&s[..i], &s[i + 1..]),
            b'[' => return (&s[..i], &s[i..]),
            _ => i += 1,
        }
    }
    (s, "")
}

/// `5m`, `3h`, `2d` since a timestamp.
pub(super) fn age(ts: Option<&str>) -> String {
    let Some(t) = ts.and_then(|t| t.parse::<jiff::Timestamp>().ok()) else {
        return "<unknown>".into();
    };
    let secs = (jiff::Timestamp::now().as_second() - t.as_second()).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonpath_subset() {
        let obj = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Succeeded", "status": "True"}]},
                         "metadata": {"annotations": {"openshift.io/display-name": "D"}}});
        assert_eq!(
            jsonpath(&obj, ".status.conditions[?(@.type==\"Succeeded\")].status"),
            json!("True")
        );
        assert_eq!(jsonpath(&obj, ".status.conditions[0].type"), json!("Ready"));
        assert_eq!(
            jsonpath(&obj, ".metadata.annotations.openshift\\.io/display-name"),
            json!("D")
        );
        assert_eq!(jsonpath(&obj, ".nope.x"), Value::Null);
    }
}
