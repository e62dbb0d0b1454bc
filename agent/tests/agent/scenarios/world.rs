//! Builds one scenario's world in process: the Kubernetes emulator with the case's fixture
//! behind our `mcp-openshift` (legacy SSE), the Gitea emulator behind our `mcp-gitea`
//! (Streamable HTTP), the LLM emulator with the case's script (or nothing listening), and the
//! agent with the production hooks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use agent::analysis_hooks::AnalysisHooks;
use agent::app::App;
use agent::config::Config;
use failure_analysis::scenario::{LlmMode, ScenarioCase};
use gitea_emulator::GiteaEmulator;
use kube_emulator::KubeEmulator;
use llm_emulator::{LlmConfig, LlmEmulator, Script};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::server::{Killable, free_port};
use crate::support::tuning;

/// Everything a case runs against; dropping it stops the servers.
pub struct World {
    pub kube: KubeEmulator,
    pub gitea: GiteaEmulator,
    pub llm: Option<LlmEmulator>,
    pub agent: Killable,
    /// The Gitea emulator's base URL (for reading comments over its API).
    pub gitea_url: String,
    /// The repository owner's token.
    pub gitea_token: String,
    _servers: Vec<Killable>,
    _running: Vec<Box<dyn std::any::Any + Send + Sync>>,
    _app: App,
}

/// Where the model lives: the case's scripted emulator, or a real endpoint.
pub enum Model {
    Scripted,
    Real {
        url: String,
        key: String,
        model: String,
        /// Agent settings this endpoint needs (context window, answer cap, iterations).
        env: Vec<(String, String)>,
    },
}

/// The case's `llm` section as the emulator's `Script` (everything but `mode`).
pub fn script(case: &ScenarioCase) -> Result<Script, String> {
    let mut value = serde_json::to_value(&case.llm).map_err(|e| e.to_string())?;
    if let Some(map) = value.as_object_mut() {
        map.remove("mode");
    }
    Script::from_json(&value.to_string()).map_err(|e| format!("{e:?}"))
}

fn seed_cluster(kube: &KubeEmulator, case: &ScenarioCase) -> Result<(), String> {
    let c = &case.cluster;
    let mut namespaces: Vec<&str> = vec![case.request.namespace.as_str()];
    namespaces.extend(
        c.pods
            .iter()
            .chain(&c.task_runs)
            .filter_map(|o| o["metadata"]["namespace"].as_str()),
    );
    namespaces.dedup();
    for ns in namespaces {
        let namespace =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        let _ = kube.apply_object(namespace);
    }
    for obj in c
        .objects
        .iter()
        .chain(&c.pods)
        .chain(&c.task_runs)
        .chain(&c.pipeline_runs)
        .chain(&c.events)
    {
        kube.apply_object(obj.clone())
            .map_err(|e| format!("apply {}: {e:?}", name_of(obj)))?;
    }
    for log in &c.logs {
        let text = case
            .log(&log.pod, &log.container, log.previous)
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        kube.set_logs(
            &case.request.namespace,
            &log.pod,
            &log.container,
            &text,
            log.previous,
        );
    }
    Ok(())
}

fn name_of(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or("?");
    let name = obj["metadata"]["name"].as_str().unwrap_or("?");
    format!("{kind}/{name}")
}

impl World {
    pub async fn build(case: &ScenarioCase, model: &Model) -> Result<Self, String> {
        Self::build_with(case, model, &[]).await
    }

