use super::*;
use serde_json::json;

#[test]
fn table_matches_kubectl_layout() {
    let server = json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "columnDefinitions": [{"name": "Name"}, {"name": "Ready"}, {"name": "Status"}, {"name": "Restarts"}],
        "rows": [
            {"cells": ["build-pod", "0/2", "Error", 3], "object": {"metadata": {"name": "build-pod", "namespace": "agent-user1", "labels": {"b": "2", "a": "1"}}}},
            {"cells": ["web", "1/1", "Running", 0], "object": {"metadata": {"name": "web", "namespace": "default"}}}
        ]
    });
    let t = Table::from_server_table(&server, "v1", "Pod");
    let text = t.render();
    let expected = "\
NAMESPACE     APIVERSION   KIND   NAME        READY   STATUS    RESTARTS   LABELS
agent-user1   v1           Pod    build-pod   0/2     Error     3          a=1,b=2
default       v1           Pod    web         1/1     Running   0          <none>
";
    assert_eq!(text, expected);
}

#[test]
fn cluster_scoped_tables_have_no_namespace_column() {
    let server = json!({"columnDefinitions": [{"name": "Name"}], "rows": [{"cells": ["default"], "object": {"metadata": {"name": "default"}}}]});
    let t = Table::from_server_table(&server, "v1", "Namespace");
    assert_eq!(t.headers, vec!["APIVERSION", "KIND", "NAME", "LABELS"]);
}

#[test]
fn yaml_lists_drop_managed_fields_and_fill_kind() {
    let list = json!({"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p", "managedFields": [{"manager": "x"}]}}]});
    let y = list_yaml(&list);
    assert!(!y.contains("managedFields"), "{y}");
    assert!(y.contains("kind: Pod"), "{y}");
    assert!(y.contains("apiVersion: v1"), "{y}");
}

#[test]
fn events_use_go_time_format() {
    let e = json!({"metadata": {"namespace": "ns"}, "type": "Warning", "reason": "BackOff", "message": " restarting \n",
        "involvedObject": {"kind": "Pod", "name": "p", "apiVersion": "v1"}, "lastTimestamp": "2026-11-24T01:24:36Z"});
    let s = simplify_event(&e);
    assert_eq!(s["Timestamp"], "2026-11-24 01:24:36 +0000 UTC");
    assert_eq!(s["Message"], "restarting");
    assert_eq!(s["InvolvedObject"]["Kind"], "Pod");
}

#[test]
fn ages() {
    assert_eq!(human_age(5), "5s");
    assert_eq!(human_age(600), "10m");
    assert_eq!(human_age(4 * 3600), "4h");
    assert_eq!(human_age(3 * 86400), "3d");
}
