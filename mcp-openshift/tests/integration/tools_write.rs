//! Write tools over both transports (apply, scale, delete, run, Tekton starts and lifecycle),
//! and the real kubeconfig path over HTTPS with `configuration_view` redaction.

use kube_emulator::{KubeEmulator, KubeServeOptions};
use serde_json::json;

use super::util::{BOTH, Transport, call, connect, err, ok, start_with_kubeconfig, yaml_body};

#[tokio::test]
async fn write_tools_over_both_transports() {
    let h = super::util::start(&["--toolsets", "core,config,tekton"]).await;
    let ns = h.lab.namespace.clone();
    for (i, t) in BOTH.into_iter().enumerate() {
        let c = connect(&h.server.base_url(), t, None).await;
        let cm = format!("cm-{i}");
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {cm}\n  namespace: {ns}\ndata:\n  a: \"1\"\n---\n{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"{cm}-b\", \"namespace\": \"{ns}\"}}, \"data\": {{\"b\": \"2\"}}}}\n"
        );
        let text = ok(
            &c,
            "resources_create_or_update",
            json!({"resource": manifest}),
        )
        .await;
        assert!(
            text.starts_with(
                "# The following resources (YAML) have been created or updated successfully\n"
            ),
            "{text}"
        );
        let applied = yaml_body(&text);
        assert_eq!(applied.as_array().unwrap().len(), 2);
        assert_eq!(
            h.emu.get("v1", "ConfigMap", Some(&ns), &cm).unwrap()["data"]["a"],
            "1"
        );
        let managers =
            h.emu.get("v1", "ConfigMap", Some(&ns), &cm).unwrap()["metadata"]["managedFields"]
                .clone();
        assert!(
            managers.to_string().contains("kubernetes-mcp-server"),
            "{managers}"
        );
        // Re-applying without a field removes it (server-side apply semantics).
        ok(&c, "resources_create_or_update", json!({"resource": format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {cm}\n  namespace: {ns}\ndata:\n  c: \"3\"\n")})).await;
        let data = h.emu.get("v1", "ConfigMap", Some(&ns), &cm).unwrap()["data"].clone();
        assert_eq!(data, json!({"c": "3"}));
        let e = err(
            &c,
            "resources_create_or_update",
            json!({"resource": "kind: ConfigMap\n"}),
        )
        .await;
        assert_eq!(
            e,
            "failed to create or update resources: every object needs apiVersion, kind and metadata.name"
        );

        let text = ok(&c, "resources_delete", json!({"apiVersion": "v1", "kind": "ConfigMap", "name": format!("{cm}-b"), "namespace": ns})).await;
        assert_eq!(text, "Resource deleted successfully");
        assert!(
            h.emu
                .get("v1", "ConfigMap", Some(&ns), &format!("{cm}-b"))
                .is_none()
        );
        let e = err(&c, "resources_delete", json!({"apiVersion": "v1", "kind": "ConfigMap", "name": format!("{cm}-b"), "namespace": ns})).await;
        assert_eq!(
            e,
            format!("failed to delete resource: configmaps \"{cm}-b\" not found")
        );

        // pods_run with a port creates a Service; pods_delete removes both.
        let pod = format!("web-{i}");
        let text = ok(
            &c,
            "pods_run",
            json!({"image": "nginx", "name": pod, "namespace": ns, "port": 8080}),
        )
        .await;
        assert!(
            text.starts_with(
                "# The following resources (YAML) have been created or updated successfully\n"
            ),
            "{text}"
        );
        let p = h.emu.get("v1", "Pod", Some(&ns), &pod).unwrap();
        assert_eq!(p["spec"]["containers"][0]["image"], "nginx");
        assert_eq!(
            p["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kubernetes-mcp-server"
        );
        assert!(h.emu.get("v1", "Service", Some(&ns), &pod).is_some());
        assert_eq!(
            ok(&c, "pods_delete", json!({"name": pod, "namespace": ns})).await,
            "Pod deleted successfully"
        );
        assert!(h.emu.get("v1", "Service", Some(&ns), &pod).is_none());

        // exec into a Failed pod is refused with a clear error (exec itself: tests/integration/exec.rs).
        let e = err(&c, "pods_exec", json!({"name": h.lab.pod, "namespace": ns, "command": ["ls"], "container": "step-build"})).await;
        assert!(
            e.starts_with(&format!(
                "failed to exec in pod {} in namespace {ns}: ",
                h.lab.pod
            )),
            "{e}"
        );
        let e = err(
            &c,
            "pods_exec",
            json!({"name": h.lab.pod, "namespace": ns, "command": "ls"}),
        )
        .await;
        assert_eq!(
            e,
            "failed to exec in pod: command parameter must be an array of strings: expected array, got string"
        );

        // Tekton: start, restart, cancel.
        let text = ok(&c, "tekton_pipeline_start", json!({"name": "build-agent", "namespace": ns, "params": {"git-url": "http://x", "image": "y"}})).await;
        assert!(text.starts_with("PipelineRun build-agent-run-"), "{text}");
        let text = ok(
            &c,
            "tekton_pipelinerun_lifecycle",
            json!({"name": h.lab.pipeline_run, "namespace": ns, "action": "restart"}),
        )
        .await;
        assert!(
            text.starts_with(&format!(
                "PipelineRun {} restarted as build-agent-",
                h.lab.pipeline_run
            )),
            "{text}"
        );
        let text = ok(
            &c,
            "tekton_pipelinerun_lifecycle",
            json!({"name": h.lab.pipeline_run, "namespace": ns, "action": "cancel"}),
        )
        .await;
        assert_eq!(
            text,
            format!(
                "PipelineRun {} in namespace {ns} cancelled",
                h.lab.pipeline_run
            )
        );
        assert_eq!(
            h.emu
                .get(
                    "tekton.dev/v1",
                    "PipelineRun",
                    Some(&ns),
                    &h.lab.pipeline_run
                )
                .unwrap()["spec"]["status"],
            "Cancelled"
        );
        let text = ok(
            &c,
            "tekton_taskrun_restart",
            json!({"name": h.lab.task_run, "namespace": ns}),
        )
        .await;
        assert!(
            text.starts_with(&format!("TaskRun {} restarted as ", h.lab.task_run)),
            "{text}"
        );
        let e = err(
            &c,
            "tekton_pipeline_start",
            json!({"name": "missing", "namespace": ns}),
        )
        .await;
        assert!(e.contains("not found"), "{e}");
        c.cancel().await.unwrap();
    }
    let runs = h.emu.list("tekton.dev/v1", "PipelineRun", Some(&ns));
    assert_eq!(runs.len(), 1 + 2 * 2, "{runs:?}");
    h.server.shutdown().await;
}