    /// As [`World::build`], with agent environment variables overridden.
    pub async fn build_with(
        case: &ScenarioCase,
        model: &Model,
        extra_env: &[(&str, &str)],
    ) -> Result<Self, String> {
        let ns = case.request.namespace.clone();
        let kube = KubeEmulator::new();
        seed_cluster(&kube, case)?;
        let cluster = mcp_openshift::Cluster::from_client(kube.client(), &ns);
        let state = mcp_openshift::state(&mcp_openshift::Config::default(), cluster);
        let options = mcp_openshift::http::HttpOptions {
            stateless: false,
            allowed_hosts: vec![],
            ..Default::default()
        };
        let openshift = Killable::start(
            mcp_openshift::http::app(state, &options, CancellationToken::new()),
            0,
        )
        .await;

        let owner = case.gitea.owner.clone();
        let gitea = GiteaEmulator::new();
        let running_gitea = gitea.serve(0).await.map_err(|e| e.to_string())?;
        let lab = gitea.seed_lab(&owner);
        if lab.repo != case.gitea.repo {
            gitea.create_repo(&owner, &case.gitea.repo, false);
        }
        for label in &case.gitea.labels {
            gitea.create_label(&owner, &case.gitea.repo, label, "ee0701", "");
        }
        let mut existing = case.gitea.existing_issues.clone();
        existing.sort_by_key(|i| i.number);
        for issue in &existing {
            // Fill the numbering up to the issue's number with closed placeholders.
            while (gitea.issues(&owner, &case.gitea.repo).len() as u64) + 1 < issue.number {
                gitea.create_issue(&owner, &case.gitea.repo, "placeholder", "");
            }
            gitea.create_issue(&owner, &case.gitea.repo, &issue.title, &issue.body);
        }
        let config = mcp_gitea::config::Config {
            host: running_gitea.base_url(),
            token: Some(mcp_gitea::config::Secret::new(lab.user_token.clone())),
            sessions: true,
            ..Default::default()
        };
        let server = mcp_gitea::build_server(&config).map_err(|e| e.to_string())?;
        let options = mcp_gitea::http_transport::HttpOptions {
            sessions: true,
            ..Default::default()
        };
        let gitea_mcp = Killable::start(
            mcp_gitea::http_transport::router(server, &options, CancellationToken::new()),
            0,
        )
        .await;

        let gitea_url = running_gitea.base_url();
        let gitea_token = lab.user_token.clone();
        let mut running: Vec<Box<dyn std::any::Any + Send + Sync>> = vec![Box::new(running_gitea)];
        let (llm, url, key, model_name) = match (model, case.llm.mode) {
            (
                Model::Real {
                    url, key, model, ..
                },
                _,
            ) => (None, url.clone(), key.clone(), model.clone()),
            (Model::Scripted, LlmMode::Down) => {
                let port = free_port().await;
                (
                    None,
                    format!("http://127.0.0.1:{port}/v1"),
                    "sk-none".into(),
                    "openai/local".into(),
                )
            }
            (Model::Scripted, LlmMode::Scripted) => {
                let llm = LlmEmulator::new(LlmConfig::default());
                llm.set_script(script(case)?);
                let served = llm.serve(0).await.map_err(|e| e.to_string())?;
                let url = served.base_url();
                let key = llm.config().api_key.clone();
                running.push(Box::new(served));
                (Some(llm), url, key, "openai/local".into())
            }
        };
        let env: HashMap<String, String> = [
            ("LITELLM_URL", url),
            ("LITELLM_API_KEY", key),
            ("LITELLM_MODEL", model_name),
            ("MCP_OPENSHIFT_URL", openshift.url("/sse#openshift")),
            ("MCP_GITEA_URL", gitea_mcp.url("/mcp")),
            ("MCP_GITEA_USER", owner.clone()),
            ("MCP_GITEA_REPO", case.gitea.repo.clone()),
            ("LLM_MAX_RETRIES", "1".into()),
            ("RUN_DEADLINE_SECONDS", "60".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(match model {
            Model::Real { env, .. } => env.clone(),
            Model::Scripted => Vec::new(),
        })
        .chain(
            extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .collect();
        let config = Config::from_map(&env).map_err(|e| e.to_string())?;
        let app = App::start(&config, Arc::new(AnalysisHooks), tuning());
        if !app
            .agent()
            .registry()
            .wait_ready(Duration::from_secs(15))
            .await
        {
            return Err(format!(
                "MCP not ready: {:?}",
                app.agent().registry().status()
            ));
        }
        let agent = Killable::start(app.router(), 0).await;
        Ok(Self {
            kube,
            gitea,
            llm,
            agent,
            gitea_url,
            gitea_token,
            _servers: vec![openshift, gitea_mcp],
            _running: running,
            _app: app,
        })
    }
}
