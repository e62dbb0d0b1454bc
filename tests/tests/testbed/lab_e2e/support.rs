//! Our two MCP servers on loopback ports, over the emulators, as the lab deploys them.
#![allow(
    dead_code,
    reason = "shared by the lab test modules; some use only part of it"
)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use testbed::gitea::{GiteaEmulator, LabGitea, RunningGitea};
use testbed::kube::{KubeEmulator, LabScenario};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Runs `fut` with a time limit, so a hung server fails the test instead of blocking CI.
pub(crate) async fn bounded<T>(limit: Duration, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, fut).await {
        Ok(value) => value,
        Err(_) => panic!("test did not finish within {limit:?}"),
    }
}

/// A loopback HTTP server that passes the peer address to the app (as `axum::serve` with
/// connect info does) and can be killed for real: every open connection drops.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    pub(crate) async fn start(router: Router, port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((stream, peer)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let mut req = req.map(axum::body::Body::new);
                            req.extensions_mut().insert(ConnectInfo(peer));
                            router.clone().oneshot(req)
                        },
                    );
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .await;
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Self { addr, task }
    }

    /// A handle on a server started elsewhere (for its URL only; nothing to kill).
    pub(crate) fn at(addr: SocketAddr) -> Self {
        Self {
            addr,
            task: tokio::spawn(async {}),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Kills the server and every connection, as a crashed pod.
    pub(crate) fn kill(&self) {
        self.task.abort();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Our OpenShift MCP server's app over `kube` for `namespace` (SSE on `/sse`, streamable
/// HTTP on `/mcp`).
pub(crate) fn openshift_app(kube: &KubeEmulator, namespace: &str) -> Router {
    let cluster = mcp_openshift::Cluster::from_client(kube.client(), namespace);
    let state = mcp_openshift::state(&mcp_openshift::Config::default(), cluster);
    let options = mcp_openshift::http::HttpOptions::default();
    mcp_openshift::http::app(state, &options, CancellationToken::new())
}

/// Our Gitea MCP server's app over `gitea` with `token` (streamable HTTP on `/mcp`).
pub(crate) fn gitea_app(gitea: &RunningGitea, token: &str) -> Router {
    let config = mcp_gitea::config::Config {
        host: gitea.base_url(),
        token: Some(mcp_gitea::config::Secret::new(token.to_string())),
        sessions: true,
        ..Default::default()
    };
    let server = mcp_gitea::build_server(&config).expect("gitea-mcp config");
    let options = mcp_gitea::http_transport::HttpOptions {
        sessions: true,
        bind: Some(std::net::Ipv4Addr::LOCALHOST.into()),
        ..Default::default()
    };
    mcp_gitea::http_transport::router(server, &options, CancellationToken::new())
}

/// The lab seeded for `user1`: both emulators and both MCP servers.
pub(crate) struct Lab {
    pub(crate) kube: KubeEmulator,
    pub(crate) scenario: LabScenario,
    pub(crate) gitea: GiteaEmulator,
    pub(crate) lab_gitea: LabGitea,
    pub(crate) running_gitea: RunningGitea,
    pub(crate) openshift: Server,
    pub(crate) gitea_mcp: Server,
}

impl Lab {
    pub(crate) async fn start() -> Self {
        let kube = KubeEmulator::new();
        let scenario = kube.seed_lab("user1");
        let gitea = GiteaEmulator::new();
        let running_gitea = gitea.serve(0).await.expect("gitea emulator");
        let lab_gitea = gitea.seed_lab("user1");
        let openshift = Server::start(openshift_app(&kube, &scenario.namespace), 0).await;
        let gitea_mcp = Server::start(gitea_app(&running_gitea, &lab_gitea.user_token), 0).await;
        Self {
            kube,
            scenario,
            gitea,
            lab_gitea,
            running_gitea,
            openshift,
            gitea_mcp,
        }
    }
}

/// The agent's timings for tests: quick reconnects, short LLM backoff.
pub(crate) fn tuning() -> agent::app::Tuning {
    agent::app::Tuning {
        sessions: agent::mcp::SessionTiming {
            connect_timeout: Duration::from_secs(3),
            refresh_interval: Duration::from_millis(500),
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_millis(300),
        },
        llm_backoff: Some(Duration::from_millis(10)),
    }
}

/// An agent for `user`'s tenant, configured as the lab chart does, serving its HTTP API;
/// waits until both MCP servers are connected. Keep the `App`: dropping it ends its sessions.
pub(crate) async fn start_agent(
    llm_url: &str,
    llm_key: &str,
    openshift_sse: &str,
    gitea_mcp: &str,
    user: &str,
    repo: &str,
) -> (agent::app::App, Server) {
    let env: std::collections::HashMap<String, String> = [
        ("LITELLM_URL", llm_url),
        ("LITELLM_API_KEY", llm_key),
        ("LITELLM_MODEL", "openai/local"),
        ("MCP_OPENSHIFT_URL", openshift_sse),
        ("MCP_GITEA_URL", gitea_mcp),
        ("MCP_GITEA_USER", user),
        ("MCP_GITEA_REPO", repo),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = agent::config::Config::from_map(&env).expect("agent config");
    let app = agent::app::App::start(
        &config,
        std::sync::Arc::new(agent::hooks::NoHooks),
        tuning(),
    );
    assert!(
        app.agent()
            .registry()
            .wait_ready(Duration::from_secs(20))
            .await,
        "{:?}",
        app.agent().registry().status()
    );
    let server = Server::start(app.router(), 0).await;
    (app, server)
}

/// The lab script of a good model for `scenario`, on a fresh LLM emulator.
pub(crate) async fn lab_llm(
    scenario: &LabScenario,
    user: &str,
) -> (testbed::llm::LlmEmulator, testbed::llm::RunningLlm) {
    use testbed::llm::{LabFacts, LlmConfig, LlmEmulator, lab_script};
    let llm = LlmEmulator::new(LlmConfig::default());
    llm.set_script(lab_script(&LabFacts {
        user: user.to_string(),
        namespace: scenario.namespace.clone(),
        pod: scenario.pod.clone(),
        container: scenario.failed_container.clone(),
        failure_line: scenario.failure_line.clone(),
    }));
    let running = llm.serve(0).await.expect("llm emulator");
    (llm, running)
}

/// What Tekton's finally task posts for `scenario`; returns the agent's status and reply.
pub(crate) async fn report_failure(
    agent: &Server,
    scenario: &LabScenario,
) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"namespace": scenario.namespace, "pod_name": scenario.pod,
        "container_name": "step-buildah", "pipeline_run": scenario.pipeline_run,
        "task_run": scenario.task_run, "pipeline_run_uid": scenario.pipeline_run_uid});
    let response = reqwest::Client::new()
        .post(agent.url("/report-failure"))
        .json(&body)
        .send()
        .await
        .expect("post the failure report");
    let status = response.status().as_u16();
    let reply = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, reply)
}

/// Checks that `user/repo` holds exactly one issue, the lab's, naming the failure.
pub(crate) fn assert_one_lab_issue(
    gitea: &GiteaEmulator,
    user: &str,
    repo: &str,
    scenario: &LabScenario,
) {
    let issues = gitea.issues(user, repo);
    assert_eq!(issues.len(), 1, "{user}/{repo}: {issues:?}");
    let body = issues[0]["body"].as_str().unwrap_or_default();
    for section in agent::prompt::BODY_SECTIONS {
        assert!(body.contains(section), "{section} missing in {body}");
    }
    assert!(body.contains(&scenario.failure_line), "{body}");
}
