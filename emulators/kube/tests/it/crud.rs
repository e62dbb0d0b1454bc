//! CRUD through kube-rs in process: system fields, Status errors, selectors, paging,
//! finalizers and namespace termination.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube_emulator::KubeEmulator;
use serde_json::json;

fn pod(name: &str, labels: serde_json::Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "busybox"}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn typed_pod_lifecycle_fills_system_fields_and_errors() {
    let emu = KubeEmulator::new();
    let pods: Api<Pod> = Api::namespaced(emu.client(), "default");
    let created = pods
        .create(&PostParams::default(), &pod("a", json!({"app": "web"})))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.as_deref().is_some_and(|u| u.len() == 36));
    assert!(
        meta.resource_version
            .as_deref()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert!(meta.creation_timestamp.is_some());
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Running"));

    let err = pods
        .create(&PostParams::default(), &pod("a", json!({})))
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists"));
            assert_eq!(s.message, "pods \"a\" already exists");
        }
        other => panic!("{other:?}"),
    }
    assert!(pods.get_opt("nope").await.unwrap().is_none());

    // A stale resourceVersion is a Conflict.
    let mut stale = pods.get("a").await.unwrap();
    pods.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"x": "1"}}})),
    )
    .await
    .unwrap();
    stale.metadata.labels = Some([("y".to_string(), "2".to_string())].into());
    match pods
        .replace("a", &PostParams::default(), &stale)
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (409, "Conflict")),
        other => panic!("{other:?}"),
    }

    // A namespace that does not exist.
    let missing: Api<Pod> = Api::namespaced(emu.client(), "nowhere");
    match missing
        .create(&PostParams::default(), &pod("b", json!({})))
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (404, "NotFound"));
            assert_eq!(s.message, "namespaces \"nowhere\" not found");
        }
        other => panic!("{other:?}"),
    }

    let deleted = pods.delete("a", &DeleteParams::default()).await.unwrap();
    assert!(deleted.is_left(), "pod deletes return the object");
    assert!(pods.get_opt("a").await.unwrap().is_none());
}

#[tokio::test]
async fn selectors_and_paging() {
    let emu = KubeEmulator::new();
    let pods: Api<Pod> = Api::namespaced(emu.client(), "default");
    for (i, app) in ["web", "web", "db", "web", "cache"].iter().enumerate() {
        pods.create(
            &PostParams::default(),
            &pod(&format!("p{i}"), json!({"app": app})),
        )
        .await
        .unwrap();
    }
    let web = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert_eq!(
        web.items
            .iter()
            .map(|p| p.metadata.name.clone().unwrap())
            .collect::<Vec<_>>(),
        ["p0", "p1", "p3"]
    );
    let not_web = pods
        .list(&ListParams::default().labels("app notin (web),app"))
        .await
        .unwrap();
    assert_eq!(not_web.items.len(), 2);
    let by_name = pods
        .list(&ListParams::default().fields("metadata.name=p2"))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
    match pods
        .list(&ListParams::default().fields("spec.bogus=1"))
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"));
            assert!(
                s.message.contains("field label not supported"),
                "{}",
                s.message
            );
        }
        other => panic!("{other:?}"),
    }
    let mut names = Vec::new();
    let mut lp = ListParams::default().limit(2);
    loop {
        let page = pods.list(&lp).await.unwrap();
        names.extend(page.items.iter().map(|p| p.metadata.name.clone().unwrap()));
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => lp = lp.continue_token(&c),
            _ => break,
        }
    }
    assert_eq!(names, ["p0", "p1", "p2", "p3", "p4"]);
}

#[tokio::test]
async fn finalizers_and_namespace_termination() {
    let emu = KubeEmulator::new();
    let client = emu.client();
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "team"}})).unwrap(),
    )
    .await
    .unwrap();
    let ns = nss.get("team").await.unwrap();
    assert_eq!(
        ns.metadata.labels.unwrap()["kubernetes.io/metadata.name"],
        "team"
    );
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    let cm = |name: &str, fin: bool| -> ConfigMap {
        let mut v = json!({"metadata": {"name": name}, "data": {"k": "v"}});
        if fin {
            v["metadata"]["finalizers"] = json!(["example.com/hold"]);
        }
        serde_json::from_value(v).unwrap()
    };
    cms.create(&PostParams::default(), &cm("plain", false))
        .await
        .unwrap();
    cms.create(&PostParams::default(), &cm("held", true))
        .await
        .unwrap();

    let out = nss.delete("team", &DeleteParams::default()).await.unwrap();
    let ns = out.left().unwrap();
    assert_eq!(ns.status.unwrap().phase.as_deref(), Some("Terminating"));
    assert!(
        cms.get_opt("plain").await.unwrap().is_none(),
        "content without finalizers is gone"
    );
    let held = cms.get("held").await.unwrap();
    assert!(held.metadata.deletion_timestamp.is_some());
    let ns = nss.get("team").await.unwrap();
    assert_eq!(
        ns.status.as_ref().unwrap().conditions.as_ref().unwrap()[0].type_,
        "NamespaceFinalizersRemaining"
    );
    match cms
        .create(&PostParams::default(), &cm("late", false))
        .await
        .unwrap_err()
    {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden")),
        other => panic!("{other:?}"),
    }
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert!(cms.get_opt("held").await.unwrap().is_none());
    assert!(
        nss.get_opt("team").await.unwrap().is_none(),
        "the namespace goes once it is empty"
    );
}
