//! The agent chart's `trigger-agent` finally-task script, run as is (the same file the
//! Pipeline embeds) with the machine's kubectl against the Kubernetes emulator and curl
//! against a recording agent: it must pick this run's latest failed pod and its failed
//! container, post the report, and fail loudly when the agent fails.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use emulator_support::serve::{ServerHandle, spawn_http};
use emulator_support::tools::{Tool, require};
use kube_emulator::{KubeEmulator, KubeServeOptions, RunningKube};
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<Value>>>;

async fn agent(status: StatusCode) -> (ServerHandle, Seen) {
    let seen = Seen::default();
    let app = axum::Router::new()
        .route(
            "/report-failure",
            post(|State((seen, status)): State<(Seen, StatusCode)>, Json(body): Json<Value>| async move {
                seen.lock().unwrap().push(body);
                (status, Json(json!({ "status": "created", "issue_url": "http://gitea/u1/mcp/issues/1" })))
            }),
        )
        .with_state((seen.clone(), status));
    (spawn_http(app, 0).await.unwrap(), seen)
}

fn pod(name: &str, run: &str, phase: &str, start: &str, containers: &[(&str, i64)]) -> Value {
    let statuses: Vec<Value> = containers
        .iter()
        .map(|(c, code)| json!({ "name": c, "ready": false, "restartCount": 0, "image": "x", "imageID": "",
            "state": { "terminated": { "exitCode": code, "reason": if *code == 0 { "Completed" } else { "Error" } } } }))
        .collect();
    json!({ "apiVersion": "v1", "kind": "Pod",
        "metadata": { "name": name, "namespace": "agent-u1", "labels": { "tekton.dev/pipelineRun": run } },
        "spec": { "containers": containers.iter().map(|(c, _)| json!({ "name": c, "image": "x" })).collect::<Vec<_>>() },
        "status": { "phase": phase, "startTime": start, "containerStatuses": statuses } })
}

async fn cluster() -> (KubeEmulator, RunningKube) {
    let kube = KubeEmulator::new();
    kube.apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: agent-u1\n")
        .unwrap();
    let run = "build-agent-run1";
    for p in [
        pod(
            "build-agent-run1-fetch-repository-pod",
            run,
            "Succeeded",
            "2026-01-01T10:00:00Z",
            &[("step-clone", 0)],
        ),
        pod(
            "build-agent-run1-build-pod",
            run,
            "Failed",
            "2026-01-01T10:01:00Z",
            &[("step-build", 1), ("step-push", 0)],
        ),
        pod(
            "build-agent-run1-build-pod-retry2",
            run,
            "Failed",
            "2026-01-01T10:05:00Z",
            &[("step-push", 0), ("step-build", 1)],
        ),
        pod(
            "build-agent-run1-build-pod-retry1",
            run,
            "Failed",
            "2026-01-01T10:03:00Z",
            &[("step-build", 1)],
        ),
        pod(
            "build-agent-run1-trigger-agent-pod",
            run,
            "Failed",
            "2026-01-01T10:09:00Z",
            &[("step-check", 1)],
        ),
        pod(
            "build-agent-run0-build-pod",
            "build-agent-run0",
            "Failed",
            "2026-01-01T11:00:00Z",
            &[("step-build", 1)],
        ),
    ] {
        kube.apply_object(p).unwrap();
    }
    let running = kube
        .serve(KubeServeOptions {
            tls: false,
            ..KubeServeOptions::default()
        })
        .await
        .unwrap();
    (kube, running)
}

/// kubectl's discovery cache goes to a temporary folder, not the source tree or $HOME.
fn cache_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("trigger-test-kubecache-{}", std::process::id()))
}

async fn run_script(kube: &RunningKube, endpoint: &str, status: &str) -> std::process::Output {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../charts/agent/files/trigger-agent.sh"
    );
    let child = tokio::process::Command::new("sh")
        .arg(script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("KUBECTL", require(Tool::Kubectl))
        .env("KUBECONFIG", kube.kubeconfig_path())
        .env("KUBECACHEDIR", cache_dir())
        .env("HOME", cache_dir())
        .env("AGGREGATE_STATUS", status)
        .env("NAMESPACE", "agent-u1")
        .env("PIPELINE_RUN", "build-agent-run1")
        .env("PIPELINE_RUN_UID", "0b5e7a2c-1111-2222-3333-444455556666")
        .env("AGENT_ENDPOINT", endpoint)
        .env("REPORT_TIMEOUT", "10")
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(Duration::from_secs(60), child)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_failed_run_is_reported_with_its_latest_failed_pod_and_container() {
    let (_kube, running) = cluster().await;
    let (server, seen) = agent(StatusCode::OK).await;
    let endpoint = format!("{}/report-failure", server.base_url());
    let out = run_script(&running, &endpoint, "Failed").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Agent answered") && stdout.contains("issues/1"),
        "{stdout}"
    );
    let bodies = seen.lock().unwrap().clone();
    assert_eq!(
        bodies,
        vec![
            json!({ "namespace": "agent-u1", "pipeline_run": "build-agent-run1",
            "pipeline_run_uid": "0b5e7a2c-1111-2222-3333-444455556666",
            "pod_name": "build-agent-run1-build-pod-retry2", "container_name": "step-build" })
        ]
    );
}

#[tokio::test]
async fn a_successful_run_posts_nothing_and_a_failing_agent_fails_the_task() {
    let (_kube, running) = cluster().await;
    let (server, seen) = agent(StatusCode::OK).await;
    let endpoint = format!("{}/report-failure", server.base_url());
    let out = run_script(&running, &endpoint, "Succeeded").await;
    assert!(out.status.success());
    assert!(seen.lock().unwrap().is_empty());

    let (broken, _) = agent(StatusCode::INTERNAL_SERVER_ERROR).await;
    let endpoint = format!("{}/report-failure", broken.base_url());
    let out = run_script(&running, &endpoint, "Failed").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(22),
        "curl --fail-with-body exit code; {stdout}"
    );
    assert!(
        stdout.contains("Agent call failed") && stdout.contains("created"),
        "the body is printed: {stdout}"
    );

    // Nobody listening: bounded by --max-time / connection refused, never a hang.
    let out = run_script(&running, "http://127.0.0.1:9/report-failure", "Failed").await;
    assert!(!out.status.success());
}

#[tokio::test]
async fn unexpected_names_are_refused_before_any_call() {
    let (_kube, running) = cluster().await;
    let (server, seen) = agent(StatusCode::OK).await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../charts/agent/files/trigger-agent.sh"
    );
    let out = tokio::process::Command::new("sh")
        .arg(script)
        .env("KUBECTL", require(Tool::Kubectl))
        .env("KUBECONFIG", running.kubeconfig_path())
        .env("KUBECACHEDIR", cache_dir())
        .env("AGGREGATE_STATUS", "Failed")
        .env("NAMESPACE", "agent-u1\",\"x\":\"y")
        .env("PIPELINE_RUN", "build-agent-run1")
        .env("PIPELINE_RUN_UID", "u")
        .env(
            "AGENT_ENDPOINT",
            format!("{}/report-failure", server.base_url()),
        )
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(seen.lock().unwrap().is_empty());
}
