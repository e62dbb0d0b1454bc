//! kube-rs 5 against the emulator: typed and dynamic APIs with discovery, logs, server-side
//! apply, `await_condition` and a watcher, in process and over HTTPS.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, LogParams, Patch, PatchParams, PostParams,
};
use kube::discovery::Discovery;
use kube::runtime::{conditions, wait::await_condition, watcher};
use kube_emulator::{KubeEmulator, KubeServeOptions};
use serde_json::json;

fn api_err(err: kube::Error) -> kube::core::Status {
    match err {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn discovery_and_dynamic_api_find_the_pipeline_run() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let client = emu.client();
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let gvk = kube::api::GroupVersionKind::gvk("tekton.dev", "v1", "PipelineRun");
    let (ar, caps) = discovery.resolve_gvk(&gvk).unwrap();
    assert_eq!(ar.plural, "pipelineruns");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    let runs: Api<DynamicObject> = Api::namespaced_with(client.clone(), &lab.namespace, &ar);
    let list = runs.list(&ListParams::default()).await.unwrap();
    let run = list
        .items
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(lab.pipeline_run.as_str()))
        .unwrap();
    assert_eq!(
        run.metadata.uid.as_deref(),
        Some(lab.pipeline_run_uid.as_str())
    );
    assert_eq!(run.data["status"]["conditions"][0]["reason"], "Failed");
    assert!(
        discovery
            .groups()
            .any(|g| g.name() == "project.openshift.io")
    );
    assert!(
        discovery
            .groups()
            .any(|g| g.name() == "toolhive.stacklok.dev")
    );
}

