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
        json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": { "name": "demo", "namespace": "apps", "finalizers": [ARGO_FINALIZER] },
        "spec": { "destination": { "namespace": "work" }, "source": { "path": "x" } } }),
    )
    .unwrap();
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
