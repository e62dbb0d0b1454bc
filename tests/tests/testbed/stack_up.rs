//! `testbed up` (the full stack) as a user runs it: start the binary, wait for the env
//! file, check that every URL answers, stop it with SIGINT, expect exit 0, and start it
//! again on the same ports (no leftovers: ports free, env file removed).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::up_process::{Running, interrupt, temp_dir, wait_for_env};

fn start(env_file: &Path, port_base: u16) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_testbed"))
        .env("RUST_LOG", "warn")
        .env_remove("LITELLM_URL")
        .args(["up", "--port-base", &port_base.to_string(), "--env-file"])
        .arg(env_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Running(child)
}

/// Six consecutive free ports (bound and released; another process could race us, which
/// then fails the start loudly rather than silently).
fn free_port_base() -> u16 {
    for _ in 0..50 {
        let first = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = first.local_addr().unwrap().port();
        if base > 65000 {
            continue;
        }
        let rest: Vec<_> = (1..6)
            .filter_map(|i| std::net::TcpListener::bind(("127.0.0.1", base + i)).ok())
            .collect();
        if rest.len() == 5 {
            return base;
        }
    }
    panic!("no six consecutive free ports");
}

async fn check_every_url(env: &HashMap<String, String>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let ok =
        |status: reqwest::StatusCode, what: &str| assert!(status.is_success(), "{what}: {status}");
    let user_token = format!("token {}", env["GITEA_USER_TOKEN"]);
    let gitea = http
        .get(format!("{}/api/v1/repos/user1/mcp", env["GITEA_URL"]))
        .header("authorization", &user_token)
        .send()
        .await
        .unwrap();
    ok(gitea.status(), "the tenant's repository with its token");
    let models = http
        .get(format!("{}/models", env["LLM_URL"]))
        .bearer_auth(&env["TENANT_LLM_KEY"])
        .send()
        .await
        .unwrap();
    ok(models.status(), "the LLM with the tenant's key");
    let ready = http
        .get(format!("{}/readyz", env["AGENT_URL"]))
        .send()
        .await
        .unwrap();
    ok(ready.status(), "the agent's /readyz");
    let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    for key in ["MCP_OPENSHIFT_HTTP_URL", "MCP_GITEA_URL"] {
        assert!(env[key].ends_with("/mcp"), "{key}");
        // The Gitea MCP server requires the caller's token (as the chart runs it).
        let response = http
            .post(&env[key])
            .header("accept", "application/json, text/event-stream")
            .bearer_auth(&env["GITEA_USER_TOKEN"])
            .json(&init)
            .send()
            .await
            .unwrap();
        ok(response.status(), key);
    }
    assert!(env["MCP_OPENSHIFT_SSE_URL"].ends_with("/sse"));
    let sse = http
        .get(&env["MCP_OPENSHIFT_SSE_URL"])
        .send()
        .await
        .unwrap();
    ok(sse.status(), "MCP_OPENSHIFT_SSE_URL");
    drop(sse);
    let kubeconfig = kube::config::Kubeconfig::read_from(&env["KUBECONFIG"]).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(client, "agent-user1");
    let listed = tokio::time::timeout(Duration::from_secs(10), pods.list(&Default::default()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        !listed.items.is_empty(),
        "the seeded failed build pod is there"
    );
}

#[tokio::test]
async fn up_runs_the_full_stack_stops_on_sigint_and_starts_again() {
    let dir = temp_dir("testbed-stack-up");
    let env_file = dir.join("stack.env");
    let base = free_port_base();
    for round in 1..=2 {
        let mut running = start(&env_file, base);
        let env = wait_for_env(&env_file, &mut running.0, Duration::from_secs(120));
        assert!(
            env["AGENT_URL"].ends_with(&format!(":{}", base + 5)),
            "round {round}: {env:?}"
        );
        check_every_url(&env).await;
        let (status, stdout) = interrupt(running, Duration::from_secs(30));
        assert!(status.success(), "round {round}: exit status {status}");
        assert!(!env_file.exists(), "the env file is removed on exit");
        for printed in [
            "LLM: LLM emulator",
            "type: sse",
            "/sse#openshift",
            "type: streamable-http",
            "/report-failure",
            "Tenant user1",
        ] {
            assert!(
                stdout.contains(printed),
                "round {round}: {printed} missing from:\n{stdout}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
