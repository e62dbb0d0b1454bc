//! The `provisioner operator` process against the served emulators (configured only by
//! the environment): a Tenant becomes Ready, `/metrics` counts it; the process is killed
//! (SIGKILL), the Tenant deleted and stuck on its finalizer; `provisioner destroy --force`
//! destroys it and removes the finalizer.

use std::process::Stdio;
use std::time::{Duration, Instant};

use emulator_support::tools::{Tool, require};
use kube_emulator::KubeServeOptions;
use serde_json::json;

use super::harness::OpLab;
use crate::tenants::lab::tenant_objects;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_operator_binary_reconciles_and_destroy_force_frees_a_stuck_tenant() {
    let op = OpLab::start().await;
    let kube = op
        .lab
        .kube
        .serve(KubeServeOptions {
            port: 0,
            tls: true,
            dir: None,
        })
        .await
        .unwrap();
    let env: Vec<(String, String)> = [
        ("K8S_AUTH_HOST", kube.url()),
        ("K8S_AUTH_API_KEY", kube.admin_token().to_string()),
        ("K8S_AUTH_VERIFY_SSL", "false".into()),
        ("HELM_BIN", require(Tool::Helm).display().to_string()),
        (
            "PROVISIONER_CHARTS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../charts").into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let port = free_port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_provisioner"))
        .env_clear()
        .envs(env.iter().cloned())
        .args([
            "operator",
            "--poll-seconds",
            "0.1",
            "--retry-seconds",
            "0.2",
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    op.create("kate", json!({})).await;
    op.wait_phase("kate", "Ready").await;
    let metrics = scrape(port).await;
    assert!(
        metrics.contains("tenant_operator_tenants{phase=\"Ready\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenant_operator_reconciles_total{action=\"provision\",result=\"ready\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenant_operator_time_to_ready_seconds_count 1"),
        "{metrics}"
    );
    child.kill().await.unwrap();
    // No operator: the deletion waits on the finalizer.
    op.delete("kate").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stuck = op.get("kate").await.unwrap();
    assert!(stuck.metadata.deletion_timestamp.is_some());
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_provisioner"))
        .env_clear()
        .envs(env.iter().cloned())
        .env("GITEA_URL", op.lab.gitea_srv.base_url())
        .env("GITEA_ADMIN_USER", gitea_emulator::ADMIN_USER)
        .env("GITEA_ADMIN_PASSWORD", gitea_emulator::ADMIN_PASSWORD)
        .env("LLM_URL", op.lab.llm_srv.base_url())
        .env("LITELLM_MASTER_KEY", "sk-master")
        .args([
            "destroy",
            "--username",
            "kate",
            "--guid",
            "gkate",
            "--force",
        ])
        .args(["--values", &values_file(&op)])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("finalizer removed"));
    op.wait_gone("kate").await;
    assert!(tenant_objects(&op.lab.kube, "kate").is_empty());
    assert!(!op.lab.gitea.user_exists("kate"));
}

fn values_file(op: &OpLab) -> String {
    let path = std::env::temp_dir().join(format!("op-values-{}.yaml", std::process::id()));
    let s = op.lab.settings();
    std::fs::write(
        &path,
        format!(
            "repoSource: {}\ncreateNamespaces: true\nmodels: [local]\nagentModel: local\nwaitSeconds: 30\npollMillis: 25\n",
            s.repo_source
        ),
    )
    .unwrap();
    path.display().to_string()
}

async fn scrape(port: u16) -> String {
    let start = Instant::now();
    loop {
        match reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await {
            Ok(r) => return r.text().await.unwrap(),
            Err(e) => {
                assert!(start.elapsed() < Duration::from_secs(10), "{e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