#[tokio::test]
async fn scale_reads_and_updates_replicas() {
    let h = super::util::start(&[]).await;
    let ns = h.lab.namespace.clone();
    h.emu.apply_yaml(&format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: {ns}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: api}}\n  template:\n    metadata:\n      labels: {{app: api}}\n    spec:\n      containers: [{{name: api, image: api}}]\n")).unwrap();
    let c = connect(&h.server.base_url(), Transport::Sse, None).await;
    let text = ok(
        &c,
        "resources_scale",
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "namespace": ns}),
    )
    .await;
    assert!(
        text.starts_with("# Current resource scale (YAML) is below\n"),
        "{text}"
    );
    assert_eq!(yaml_body(&text)["spec"]["replicas"], 1);
    let text = ok(&c, "resources_scale", json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "api", "namespace": ns, "scale": 3})).await;
    assert_eq!(yaml_body(&text)["spec"]["replicas"], 3);
    assert_eq!(
        h.emu
            .get("apps/v1", "Deployment", Some(&ns), "api")
            .unwrap()["spec"]["replicas"],
        3
    );
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

#[tokio::test]
async fn kubeconfig_over_https_and_redacted_view() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let server = start_with_kubeconfig(&running, &[]).await;
    for t in BOTH {
        let c = connect(&server.base_url(), t, None).await;
        let text = ok(&c, "configuration_view", json!({})).await;
        assert!(
            !text.contains(running.admin_token()),
            "token leaked: {text}"
        );
        assert!(text.contains("REDACTED"), "{text}");
        assert!(text.contains(&running.url()), "{text}");
        let text = ok(&c, "pods_log", json!({"name": lab.pod, "namespace": lab.namespace, "container": lab.failed_container, "tail": 1})).await;
        assert_eq!(text.trim_end(), lab.failure_line);
        let (is_err, text, _) = call(&c, "configuration_view", json!({"minified": "yes"})).await;
        assert!(is_err);
        assert_eq!(
            text,
            "failed to get configuration: minified parameter must be a boolean: expected boolean, got string"
        );
        c.cancel().await.unwrap();
    }
    server.shutdown().await;
}
