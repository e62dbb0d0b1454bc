//! A Tenant's life: Ready with every object there and no secret in its status, Events per
//! step, destroyed with nothing left; bad input named in status with nothing created;
//! drift (a deleted Secret, a deleted Application) repaired; `expiresAt` destroying.

use std::time::Duration;

use kube::api::DeleteParams;
use kube::{Api, ResourceExt};
use provisioner::operator::crd::FINALIZER;
use serde_json::json;

use super::harness::{OpLab, condition, phase_of};
use crate::tenants::lab::{secret_value, tenant_objects};

#[tokio::test]
async fn a_tenant_becomes_ready_and_its_deletion_leaves_nothing() {
    let op = OpLab::start().await;
    let task = op.operator(op.options());
    op.create("alice", json!({})).await;
    let t = op.wait_phase("alice", "Ready").await;
    for group in [
        "Namespaces",
        "Gitea",
        "LlmKey",
        "Secrets",
        "Deployed",
        "Guide",
        "Ready",
    ] {
        let (status, reason, _) = condition(&t, group).unwrap_or_else(|| panic!("no {group}"));
        assert_eq!((status.as_str(), group), ("True", group), "{reason}");
    }
    assert!(t.finalizers().contains(&FINALIZER.to_string()));
    let status = t.status.clone().unwrap();
    assert_eq!(status.observed_generation, t.metadata.generation);
    assert!(
        status
            .conditions
            .iter()
            .any(|c| c.duration_millis.is_some())
    );
    assert_eq!(status.user_info.as_ref().unwrap().name, "userinfo-alice");
    assert_eq!(
        status.credentials_secret.as_ref().unwrap().name,
        "userinfo-alice"
    );
    // The objects: Gitea user, key, Secrets, Applications, user info.
    let lab = &op.lab;
    assert!(lab.gitea.user_exists("alice"));
    let key = secret_value(lab, "agent-alice", "agent-llm", "LITELLM_API_KEY");
    assert!(
        lab.llm
            .keys()
            .iter()
            .any(|k| k.alias.as_deref() == Some("virtkey-galice"))
    );
    let apps = lab.kube.list(
        "argoproj.io/v1alpha1",
        "Application",
        Some("openshift-gitops"),
    );
    assert_eq!(
        apps.iter()
            .filter(|a| a["metadata"]["name"].as_str().unwrap().ends_with("-alice"))
            .count(),
        5
    );
    assert!(
        lab.kube
            .get(
                "v1",
                "ConfigMap",
                Some("openshift-gitops"),
                "userinfo-alice"
            )
            .is_some()
    );
    // Never a secret in status.
    let text = serde_json::to_string(&status).unwrap();
    let gitea_token = secret_value(lab, "mcp-gitea-alice", "gitea-creds", "token");
    for secret in [&key, &gitea_token] {
        assert!(
            !text.contains(secret.as_str()),
            "a secret in status: {text}"
        );
    }
    // Events per step on the Tenant.
    let events = lab.kube.list("events.k8s.io/v1", "Event", None);
    let ours: Vec<_> = events
        .iter()
        .filter(|e| e["regarding"]["name"] == "alice")
        .collect();
    assert!(ours.iter().any(|e| e["reason"] == "GiteaUser"), "{ours:#?}");
    // Delete: the finalizer destroys everything first.
    op.delete("alice").await;
    op.wait_gone("alice").await;
    assert_eq!(tenant_objects(&lab.kube, "alice"), Vec::<String>::new());
    assert!(!lab.gitea.user_exists("alice"));
    assert!(
        lab.llm
            .keys()
            .iter()
            .all(|k| k.alias.as_deref() != Some("virtkey-galice"))
    );
    assert!(
        lab.kube
            .get(
                "v1",
                "Secret",
                Some("openshift-gitops"),
                "tenant-alice-state"
            )
            .is_none()
    );
    task.abort();
}

