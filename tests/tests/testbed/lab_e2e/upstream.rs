//! The upstream Go `kubernetes-mcp-server` 0.0.66 as a drop-in swap for ours: the agent
//! reads the failed step through it (legacy SSE, as the chart configures) and files the
//! lab issue through our Gitea MCP server.

use std::process::Stdio;
use std::time::Duration;

use testbed::kube::KubeServeOptions;
use testbed::tools::{Tool, require};

use super::support::{Lab, assert_one_lab_issue, bounded, lab_llm, report_failure, start_agent};

async fn wait_healthy(port: u16) {
    let http = reqwest::Client::new();
    for _ in 0..300 {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_files_the_lab_issue_through_the_upstream_go_server() {
    bounded(Duration::from_secs(90), async {
        let lab = Lab::start().await;
        let running_kube = lab
            .kube
            .serve(KubeServeOptions::default())
            .await
            .expect("kube over HTTPS");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let _upstream = tokio::process::Command::new(require(Tool::UpstreamKubernetesMcpServer))
            .args([
                "--port",
                &port.to_string(),
                "--bind-address",
                "127.0.0.1",
                "--disable-multi-cluster",
                "--kubeconfig",
            ])
            .arg(running_kube.kubeconfig_path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start the upstream server");
        wait_healthy(port).await;

        let user = lab.lab_gitea.user.clone();
        let (llm, running_llm) = lab_llm(&lab.scenario, &user).await;
        let (_app, agent) = start_agent(
            &running_llm.base_url(),
            &llm.config().api_key,
            &format!("http://127.0.0.1:{port}/sse#openshift"),
            &lab.gitea_mcp.url("/mcp"),
            &user,
            &lab.lab_gitea.repo,
        )
        .await;
        let (status, reply) = report_failure(&agent, &lab.scenario).await;
        assert_eq!(
            status,
            200,
            "{reply} {:?}",
            llm.requests()
                .iter()
                .map(|r| r.messages.clone())
                .collect::<Vec<_>>()
        );
        assert_one_lab_issue(&lab.gitea, &user, &lab.lab_gitea.repo, &lab.scenario);
        // The failed step's log came from the Go server, not from the fallback.
        let requests = llm.requests();
        let tool_result = requests
            .iter()
            .flat_map(|r| r.messages.iter())
            .find(|m| m["role"] == "tool");
        let log = tool_result
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default();
        assert!(log.contains(&lab.scenario.failure_line), "{requests:?}");
    })
    .await
}
