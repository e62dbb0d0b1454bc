//! The binary's command line: the lab's exact invocation, -version, -healthcheck, usage.

use std::process::Stdio;
use std::time::Duration;

use gitea_emulator::GiteaEmulator;
use serde_json::json;
use tokio::process::Command;

use super::common::{STEP, client, ok};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gitea-mcp"));
    for var in [
        "MCP_MODE",
        "GITEA_HOST",
        "GITEA_ACCESS_TOKEN",
        "GITEA_ACCESS_TOKEN_FILE",
        "GITEA_READONLY",
        "GITEA_TOOLS",
        "GITEA_SCOPES",
    ] {
        c.env_remove(var);
    }
    c.kill_on_drop(true);
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(port: u16) {
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let r = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .timeout(Duration::from_secs(1))
            .send()
            .await;
        if matches!(r, Ok(ref r) if r.status() == 200) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "server on {port} never became healthy"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn lab_command_line_serves_http() {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let port = free_port();
    let mut child = bin()
        .args(["-d", "-port", &port.to_string(), "-transport", "http"])
        .env("GITEA_HOST", gitea.base_url())
        .env("GITEA_ACCESS_TOKEN", &lab.user_token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port).await;
    let status = bin()
        .args(["-healthcheck", "-port", &port.to_string()])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let c = client(&format!("http://127.0.0.1:{port}/mcp"), None).await;
    let issue = ok(
        &c,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "lab"}),
    )
    .await;
    assert!(
        issue["html_url"]
            .as_str()
            .unwrap()
            .starts_with(&gitea.base_url())
    );
    assert_eq!(emu.issues("user1", "mcp").len(), 1);
    c.cancel().await.unwrap();
    child.kill().await.unwrap();
}

#[tokio::test]
async fn version_usage_and_failing_healthcheck() {
    let out = bin().arg("-v").output().await.unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let out = bin().arg("--no-such-flag").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flag provided but not defined: -no-such-flag")
            && err.contains("Usage of gitea-mcp"),
        "{err}"
    );
    let out = bin().args(["-t", "sse"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let port = free_port();
    let status = bin()
        .args(["-healthcheck", "-p", &port.to_string()])
        .status()
        .await
        .unwrap();
    assert!(!status.success(), "nothing listens on {port}");
}
