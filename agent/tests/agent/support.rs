//! Test harness: fixture MCP servers, a fake LLM and the agent, all on loopback ports.

pub mod fake_llm;
pub mod fixture;
pub mod server;
pub mod transports;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use agent::app::{App, Tuning};
use agent::config::Config;
use agent::hooks::{NoHooks, RunHooks};
use agent::mcp::SessionTiming;
use serde_json::{Value, json};

use self::fake_llm::FakeLlm;
use self::fixture::Fixture;
use self::server::Killable;
use self::transports::SseControl;

pub const NS: &str = "lab-user1";
pub const POD: &str = "build-agent-run-abc12-build-pod-retry2";
pub const LOG: &str = "STEP 3/7: COPY app.py /app/\nError: building at STEP \"COPY app.py /app/\": no such file or directory\nsubprocess exited with status 1";

/// Short timings so reconnect tests finish quickly.
pub fn tuning() -> Tuning {
    Tuning {
        sessions: SessionTiming {
            connect_timeout: Duration::from_secs(3),
            refresh_interval: Duration::from_millis(500),
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_millis(300),
        },
        llm_backoff: Some(Duration::from_millis(10)),
    }
}

/// The body Tekton's finally task sends.
pub fn lab_report() -> Value {
    json!({"namespace": NS, "pod_name": POD, "container_name": "step-buildah"})
}

/// The model's first move in most scripts: read the lab pod's log.
pub fn log_call() -> (&'static str, Value) {
    ("pods_log", json!({"namespace": NS, "name": POD}))
}

pub struct Options {
    pub openshift_sse: bool,
    pub legacy_gitea: bool,
    pub env: Vec<(&'static str, String)>,
    pub hooks: Arc<dyn RunHooks>,
    pub wait_ready: bool,
    /// Use this LLM endpoint (base URL, key) instead of the fake one.
    pub llm: Option<(String, String)>,
    /// The OpenShift fixture's tools (default: `pods_log` and `pods_delete`).
    pub openshift_tools: Option<Vec<rmcp::model::Tool>>,
    /// The Gitea fixture's tools (default: `issue_write`, or `create_issue` when legacy).
    pub gitea_tools: Option<Vec<rmcp::model::Tool>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            openshift_sse: true,
            legacy_gitea: false,
            env: vec![],
            hooks: Arc::new(NoHooks),
            wait_ready: true,
            llm: None,
            openshift_tools: None,
            gitea_tools: None,
        }
    }
}

pub struct Harness {
    pub openshift: Fixture,
    pub gitea: Fixture,
    pub sse: SseControl,
    pub llm: FakeLlm,
    _openshift_server: Killable,
    _gitea_server: Killable,
    _llm_server: Killable,
    _app: App,
    agent_server: Killable,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start(llm: FakeLlm, options: Options) -> Self {
        let openshift = match options.openshift_tools {
            Some(tools) => Fixture::with_tools(tools),
            None => Fixture::openshift(),
        };
        openshift.set_log(POD, LOG);
        let gitea = if let Some(tools) = options.gitea_tools {
            Fixture::with_tools(tools)
        } else if options.legacy_gitea {
            Fixture::legacy_gitea()
        } else {
            Fixture::gitea()
        };
        let sse = SseControl::default();
        let (os_router, os_path, transport) = if options.openshift_sse {
            (
                transports::sse_router(openshift.clone(), sse.clone()),
                "/sse#openshift",
                "sse",
            )
        } else {
            (
                transports::streamable_router(openshift.clone()),
                "/mcp",
                "streamable-http",
            )
        };
        let openshift_server = Killable::start(os_router, 0).await;
        let gitea_server = Killable::start(transports::streamable_router(gitea.clone()), 0).await;
        let llm_server = Killable::start(llm.router(), 0).await;
        let mut env: HashMap<String, String> = [
            (
                "LITELLM_URL",
                options
                    .llm
                    .as_ref()
                    .map_or_else(|| llm_server.url(""), |l| l.0.clone()),
            ),
            (
                "LITELLM_API_KEY",
                options
                    .llm
                    .as_ref()
                    .map_or_else(|| "sk-test".into(), |l| l.1.clone()),
            ),
            ("LITELLM_MODEL", "openai/local".into()),
            ("MCP_OPENSHIFT_URL", openshift_server.url(os_path)),
            ("MCP_OPENSHIFT_TRANSPORT", transport.into()),
            ("MCP_GITEA_URL", gitea_server.url("/mcp")),
            ("MCP_GITEA_USER", "user1".into()),
            ("MCP_GITEA_REPO", "mcp".into()),
            ("LLM_TIMEOUT_SECONDS", "10".into()),
            ("RUN_DEADLINE_SECONDS", "20".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in options.env {
            env.insert(k.to_string(), v);
        }
        let config = Config::from_map(&env).unwrap();
        let app = App::start(&config, options.hooks, tuning());
        if options.wait_ready {
            assert!(
                app.agent()
                    .registry()
                    .wait_ready(Duration::from_secs(10))
                    .await,
                "MCP servers not ready"
            );
        }
        let agent_server = Killable::start(app.router(), 0).await;
        let (_openshift_server, _gitea_server, _app) = (openshift_server, gitea_server, app);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        Self {
            openshift,
            gitea,
            sse,
            llm,
            _openshift_server,
            _gitea_server,
            _llm_server: llm_server,
            _app,
            agent_server,
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.agent_server.url(path)
    }

    pub async fn report(&self, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url("/report-failure"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// Runs `f` with a test-wide time limit.
pub async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("test timed out")
}