#[tokio::test]
async fn bad_input_is_named_in_status_and_nothing_is_created() {
    let op = OpLab::start().await;
    let task = op.operator(op.options());
    op.create("bob", json!({"guid": "Not_A_Label"})).await;
    op.create("carol", json!({"username": "someone-else"}))
        .await;
    op.create("dave", json!({"profileRef": {"name": "missing"}}))
        .await;
    op.create("erin", json!({"expiresAt": "tomorrow"})).await;
    for (name, field) in [
        ("bob", "spec.guid"),
        ("carol", "spec.username"),
        ("dave", "spec.profileRef.name"),
        ("erin", "spec.expiresAt"),
    ] {
        let t = op.wait_phase(name, "Invalid").await;
        let (status, reason, message) = condition(&t, "Ready").unwrap();
        assert_eq!((status.as_str(), reason.as_str()), ("False", "InvalidSpec"));
        assert!(message.contains(field), "{name}: {message}");
        assert!(
            t.finalizers().is_empty(),
            "no finalizer before anything is created"
        );
        assert!(tenant_objects(&op.lab.kube, name).is_empty());
        assert!(!op.lab.gitea.user_exists(name));
    }
    assert!(op.lab.llm.keys().is_empty());
    // Fixing the spec provisions it; an invalid Tenant deletes at once.
    let mut bob = op.get("bob").await.unwrap();
    bob.spec.guid = "gbob".into();
    op.tenants()
        .replace("bob", &Default::default(), &bob)
        .await
        .unwrap();
    op.wait_phase("bob", "Ready").await;
    op.delete("carol").await;
    op.wait_gone("carol").await;
    task.abort();
}

#[tokio::test]
async fn a_deleted_secret_and_a_deleted_application_are_repaired() {
    let op = OpLab::start().await;
    let task = op.operator(op.options());
    op.create("frank", json!({})).await;
    op.wait_phase("frank", "Ready").await;
    let key = secret_value(&op.lab, "agent-frank", "agent-llm", "LITELLM_API_KEY");
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(op.client.clone(), "agent-frank");
    secrets
        .delete("agent-llm", &DeleteParams::default())
        .await
        .unwrap();
    let ar = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
        "argoproj.io",
        "v1alpha1",
        "Application",
    ));
    let apps: Api<kube::api::DynamicObject> =
        Api::namespaced_with(op.client.clone(), "openshift-gitops", &ar);
    apps.delete("mcp-gitea-frank", &DeleteParams::default())
        .await
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let secret = op
            .lab
            .kube
            .get("v1", "Secret", Some("agent-frank"), "agent-llm");
        let app = op.lab.kube.get(
            "argoproj.io/v1alpha1",
            "Application",
            Some("openshift-gitops"),
            "mcp-gitea-frank",
        );
        if secret.is_some() && app.is_some() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "not repaired: secret {secret:?} app {app:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        secret_value(&op.lab, "agent-frank", "agent-llm", "LITELLM_API_KEY"),
        key,
        "the same key, not a new one"
    );
    op.wait_phase("frank", "Ready").await;
    task.abort();
}

#[tokio::test]
async fn an_expired_tenant_is_destroyed() {
    let op = OpLab::start().await;
    let task = op.operator(op.options());
    let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(4);
    op.create("gina", json!({"expiresAt": at.to_string()}))
        .await;
    let t = op
        .wait_for("gina", "Ready", Duration::from_secs(60), |t| {
            phase_of(t) == Some("Ready")
        })
        .await;
    assert!(t.is_some(), "Ready before it expires");
    op.wait_for("gina", "gone", Duration::from_secs(60), |t| t.is_none())
        .await;
    assert!(jiff::Timestamp::now() >= at);
    assert!(tenant_objects(&op.lab.kube, "gina").is_empty());
    assert!(!op.lab.gitea.user_exists("gina"));
    task.abort();
}
