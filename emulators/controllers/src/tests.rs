use std::sync::Arc;

use kube::api::{Api, DeleteParams, DynamicObject};
use kube::discovery::ApiResource;
use serde_json::json;

use super::*;

fn seed(kube: &KubeEmulator) {
    kube.apply_yaml(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\n\
         apiVersion: v1\nkind: Namespace\nmetadata:\n  name: work\n---\n\
         apiVersion: toolhive.stacklok.dev/v1alpha1\nkind: MCPServer\nmetadata:\n  name: openshift\n  namespace: work\n\
         spec:\n  image: x\n  transport: sse\n  proxyPort: 8080\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: work\n\
         spec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: c, image: x}]\n",
    )
    .unwrap();
    kube.apply_object(
        json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": { "name": "lab", "namespace": "apps" },
        "spec": { "sourceRepos": ["https://git.example/lab.git"],
            "destinations": [{ "server": "https://kubernetes.default.svc", "namespace": "work" }],
            "namespaceResourceWhitelist": [{ "group": "", "kind": "ConfigMap" }] } }),
    )
    .unwrap();
    kube.apply_object(app("demo", "work", "lab")).unwrap();
}

fn app(name: &str, namespace: &str, project: &str) -> Value {
    json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": { "name": name, "namespace": "apps", "finalizers": [ARGO_FINALIZER] },
        "spec": { "project": project, "destination": { "namespace": namespace },
            "source": { "repoURL": "https://git.example/lab.git", "path": "x" } } })
}

fn renderer() -> AppRenderer {
    Arc::new(|_app: Value| {
        Box::pin(async {
            Ok(vec![
                json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "from-app" },
                "data": { "k": "v" } }),
            ])
        })
    })
}

#[tokio::test]
async fn one_pass_marks_everything_ready() {
    let kube = KubeEmulator::new();
    seed(&kube);
    let opts = ControllerOptions {
        interval: Duration::from_millis(10),
        renderer: Some(renderer()),
    };
    reconcile_once(&kube, &opts).await.unwrap();
    let server = kube
        .get(
            "toolhive.stacklok.dev/v1alpha1",
            "MCPServer",
            Some("work"),
            "openshift",
        )
        .unwrap();
    assert_eq!(server["status"]["phase"], "Running");
    assert_eq!(
        server["status"]["url"],
        "http://mcp-openshift-proxy.work.svc.cluster.local:8080/sse#openshift"
    );
    let web = kube
        .get("apps/v1", "Deployment", Some("work"), "web")
        .unwrap();
    assert_eq!(web["status"]["availableReplicas"], 2);
    let app = kube
        .get("argoproj.io/v1alpha1", "Application", Some("apps"), "demo")
        .unwrap();
    assert_eq!(app["status"]["sync"]["status"], "Synced");
    assert_eq!(app["status"]["health"]["status"], "Healthy");
    let cm = kube
        .get("v1", "ConfigMap", Some("work"), "from-app")
        .unwrap();
    assert_eq!(cm["metadata"]["labels"][INSTANCE_LABEL], "demo");
}

#[tokio::test]
async fn deleting_an_application_cascades_then_releases_it() {
    let kube = KubeEmulator::new();
    seed(&kube);
    let _running = Controllers::start(
        &kube,
        ControllerOptions {
            interval: Duration::from_millis(10),
            renderer: Some(renderer()),
        },
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while kube
        .get("v1", "ConfigMap", Some("work"), "from-app")
        .is_none()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Application was never synced"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Application"),
        "applications",
    );
    let apps: Api<DynamicObject> = Api::namespaced_with(kube.client(), "apps", &ar);
    apps.delete("demo", &DeleteParams::default()).await.unwrap();
    while kube
        .get("argoproj.io/v1alpha1", "Application", Some("apps"), "demo")
        .is_some()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the finalizer was never removed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        kube.get("v1", "ConfigMap", Some("work"), "from-app")
            .is_none(),
        "children go first"
    );
}

fn renderer_of(objects: Vec<Value>) -> AppRenderer {
    Arc::new(move |_app: Value| {
        let objects = objects.clone();
        Box::pin(async move { Ok(objects) })
    })
}

fn status(kube: &KubeEmulator, name: &str) -> Value {
    kube.get("argoproj.io/v1alpha1", "Application", Some("apps"), name)
        .unwrap()["status"]
        .clone()
}

#[tokio::test]
async fn applications_outside_their_project_are_refused_and_apply_nothing() {
    let kube = KubeEmulator::new();
    seed(&kube);
    kube.apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: elsewhere\n")
        .unwrap();
    // The Application itself: unknown project, foreign destination.
    kube.apply_object(app("no-project", "work", "missing"))
        .unwrap();
    kube.apply_object(app("elsewhere", "elsewhere", "lab"))
        .unwrap();
    let cm = |ns: Option<&str>, name: &str| {
        let mut o =
            json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": name } });
        if let Some(ns) = ns {
            o["metadata"]["namespace"] = json!(ns);
        }
        o
    };
    let cases = [
        (
            cm(Some("elsewhere"), "planted"),
            "namespace elsewhere is not permitted",
        ),
        (
            json!({ "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": { "name": "take-over" }, "roleRef": { "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole", "name": "cluster-admin" }, "subjects": [] }),
            "resource rbac.authorization.k8s.io:ClusterRoleBinding is not permitted",
        ),
        (
            json!({ "apiVersion": "v1", "kind": "Secret", "metadata": { "name": "s" } }),
            "resource :Secret is not permitted",
        ),
    ];
    for (bad, why) in cases {
        let opts = ControllerOptions {
            interval: Duration::from_millis(10),
            renderer: Some(renderer_of(vec![cm(None, "fine"), bad.clone()])),
        };
        kube.apply_object(app("demo", "work", "lab")).unwrap();
        reconcile_once(&kube, &opts).await.unwrap();
        let st = status(&kube, "demo");
        assert_eq!(st["sync"]["status"], "OutOfSync", "{bad}");
        assert_eq!(st["conditions"][0]["type"], "SyncError");
        assert!(
            st["conditions"][0]["message"]
                .as_str()
                .unwrap()
                .contains(why),
            "{st}"
        );
        assert!(
            kube.get("v1", "ConfigMap", Some("work"), "fine").is_none(),
            "nothing applied"
        );
        assert!(
            kube.get("v1", "ConfigMap", Some("elsewhere"), "planted")
                .is_none()
        );
        assert!(
            kube.get(
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                None,
                "take-over"
            )
            .is_none()
        );
    }
    let st = status(&kube, "no-project");
    assert_eq!(st["conditions"][0]["type"], "InvalidSpecError");
    assert!(
        st["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    let st = status(&kube, "elsewhere");
    assert!(
        st["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("destination"),
        "{st}"
    );
    // A foreign source repository.
    let mut foreign = app("foreign", "work", "lab");
    foreign["spec"]["source"]["repoURL"] = json!("https://evil.example/x.git");
    kube.apply_object(foreign).unwrap();
    reconcile_once(&kube, &ControllerOptions::default())
        .await
        .unwrap();
    let st = status(&kube, "foreign");
    assert!(
        st["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains("repo"),
        "{st}"
    );
}
