//! The operator killed mid-provision and mid-destroy (its task aborted: no cleanup runs),
//! then started again: the Tenant converges, with one Gitea user, one key, one state.

use std::time::Duration;

use serde_json::json;

use super::harness::{OpLab, phase_of};

const HOLD: &str = "test.example/hold";
use crate::tenants::lab::tenant_objects;

#[tokio::test]
async fn killed_mid_provision_and_mid_destroy_a_new_operator_converges() {
    // Slow controllers: Applications take a while to become healthy.
    let op = OpLab::start_with(Duration::from_millis(400)).await;
    let first = op.operator(op.options());
    op.create("hank", json!({})).await;
    op.wait_for("hank", "provisioning", Duration::from_secs(60), |t| {
        phase_of(t) == Some("Provisioning")
    })
    .await;
    assert!(
        op.lab.gitea.user_exists("hank"),
        "killed after the Gitea user was made"
    );
    first.abort();
    let _ = first.await;
    let state = op
        .lab
        .kube
        .get(
            "v1",
            "Secret",
            Some("openshift-gitops"),
            "tenant-hank-state",
        )
        .unwrap();
    let second = op.operator(op.options());
    op.wait_phase("hank", "Ready").await;
    let after = op
        .lab
        .kube
        .get(
            "v1",
            "Secret",
            Some("openshift-gitops"),
            "tenant-hank-state",
        )
        .unwrap();
    assert_eq!(
        state["data"]["gitea_password"], after["data"]["gitea_password"],
        "the state is reused, not regenerated"
    );
    let keys = op.lab.llm.keys();
    assert_eq!(
        keys.iter()
            .filter(|k| k.alias.as_deref() == Some("virtkey-ghank"))
            .count(),
        1
    );
    // Mid-destroy: an object with a finalizer of someone else's holds a namespace in
    // termination, so destroy waits there; the operator is killed while it waits.
    op.lab
        .kube
        .apply_object(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "hold", "namespace": "agent-hank", "finalizers": [HOLD]}}))
        .unwrap();
    op.delete("hank").await;
    op.wait_for("hank", "deleting", Duration::from_secs(60), |t| {
        t.is_some_and(|t| t.metadata.deletion_timestamp.is_some())
            && phase_of(t) == Some("Deleting")
            && t.and_then(|t| super::harness::condition(t, "Ready"))
                .is_some_and(|c| c.2.contains("namespaces deleted"))
    })
    .await;
    let t = op.get("hank").await.unwrap();
    let ready = super::harness::condition(&t, "Ready").unwrap();
    assert_eq!(ready.1, "Waiting", "{ready:?}");
    assert!(
        !op.lab.gitea.user_exists("hank"),
        "destroy got past the Gitea user"
    );
    second.abort();
    let _ = second.await;
    let cms: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(op.client.clone(), "agent-hank");
    cms.patch(
        "hold",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    let third = op.operator(op.options());
    op.wait_gone("hank").await;
    assert!(tenant_objects(&op.lab.kube, "hank").is_empty());
    assert!(!op.lab.gitea.user_exists("hank"));
    assert!(op.lab.llm.keys().is_empty());
    third.abort();
}
