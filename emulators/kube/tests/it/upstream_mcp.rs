//! The upstream Go `kubernetes-mcp-server` 0.0.66, pointed at the emulator's kubeconfig
//! over HTTPS and driven by a real MCP client (rmcp, streamable HTTP): its list tools need
//! Table responses, its pods_list needs the protobuf SelfSubjectAccessReview answered, and
//! every tool must return the seeded lab data.

use std::process::Stdio;
use std::time::Duration;

use emulator_support::tools::{Tool, require};
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};

use super::util::served_lab;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(port: u16) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < deadline {
        if let Ok(resp) = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && resp.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the upstream server did not become healthy on port {port}");
}

fn text_of(result: &rmcp::model::CallToolResult) -> String {
    let value = serde_json::to_value(result).unwrap();
    value["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn upstream_server_returns_the_seeded_lab() {
    let s = served_lab().await;
    let port = free_port();
    let mut child = tokio::process::Command::new(require(Tool::UpstreamKubernetesMcpServer))
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--disable-multi-cluster",
            "--kubeconfig",
        ])
        .arg(s.running.kubeconfig_path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_healthy(port).await;
    let transport = StreamableHttpClientTransport::from_uri(format!("http://127.0.0.1:{port}/mcp"));
    let config = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("testbed-kube", "0.1.0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25);
    let client = tokio::time::timeout(Duration::from_secs(20), config.serve(transport))
        .await
        .unwrap()
        .unwrap();
    let call = |name: &'static str, args: Value| {
        let client = &client;
        async move {
            let params =
                CallToolRequestParams::new(name).with_arguments(args.as_object().unwrap().clone());
            let result = tokio::time::timeout(Duration::from_secs(30), client.call_tool(params))
                .await
                .unwrap()
                .unwrap();
            let text = text_of(&result);
            assert_ne!(result.is_error, Some(true), "{name} failed: {text}");
            text
        }
    };
    let lab = &s.lab;

    let all = call("pods_list", json!({})).await;
    assert!(
        all.contains(&lab.pod)
            && all.contains("CrashLoopBackOff")
            && all.contains("librechat-user1"),
        "pods_list:\n{all}"
    );
    let in_ns = call(
        "pods_list_in_namespace",
        json!({"namespace": lab.namespace}),
    )
    .await;
    assert!(
        in_ns.contains(&lab.pod) && !in_ns.contains("gitea-0"),
        "pods_list_in_namespace:\n{in_ns}"
    );
    let by_label = call(
        "pods_list_in_namespace",
        json!({"namespace": lab.namespace, "labelSelector": "tekton.dev/pipelineTask=build"}),
    )
    .await;
    assert!(
        by_label.contains(&lab.pod) && !by_label.contains("fetch-repository-pod"),
        "labelSelector:\n{by_label}"
    );
    let pod = call(
        "pods_get",
        json!({"namespace": lab.namespace, "name": lab.pod}),
    )
    .await;
    assert!(
        pod.contains("step-build") && pod.contains("exitCode: 1"),
        "pods_get:\n{pod}"
    );
    let log = call("pods_log", json!({"namespace": lab.namespace, "name": lab.pod, "container": lab.failed_container, "tail": 1})).await;
    assert_eq!(log.trim(), lab.failure_line, "pods_log");
    let events = call("events_list", json!({"namespace": lab.namespace})).await;
    assert!(
        events.contains("Error: container step-build exited with code 1"),
        "events_list:\n{events}"
    );
    let namespaces = call("namespaces_list", json!({})).await;
    for ns in &lab.tenant_namespaces {
        assert!(
            namespaces.contains(ns.as_str()),
            "namespaces_list misses {ns}:\n{namespaces}"
        );
    }
    let run = call("resources_get", json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "namespace": lab.namespace, "name": lab.pipeline_run})).await;
    assert!(
        run.contains(&lab.pipeline_run_uid) && run.contains("reason: Failed"),
        "resources_get:\n{run}"
    );
    s.emu.set_exec(
        "gitea-user1",
        "gitea-0",
        &["cat", "/data/gitea/conf/app.ini"],
        kube_emulator::ExecResult::ok("APP_NAME = Lab Gitea\n"),
    );
    let exec = call("pods_exec", json!({"namespace": "gitea-user1", "name": "gitea-0", "command": ["cat", "/data/gitea/conf/app.ini"]})).await;
    assert!(exec.contains("APP_NAME = Lab Gitea"), "pods_exec:\n{exec}");
    let missing = {
        let params = CallToolRequestParams::new("pods_get").with_arguments(
            json!({"namespace": lab.namespace, "name": "nope"})
                .as_object()
                .unwrap()
                .clone(),
        );
        tokio::time::timeout(Duration::from_secs(30), client.call_tool(params))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text_of(&missing).contains("pods \"nope\" not found"),
        "{}",
        text_of(&missing)
    );

    let _ = client.cancel().await;
    let _ = child.kill().await;
}
