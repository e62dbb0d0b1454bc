//! The `kubernetes-mcp-server` binary itself: the lab's `--port` command line, stdio mode,
//! SIGTERM shutdown, deprecated flags and exit code 64 for bad configuration.

use std::process::Stdio;
use std::time::Duration;

use kube_emulator::{KubeEmulator, KubeServeOptions};
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::json;

use super::util::{Transport, connect, free_port, ok, wait_healthy};

const BIN: &str = env!("CARGO_BIN_EXE_kubernetes-mcp-server");

#[tokio::test]
async fn http_mode_serves_until_sigterm() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let port = free_port();
    let child = tokio::process::Command::new(BIN)
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--sse-base-url",
            "http://ignored",
            "--kubeconfig",
        ])
        .arg(running.kubeconfig_path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_healthy(port, Duration::from_secs(20), "server").await;
    let c = connect(&format!("http://127.0.0.1:{port}"), Transport::Sse, None).await;
    let text = ok(&c, "pods_log", json!({"name": lab.pod, "namespace": lab.namespace, "container": lab.failed_container, "tail": 1})).await;
    assert_eq!(text.trim_end(), lab.failure_line);
    let pid = child.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let out = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("no exit after SIGTERM")
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--sse-base-url is deprecated and ignored"),
        "{stderr}"
    );
    drop(c);
}

#[tokio::test]
async fn stdio_mode_without_port() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--kubeconfig")
        .arg(running.kubeconfig_path())
        .arg("--toolsets")
        .arg("core,tekton");
    let (transport, _stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = tokio::time::timeout(Duration::from_secs(20), ().serve(transport))
        .await
        .unwrap()
        .unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 19 + 6);
    let params = rmcp::model::CallToolRequestParams::new("tekton_taskrun_logs").with_arguments(
        json!({"name": lab.task_run, "namespace": lab.namespace, "step": "build", "tail": 1})
            .as_object()
            .cloned()
            .unwrap(),
    );
    let r = tokio::time::timeout(Duration::from_secs(20), client.call_tool(params))
        .await
        .unwrap()
        .unwrap();
    let text = r.content[0].as_text().unwrap().text.clone();
    assert_eq!(
        text,
        format!(
            "==> {}/step-build <==\n{}\n",
            lab.task_run, lab.failure_line
        )
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_configuration_exits_with_64() {
    for args in [
        vec!["--list-output", "json"],
        vec!["--toolsets", "kiali"],
        vec!["--port", "eighty"],
        vec!["--config", "/nonexistent/config.toml"],
        vec!["--kubeconfig", "/nonexistent/kubeconfig"],
    ] {
        let out = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::process::Command::new(BIN)
                .args(&args)
                .stdin(Stdio::null())
                .output(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            out.status.code(),
            Some(64),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}