#[tokio::test]
async fn typed_logs_follow_the_parameters() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let pods: Api<Pod> = Api::namespaced(emu.client(), &lab.namespace);
    let lp = LogParams {
        container: Some(lab.failed_container.clone()),
        tail_lines: Some(2),
        ..LogParams::default()
    };
    let tail = pods.logs(&lab.pod, &lp).await.unwrap();
    assert_eq!(tail.lines().count(), 2);
    assert_eq!(tail.lines().last(), Some(lab.failure_line.as_str()));
    let limited = pods
        .logs(
            &lab.pod,
            &LogParams {
                container: Some("step-build".into()),
                limit_bytes: Some(10),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(limited, "STEP 1/7: ");
    let stamped = pods
        .logs(
            &lab.pod,
            &LogParams {
                container: Some("step-build".into()),
                timestamps: true,
                tail_lines: Some(1),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let (stamp, rest) = stamped.split_once(' ').unwrap();
    assert!(stamp.parse::<jiff::Timestamp>().is_ok(), "{stamp}");
    assert_eq!(rest.trim_end(), lab.failure_line);
    let s = api_err(
        pods.logs(&lab.pod, &LogParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"));
    assert_eq!(
        s.message,
        format!(
            "a container name must be specified for pod {}, choose one of: [step-build step-push]",
            lab.pod
        )
    );
    let waiting: Api<Pod> = Api::namespaced(emu.client(), "mcp-gitea-user1");
    let s = api_err(
        waiting
            .logs("mcp-gitea-7b6d5c4f9-m8n2p", &LogParams::default())
            .await
            .unwrap_err(),
    );
    assert!(
        s.message.contains("is waiting to start: ImagePullBackOff"),
        "{}",
        s.message
    );
    let s = api_err(pods.logs("nope", &LogParams::default()).await.unwrap_err());
    assert_eq!(
        (s.code, s.reason.as_str(), s.message.as_str()),
        (404, "NotFound", "pods \"nope\" not found")
    );
}

#[tokio::test]
async fn server_side_apply_creates_prunes_and_conflicts() {
    let emu = KubeEmulator::new();
    let cms: Api<ConfigMap> = Api::namespaced(emu.client(), "default");
    let cm = |data: serde_json::Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": data});
    let pp = PatchParams::apply("provisioner").force();
    let created = cms
        .patch("cfg", &pp, &Patch::Apply(cm(json!({"a": "1", "b": "2"}))))
        .await
        .unwrap();
    assert_eq!(
        created.metadata.managed_fields.unwrap()[0]
            .operation
            .as_deref(),
        Some("Apply")
    );
    let rv1 = created.metadata.resource_version.unwrap();
    let same = cms
        .patch("cfg", &pp, &Patch::Apply(cm(json!({"a": "1", "b": "2"}))))
        .await
        .unwrap();
    assert_eq!(
        same.metadata.resource_version.unwrap(),
        rv1,
        "a no-op apply does not bump the resourceVersion"
    );
    cms.patch(
        "cfg",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"extra": "kept"}})),
    )
    .await
    .unwrap();
    let pruned = cms
        .patch("cfg", &pp, &Patch::Apply(cm(json!({"a": "1"}))))
        .await
        .unwrap();
    let data = pruned.data.unwrap();
    assert_eq!(data.keys().cloned().collect::<Vec<_>>(), ["a", "extra"]);
    let s = api_err(
        cms.patch(
            "cfg",
            &PatchParams::apply("intruder"),
            &Patch::Apply(cm(json!({"a": "2"}))),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"));
    assert!(s.details.unwrap().causes[0].field.contains("data.a"));
    let forced = cms
        .patch(
            "cfg",
            &PatchParams::apply("intruder").force(),
            &Patch::Apply(cm(json!({"a": "2"}))),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["a"], "2");
    let s = api_err(
        cms.patch(
            "cfg",
            &PatchParams::apply("x"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cfg"}}),
            ),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((s.code, s.reason.as_str()), (400, "BadRequest"));
}

#[tokio::test]
async fn await_condition_and_watcher_see_changes() {
    let emu = KubeEmulator::new();
    let pods: Api<Pod> = Api::namespaced(emu.client(), "default");
    let pod: Pod = serde_json::from_value(
        json!({"metadata": {"name": "w"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}),
    )
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    pods.patch_status(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": "Pending"}})),
    )
    .await
    .unwrap();

    let events = tokio::spawn({
        let pods = pods.clone();
        async move {
            watcher(pods, watcher::Config::default())
                .take_while(|e| futures::future::ready(!matches!(e, Ok(watcher::Event::Delete(_)))))
                .try_collect::<Vec<_>>()
                .await
        }
    });
    let writer = pods.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        writer
            .patch_status(
                "w",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Running"}})),
            )
            .await
            .unwrap();
    });
    let running = tokio::time::timeout(
        Duration::from_secs(10),
        await_condition(pods.clone(), "w", conditions::is_pod_running()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        running.unwrap().status.unwrap().phase.as_deref(),
        Some("Running")
    );
    pods.delete("w", &DeleteParams::default()).await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(10), events)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let phases: Vec<String> = seen
        .iter()
        .filter_map(|e| match e {
            watcher::Event::Apply(p) | watcher::Event::InitApply(p) => {
                p.status.as_ref().and_then(|s| s.phase.clone())
            }
            _ => None,
        })
        .collect();
    assert!(
        matches!(seen.first(), Some(watcher::Event::Init)),
        "{seen:?}"
    );
    assert_eq!(
        phases.last().map(String::as_str),
        Some("Running"),
        "{phases:?}"
    );
}

#[tokio::test]
async fn https_client_from_the_written_kubeconfig() {
    let emu = KubeEmulator::new();
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    assert!(running.url().starts_with("https://127.0.0.1:"));
    let client = running.client().await.unwrap();
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.major, "1");
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "over-tls"}, "data": {"k": "v"}}))
            .unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    assert_eq!(
        emu.get("v1", "ConfigMap", Some("default"), "over-tls")
            .unwrap()["data"]["k"],
        "v"
    );
    running.shutdown().await;

    let plain = emu
        .serve(KubeServeOptions {
            tls: false,
            ..KubeServeOptions::default()
        })
        .await
        .unwrap();
    assert!(plain.url().starts_with("http://127.0.0.1:") && plain.ca_pem().is_none());
    let cms: Api<ConfigMap> = Api::namespaced(plain.client().await.unwrap(), "default");
    assert_eq!(cms.get("over-tls").await.unwrap().data.unwrap()["k"], "v");
}

#[tokio::test]
async fn token_clients_are_held_to_their_rules() {
    let emu = KubeEmulator::new();
    emu.add_identity("ro", kube_emulator::Identity::read_only("viewer", &[]));
    let cms: Api<ConfigMap> = Api::namespaced(emu.client_with_token("ro"), "default");
    assert!(
        cms.list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap();
    let s = api_err(cms.create(&PostParams::default(), &cm).await.unwrap_err());
    assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
    let s = api_err(
        Api::<ConfigMap>::namespaced(emu.client_with_token("unknown"), "default")
            .list(&ListParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized"));

    // OpenShift: a namespace-bound identity cannot list namespaces, but sees its projects.
    emu.seed_lab("user1");
    emu.add_identity(
        "tenant",
        kube_emulator::Identity::read_only("user1", &["agent-user1", "gitea-user1"]),
    );
    let client = emu.client_with_token("tenant");
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let s = api_err(nss.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        s.message,
        "namespaces is forbidden: User \"user1\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope"
    );
    assert!(nss.get("agent-user1").await.is_ok());
    assert_eq!(
        api_err(nss.get("librechat-user1").await.unwrap_err()).code,
        403
    );
    let ar = kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
        "project.openshift.io",
        "v1",
        "Project",
    ));
    let projects: Api<DynamicObject> = Api::all_with(client, &ar);
    let names: Vec<String> = projects
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(names, ["agent-user1", "gitea-user1"]);
}
