//! Test hooks: the request log, injected faults, simulated controllers (workload rollout,
//! finalizers released by their owner).

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{conditions, wait::await_condition};
use kube_emulator::{Fault, KubeEmulator};
use serde_json::json;

#[tokio::test]
async fn request_log_shows_what_the_client_sent() {
    let emu = KubeEmulator::new();
    let cms: Api<ConfigMap> = Api::namespaced(emu.client(), "default");
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    cms.patch(
        "c",
        &PatchParams::apply("provisioner").force(),
        &Patch::Apply(cm),
    )
    .await
    .unwrap();
    let apply = emu
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(apply.path, "/api/v1/namespaces/default/configmaps/c");
    assert!(
        apply.query.contains("fieldManager=provisioner") && apply.query.contains("force=true"),
        "{}",
        apply.query
    );
    assert_eq!(apply.content_type, "application/apply-patch+yaml");
    assert!(
        apply.authenticated,
        "the in-process client presents the admin token"
    );
}

#[tokio::test]
async fn anonymous_requests_can_be_refused() {
    use tower::ServiceExt;
    let emu = KubeEmulator::new();
    let anonymous = || {
        http::Request::get("/api/v1/namespaces")
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(
        emu.router().oneshot(anonymous()).await.unwrap().status(),
        200
    );
    emu.require_tokens(true);
    assert_eq!(
        emu.router().oneshot(anonymous()).await.unwrap().status(),
        401
    );
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(emu.client());
    assert!(
        nss.list(&ListParams::default()).await.is_ok(),
        "the admin client still works"
    );
}

#[tokio::test]
async fn injected_faults_fail_the_matching_requests_then_stop() {
    let emu = KubeEmulator::new();
    emu.add_fault(Fault::new("/configmaps", 503, 2).method("GET"));
    let cms: Api<ConfigMap> = Api::namespaced(emu.client(), "default");
    for _ in 0..2 {
        match cms.list(&ListParams::default()).await.unwrap_err() {
            kube::Error::Api(s) => {
                assert_eq!((s.code, s.reason.as_str()), (503, "ServiceUnavailable"))
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(cms.list(&ListParams::default()).await.is_ok());
    emu.add_fault(Fault::new("/pods", 429, 1));
    let (status, retry) = {
        use tower::ServiceExt;
        let req = http::Request::get("/api/v1/pods")
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = emu.router().oneshot(req).await.unwrap();
        (
            resp.status().as_u16(),
            resp.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string()),
        )
    };
    assert_eq!((status, retry.as_deref()), (429, Some("1")));
}

#[tokio::test]
async fn workloads_roll_out_and_owned_finalizers_are_released() {
    let emu = KubeEmulator::new();
    let deploys: Api<Deployment> = Api::namespaced(emu.client(), "default");
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "web"}, "spec": {"replicas": 2,
        "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}))
    .unwrap();
    deploys.create(&PostParams::default(), &d).await.unwrap();
    let done = tokio::time::timeout(
        Duration::from_secs(5),
        await_condition(
            deploys.clone(),
            "web",
            conditions::is_deployment_completed(),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(done.unwrap().status.unwrap().ready_replicas, Some(2));
    let scaled = deploys
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    let status = scaled.status.unwrap();
    assert_eq!(
        (status.available_replicas, status.observed_generation),
        (Some(3), Some(2))
    );

    let lab = emu.seed_lab("user1");
    let gvk = kube::api::GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Application");
    let ar = kube::api::ApiResource::from_gvk(&gvk);
    let apps: Api<DynamicObject> = Api::namespaced_with(emu.client(), "openshift-gitops", &ar);
    let app = |name: &str| {
        serde_json::from_value::<DynamicObject>(
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
            "spec": {"project": "default", "destination": {"namespace": lab.namespace}}}),
        )
        .unwrap()
    };
    apps.create(&PostParams::default(), &app("held"))
        .await
        .unwrap();
    apps.delete("held", &DeleteParams::default()).await.unwrap();
    assert!(
        apps.get("held")
            .await
            .unwrap()
            .metadata
            .deletion_timestamp
            .is_some(),
        "without a controller the finalizer holds it"
    );
    emu.simulate_finalizer("resources-finalizer.argocd.argoproj.io");
    apps.create(&PostParams::default(), &app("released"))
        .await
        .unwrap();
    apps.delete("released", &DeleteParams::default())
        .await
        .unwrap();
    assert!(apps.get_opt("released").await.unwrap().is_none());
}

#[tokio::test]
async fn owner_references_are_garbage_collected_unless_orphaned() {
    let emu = KubeEmulator::new();
    let cms: Api<ConfigMap> = Api::namespaced(emu.client(), "default");
    let make = |name: &str, owner: Option<&ConfigMap>| -> ConfigMap {
        let mut v = json!({"metadata": {"name": name}});
        if let Some(o) = owner {
            v["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": o.metadata.name, "uid": o.metadata.uid}]);
        }
        serde_json::from_value(v).unwrap()
    };
    for (owner, child, grandchild) in [("o1", "c1", "g1"), ("o2", "c2", "g2")] {
        let o = cms
            .create(&PostParams::default(), &make(owner, None))
            .await
            .unwrap();
        let c = cms
            .create(&PostParams::default(), &make(child, Some(&o)))
            .await
            .unwrap();
        cms.create(&PostParams::default(), &make(grandchild, Some(&c)))
            .await
            .unwrap();
    }
    cms.delete("o1", &DeleteParams::background()).await.unwrap();
    assert!(
        cms.get_opt("c1").await.unwrap().is_none() && cms.get_opt("g1").await.unwrap().is_none(),
        "dependents go, transitively"
    );
    cms.delete("o2", &DeleteParams::orphan()).await.unwrap();
    assert!(
        cms.get_opt("c2").await.unwrap().is_some() && cms.get_opt("g2").await.unwrap().is_some(),
        "orphaned dependents stay"
    );
}
