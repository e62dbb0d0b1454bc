//! The chart's RBAC is enough: the operator runs as the chart's ServiceAccount (the
//! ClusterRole and Roles `helm template` renders, enforced by the Kubernetes emulator)
//! and takes a Tenant through Ready and deletion; and it is not more than that: the same
//! identity may not read the cluster's other Secrets or create RoleBindings.

use std::process::Command;

use emulator_support::tools::{Tool, require};
use kube::Api;
use kube_emulator::{Identity, Rule};
use serde_json::{Value, json};

use super::harness::{CREDS_NS, OpLab};
use crate::tenants::lab::tenant_objects;

/// The rules the chart grants, as the emulator enforces them.
fn chart_rules() -> Vec<Rule> {
    let chart = concat!(env!("CARGO_MANIFEST_DIR"), "/../charts/tenant-operator");
    let out = Command::new(require(Tool::Helm))
        .args(["template", "t", chart, "--namespace", CREDS_NS])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    let mut rules = Vec::new();
    for d in docs
        .iter()
        .filter(|d| d["kind"] == "ClusterRole" || d["kind"] == "Role")
    {
        let namespaces = match d["metadata"]["namespace"].as_str() {
            Some(ns) if d["kind"] == "Role" => vec![ns.to_string()],
            _ => vec![],
        };
        for r in d["rules"].as_array().unwrap() {
            rules.push(Rule {
                verbs: list(&r["verbs"]),
                api_groups: list(&r["apiGroups"]),
                resources: list(&r["resources"]),
                namespaces: namespaces.clone(),
            });
        }
    }
    assert!(rules.len() > 5);
    rules
}

#[tokio::test]
async fn the_operator_needs_no_more_than_the_charts_rbac() {
    let op = OpLab::start().await;
    let token = "tenant-operator-sa-token";
    op.lab.kube.add_identity(
        token,
        Identity::service_account(CREDS_NS, "tenant-operator", chart_rules()),
    );
    let client = op.lab.kube.client_with_token(token);
    let task = op.operator_with(client.clone(), op.options());
    op.create("mona", json!({})).await;
    op.wait_phase("mona", "Ready").await;
    op.delete("mona").await;
    op.wait_gone("mona").await;
    assert!(tenant_objects(&op.lab.kube, "mona").is_empty());
    task.abort();
    // Not more: other namespaces' Secrets cannot be listed, RoleBindings not made.
    op.lab
        .kube
        .apply_object(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "elsewhere"}}),
        )
        .unwrap();
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(client.clone(), "elsewhere");
    let err = secrets.list(&Default::default()).await.unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 403),
        "{err}"
    );
    let rb: Api<k8s_openapi::api::rbac::v1::RoleBinding> = Api::namespaced(client, "elsewhere");
    let binding: k8s_openapi::api::rbac::v1::RoleBinding = serde_json::from_value(json!({
        "metadata": {"name": "grab"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "tenant-operator", "namespace": CREDS_NS}]
    }))
    .unwrap();
    let err = rb.create(&Default::default(), &binding).await.unwrap_err();
    assert!(
        matches!(err, kube::Error::Api(ref s) if s.code == 403),
        "{err}"
    );
}
