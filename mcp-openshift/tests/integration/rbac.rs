//! RBAC: read-only tokens get Forbidden on deletes, `--read-only` hides and blocks write
//! tools, and passthrough uses the caller's rights on both transports.

use kube_emulator::Identity;
use serde_json::json;

use super::util::{BOTH, connect, err, ok, start, tool_names};

#[tokio::test]
async fn passthrough_uses_the_callers_rights() {
    let h = start(&[]).await;
    let ns = h.lab.namespace.clone();
    h.emu
        .add_identity("viewer-token", Identity::read_only("viewer", &[&ns]));
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, Some("viewer-token")).await;
        // Reading in the allowed namespace works.
        let text = ok(&c, "pods_get", json!({"name": h.lab.pod, "namespace": ns})).await;
        assert!(text.contains(&h.lab.pod));
        // Deleting is forbidden, and the message names the verb and the resource.
        let e = err(
            &c,
            "pods_delete",
            json!({"name": h.lab.pod, "namespace": ns}),
        )
        .await;
        assert!(
            e.starts_with(&format!(
                "failed to delete pod {} in namespace {ns}: ",
                h.lab.pod
            )),
            "{e}"
        );
        assert!(
            e.contains("forbidden") && e.contains("delete") && e.contains("pods"),
            "{e}"
        );
        let e = err(&c, "resources_delete", json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "name": h.lab.pipeline_run, "namespace": ns})).await;
        assert!(e.contains("forbidden") && e.contains("pipelineruns"), "{e}");
        // Another namespace is not readable with this token.
        let e = err(
            &c,
            "pods_list_in_namespace",
            json!({"namespace": "librechat-user1"}),
        )
        .await;
        assert!(e.contains("forbidden"), "{e}");
        c.cancel().await.unwrap();
        // Without a token the server's own (admin) identity is used.
        let admin = connect(&h.server.base_url(), t, None).await;
        ok(
            &admin,
            "pods_list_in_namespace",
            json!({"namespace": "librechat-user1"}),
        )
        .await;
        admin.cancel().await.unwrap();
    }
    assert!(h.emu.get("v1", "Pod", Some(&ns), &h.lab.pod).is_some());
    // An unknown token is rejected by the API server.
    let c = connect(
        &h.server.base_url(),
        super::util::Transport::Streamable,
        Some("who-is-this"),
    )
    .await;
    let e = err(&c, "pods_get", json!({"name": h.lab.pod, "namespace": ns})).await;
    assert!(e.to_lowercase().contains("unauthorized"), "{e}");
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

#[tokio::test]
async fn read_only_flag_hides_and_blocks_write_tools() {
    let h = start(&["--read-only"]).await;
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, None).await;
        let names = tool_names(&c).await;
        assert_eq!(names.len(), 14, "{names:?}");
        for w in [
            "pods_delete",
            "pods_exec",
            "pods_run",
            "resources_create_or_update",
            "resources_delete",
            "resources_scale",
        ] {
            assert!(!names.contains(&w.to_string()), "{w} listed");
            let e = c
                .call_tool(
                    rmcp::model::CallToolRequestParams::new(w)
                        .with_arguments(json!({"name": h.lab.pod}).as_object().cloned().unwrap()),
                )
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("unknown tool \"{w}\"")), "{e}");
        }
        c.cancel().await.unwrap();
    }
    assert!(
        h.emu
            .get("v1", "Pod", Some(&h.lab.namespace), &h.lab.pod)
            .is_some()
    );
    h.server.shutdown().await;
}

#[tokio::test]
async fn enabled_and_disabled_lists_filter_calls_too() {
    let h = start(&[
        "--disable-destructive",
        "--disabled-tools",
        "pods_get",
        "--toolsets",
        "core,config,tekton",
    ])
    .await;
    let c = connect(&h.server.base_url(), super::util::Transport::Sse, None).await;
    let names = tool_names(&c).await;
    assert!(names.contains(&"pods_run".to_string()));
    assert!(names.contains(&"tekton_taskrun_logs".to_string()));
    assert!(!names.contains(&"pods_get".to_string()));
    assert!(!names.contains(&"tekton_pipelinerun_lifecycle".to_string()));
    let e = c
        .call_tool(
            rmcp::model::CallToolRequestParams::new("pods_get")
                .with_arguments(json!({"name": "x"}).as_object().cloned().unwrap()),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown tool"), "{e}");
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

#[tokio::test]
async fn legacy_kubernetes_authorization_header_on_streamable_http() {
    use rmcp::ServiceExt;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let h = start(&[]).await;
    let ns = h.lab.namespace.clone();
    h.emu
        .add_identity("viewer-token", Identity::read_only("viewer", &[&ns]));
    let headers = std::collections::HashMap::from([(
        http::HeaderName::from_static("kubernetes-authorization"),
        http::HeaderValue::from_static("Bearer viewer-token"),
    )]);
    let cfg = StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", h.server.base_url()))
        .custom_headers(headers);
    let c = ().serve(StreamableHttpClientTransport::from_config(cfg)).await.unwrap();
    let (is_err, e, _) = super::util::call_raw(
        &c,
        "pods_delete",
        json!({"name": h.lab.pod, "namespace": ns}),
    )
    .await;
    assert!(is_err && e.contains("forbidden"), "{e}");
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

#[tokio::test]
async fn pods_list_without_cluster_rights_falls_back_to_the_default_namespace_and_says_so() {
    let h = start(&[]).await;
    h.emu
        .add_identity("default-viewer", Identity::read_only("dv", &["default"]));
    let c = connect(
        &h.server.base_url(),
        super::util::Transport::Sse,
        Some("default-viewer"),
    )
    .await;
    let text = ok(&c, "pods_list", json!({})).await;
    assert!(text.starts_with("# Listing pods in all namespaces is not allowed for this identity; showing namespace default only\n"), "{text}");
    assert!(!text.contains(&h.lab.pod), "{text}");
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}
