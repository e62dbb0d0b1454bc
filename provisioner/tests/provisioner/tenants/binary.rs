//! The `provisioner` binary against served emulators, configured only through the
//! environment (the way `source <testbed env file>; provisioner provision …` works):
//! the cluster over HTTPS with `K8S_AUTH_*` (self-signed, verification off), Gitea and
//! LiteLLM over HTTP.

use std::process::Output;
use std::time::Duration;

use emulator_support::tools::{Tool, require};
use gitea_emulator::{ADMIN_PASSWORD, ADMIN_USER};
use kube_emulator::KubeServeOptions;
use serde_json::Value;

use super::lab::{Expand, Lab, tenant_objects};

async fn provisioner(args: &[&str], env: &[(String, String)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_provisioner"));
    cmd.env_clear()
        .args(args)
        .env("HELM_BIN", require(Tool::Helm))
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_binary_provisions_and_destroys_from_the_environment() {
    let lab = Lab::start(Expand::Nothing).await;
    let kube = lab
        .kube
        .serve(KubeServeOptions {
            port: 0,
            tls: true,
            dir: None,
        })
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("prov-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let values = dir.join("values.yaml");
    let s = lab.settings();
    std::fs::write(
        &values,
        format!(
            "repoSource: {}\nmodels: [local]\nagentModel: local\nwaitSeconds: 30\npollMillis: 25\n",
            s.repo_source
        ),
    )
    .unwrap();
    let master_file = dir.join("master-key");
    std::fs::write(&master_file, "sk-master\n").unwrap();
    let env: Vec<(String, String)> = [
        ("K8S_AUTH_HOST", kube.url()),
        ("K8S_AUTH_API_KEY", kube.admin_token().to_string()),
        ("K8S_AUTH_VERIFY_SSL", "false".into()),
        ("GITEA_URL", lab.gitea_srv.base_url()),
        ("GITEA_ADMIN_USER", ADMIN_USER.into()),
        ("GITEA_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
        ("LLM_URL", lab.llm_srv.base_url()),
        ("LITELLM_MASTER_KEY_FILE", master_file.display().to_string()),
        (
            "PROVISIONER_CHARTS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../charts").into(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let values = values.display().to_string();
    // The tenant and its values file, as every command takes them.
    let tenant = [
        "--username",
        "zed",
        "--guid",
        "gzed",
        "--values",
        values.as_str(),
    ];
    let args = [&tenant[..], &["--create-namespaces"]].concat();

    let out = provisioner(&[&["provision"][..], &args].concat(), &env).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["steps"].as_array().unwrap().len(), 13);
    for secret in [kube.admin_token(), "sk-master", ADMIN_PASSWORD] {
        assert!(!stderr.contains(secret), "a secret reached the log");
    }
    assert!(stderr.contains("step done"), "steps are logged: {stderr}");
    assert!(!tenant_objects(&lab.kube, "zed").is_empty());

    let out = provisioner(&[&["status"][..], &tenant].concat(), &env).await;
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["llm_keys"], 1, "{status}");

    let out = provisioner(&[&["destroy"][..], &args].concat(), &env).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tenant_objects(&lab.kube, "zed").is_empty());
    assert!(lab.llm.keys().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
