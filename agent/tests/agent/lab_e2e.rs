//! The lab's happy path with every real piece: the Kubernetes emulator seeded with the
//! failed `build-agent` run behind our OpenShift MCP server (legacy SSE), the Gitea
//! emulator behind our Gitea MCP server (Streamable HTTP), the LLM emulator replaying the
//! lab script, and the agent's HTTP API.

use std::collections::HashMap;
use std::time::Duration;

use agent::app::App;
use agent::config::Config;
use agent::hooks::NoHooks;
use gitea_emulator::GiteaEmulator;
use kube_emulator::KubeEmulator;
use llm_emulator::{LAB_ISSUE_TITLE, LabFacts, LlmConfig, LlmEmulator, lab_script};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::server::Killable;
use crate::support::{bounded, tuning};

#[tokio::test]
async fn lab_happy_path_end_to_end() {
    // The lab repository has the labels bug, enhancement, pipeline.
    let labels = lab_run(None).await;
    assert_eq!(labels, vec!["bug", "pipeline"]);
}

#[tokio::test]
async fn a_repository_without_the_labels_gets_an_unlabelled_issue() {
    assert!(lab_run(Some("plain")).await.is_empty());
}

/// The lab run end to end, filing into the seeded repository or into a new `repo` without
/// labels; returns the label names of the filed issue.
async fn lab_run(repo: Option<&str>) -> Vec<String> {
    bounded(async {
        // OpenShift side.
        let kube = KubeEmulator::new();
        let lab = kube.seed_lab("user1");
        let cluster = mcp_openshift::Cluster::from_client(kube.client(), &lab.namespace);
        let state = mcp_openshift::state(&mcp_openshift::Config::default(), cluster);
        let options = mcp_openshift::http::HttpOptions { stateless: false, allowed_hosts: vec![], ..Default::default() };
        let openshift = Killable::start(mcp_openshift::http::app(state, &options, CancellationToken::new()), 0).await;

        // Gitea side.
        let gitea = GiteaEmulator::new();
        let running_gitea = gitea.serve(0).await.unwrap();
        let mut lab_gitea = gitea.seed_lab("user1");
        if let Some(repo) = repo {
            gitea.create_repo(&lab_gitea.user, repo, false);
            lab_gitea.repo = repo.to_string();
        }
        // As the chart runs it: no static token, every caller must bring its own.
        let config = mcp_gitea::config::Config {
            host: running_gitea.base_url(),
            require_token: true,
            sessions: true,
            ..Default::default()
        };
        let server = mcp_gitea::build_server(&config).unwrap();
        let options = mcp_gitea::http_transport::HttpOptions { sessions: true, require_token: true, ..Default::default() };
        let gitea_mcp = Killable::start(mcp_gitea::http_transport::router(server, &options, CancellationToken::new()), 0).await;

        // The model.
        let llm = LlmEmulator::new(LlmConfig::default());
        llm.set_script(lab_script(&LabFacts {
            user: lab_gitea.user.clone(),
            namespace: lab.namespace.clone(),
            pod: lab.pod.clone(),
            container: lab.failed_container.clone(),
            failure_line: lab.failure_line.clone(),
        }));
        let running_llm = llm.serve(0).await.unwrap();

        // The agent, configured as the lab chart does.
        let env: HashMap<String, String> = [
            ("LITELLM_URL", running_llm.base_url()),
            ("LITELLM_API_KEY", llm.config().api_key.clone()),
            ("LITELLM_MODEL", "openai/local".into()),
            ("MCP_OPENSHIFT_URL", openshift.url("/sse#openshift")),
            ("MCP_GITEA_URL", gitea_mcp.url("/mcp")),
            ("MCP_GITEA_TOKEN", lab_gitea.user_token.clone()),
            ("MCP_GITEA_USER", lab_gitea.user.clone()),
            ("MCP_GITEA_REPO", lab_gitea.repo.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let app = App::start(&Config::from_map(&env).unwrap(), std::sync::Arc::new(NoHooks), tuning());
        assert!(
            app.agent().registry().wait_ready(Duration::from_secs(15)).await,
            "{:?}",
            app.agent().registry().status()
        );
        let agent = Killable::start(app.router(), 0).await;

        // What Tekton's finally task sends.
        let body = json!({"namespace": lab.namespace, "pod_name": lab.pod, "container_name": "step-buildah",
            "pipeline_run": lab.pipeline_run, "task_run": lab.task_run, "pipeline_run_uid": lab.pipeline_run_uid});
        let response = reqwest::Client::new().post(agent.url("/report-failure")).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        let reply: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{reply}");

        let issues = gitea.issues(&lab_gitea.user, &lab_gitea.repo);
        assert_eq!(issues.len(), 1, "{issues:?}");
        let issue = &issues[0];
        assert_eq!(issue["title"], LAB_ISSUE_TITLE);
        let issue_body = issue["body"].as_str().unwrap();
        for section in agent::prompt::BODY_SECTIONS {
            assert!(issue_body.contains(section), "{section} missing in {issue_body}");
        }
        assert!(issue_body.contains(&lab.failure_line));
        assert_eq!(reply["issue_url"], issue["html_url"]);
        assert_eq!(reply["issue_number"], issue["number"]);
        // The pod's real log (from the Kubernetes emulator) reached the model.
        let requests = llm.requests();
        assert_eq!(requests.len(), 2);
        let tool_result = requests[1].messages.iter().find(|m| m["role"] == "tool").unwrap();
        assert!(tool_result["content"].as_str().unwrap().contains(&lab.failure_line));
        let labels = issue["labels"].as_array().cloned().unwrap_or_default();
        labels.iter().map(|l| l["name"].as_str().unwrap_or_default().to_string()).collect()
    })
    .await
}
