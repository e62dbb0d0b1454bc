//! The tenant's platform on loopback ports: our OpenShift MCP server (legacy SSE and
//! streamable HTTP, token passthrough to the Kubernetes emulator), our Gitea MCP server
//! (streamable HTTP, the tenant's scoped token), optionally a third read-only MCP server
//! (our OpenShift server limited to `events_list`, given to the agent in `MCP_SERVERS` as
//! an evidence server), and the agent (configured from a map as the chart's environment
//! would be, with the tenant's LiteLLM key on the emulator).

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use agent::analysis_hooks::AnalysisHooks;
use agent::app::{App, Tuning};
use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::{RunningStack, StackOptions, TenantLab, Urls};
use crate::serve::{ServerHandle, spawn_http};

pub use llm_emulator::endpoint::LlmEndpoint;

/// The running MCP servers and agent.
pub struct Platform {
    openshift: Option<mcp_openshift::http::RunningHttp>,
    openshift_addr: SocketAddr,
    openshift_state: Arc<mcp_openshift::ServerState>,
    gitea_mcp: ServerHandle,
    gitea_cancel: CancellationToken,
    /// The third server and the URL the agent uses for it.
    extra: Option<(mcp_openshift::http::RunningHttp, String)>,
    agent: ServerHandle,
    /// The agent (its registry, for readiness).
    pub app: App,
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform").finish_non_exhaustive()
    }
}

/// How long the agent may take to open its MCP sessions.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

impl Platform {
    /// Starts the MCP servers and the agent for `tenant`.
    pub async fn start(
        stack: &RunningStack,
        tenant: &TenantLab,
        options: &StackOptions,
    ) -> anyhow::Result<Self> {
        let creds = &tenant.credentials;
        let agent_ns = tenant.tenant.namespace("agent");

        // OpenShift MCP: the kubeconfig's identity by default, a caller's token passed through.
        let kubeconfig = kube::config::Kubeconfig::read_from(stack.kubeconfig_path())
            .context("reading the emulator's kubeconfig")?;
        let view = serde_json::to_value(&kubeconfig).unwrap_or_default();
        let mut base = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .context("loading the emulator's kubeconfig")?;
        base.default_namespace = agent_ns;
        let extra_cluster = mcp_openshift::Cluster::from_kube_config(base.clone(), view.clone())?;
        let cluster = mcp_openshift::Cluster::from_kube_config(base, view)?;
        let state = mcp_openshift::state(&mcp_openshift::Config::default(), cluster);
        let openshift = mcp_openshift::http::serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, options.port(3))),
            state.clone(),
            &mcp_openshift::http::HttpOptions::default(),
        )
        .await
        .context("starting the OpenShift MCP server")?;

        // Gitea MCP with the tenant's scoped token (the `gitea-creds` Secret).
        let urls = stack.urls();
        // As the chart deploys it: no static token, every caller brings its own.
        let config = mcp_gitea::config::Config {
            host: urls.gitea.clone(),
            require_token: true,
            ..Default::default()
        };
        let (gitea_mcp, gitea_cancel) = serve_gitea_mcp(config, options.port(4)).await?;

        let extra = match options.extra_server.as_deref() {
            Some(transport) => Some(serve_extra(extra_cluster, transport, options.port(6)).await?),
            None => None,
        };

        // The agent, configured as the chart does, on the tenant's LiteLLM key.
        let llm = &stack.llm_endpoint;
        let key = llm.api_key.clone().unwrap_or_else(|| creds.llm_key.clone());
        let env: HashMap<String, String> = [
            ("LITELLM_URL", llm.url.clone()),
            ("LITELLM_API_KEY", key),
            ("LITELLM_MODEL", llm.model.clone()),
            (
                "MCP_OPENSHIFT_URL",
                format!("{}/sse#openshift", openshift.base_url()),
            ),
            ("MCP_GITEA_URL", format!("{}/mcp", gitea_mcp.base_url())),
            ("MCP_GITEA_TOKEN", creds.gitea_token.clone()),
            ("MCP_GITEA_USER", creds.user.clone()),
            ("MCP_GITEA_REPO", creds.repo.clone()),
            ("RUN_DEADLINE_SECONDS", "120".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(llm.agent_env.iter().cloned())
        .chain(extra.as_ref().map(|(_, url)| {
            let transport = options.extra_server.clone().unwrap_or_default();
            ("MCP_SERVERS".to_string(), extra_entry(url, &transport))
        }))
        .collect();
        let config = agent::Config::from_map(&env).context("configuring the agent")?;
        let app = App::start(&config, Arc::new(AnalysisHooks), Tuning::default());
        let agent = spawn_http(app.router(), options.port(5))
            .await
            .context("starting the agent")?;
        if !app.agent().registry().wait_ready(READY_TIMEOUT).await {
            anyhow::bail!(
                "the agent's MCP sessions did not come up: {:?}",
                app.agent().registry().status()
            );
        }
        Ok(Self {
            openshift_addr: openshift.local_addr(),
            openshift: Some(openshift),
            openshift_state: state,
            gitea_mcp,
            gitea_cancel,
            extra,
            agent,
            app,
        })
    }

    pub(super) fn fill_urls(&self, urls: &mut Urls) {
        let openshift = format!("http://{}", self.openshift_addr);
        urls.mcp_openshift_sse = format!("{openshift}/sse");
        urls.mcp_openshift_http = format!("{openshift}/mcp");
        urls.mcp_gitea = format!("{}/mcp", self.gitea_mcp.base_url());
        if let Some((_, url)) = &self.extra {
            urls.mcp_extra = url.clone();
        }
        urls.agent = self.agent.base_url().trim_end_matches('/').to_string();
    }

    /// Stops the agent, then the MCP servers.
    pub async fn shutdown(mut self) {
        self.app.shutdown();
        // Let the agent close its MCP sessions while the servers still answer.
        let registry = self.app.agent().registry().clone();
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while registry.status().iter().any(|s| s.connected)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.agent.shutdown().await;
        self.gitea_cancel.cancel();
        self.gitea_mcp.shutdown().await;
        if let Some(server) = self.openshift.take() {
            server.shutdown().await;
        }
        if let Some((server, _)) = self.extra.take() {
            server.shutdown().await;
        }
    }

    /// Stops the OpenShift MCP server (for fault tests: the agent's sessions drop).
    pub async fn stop_openshift(&mut self) {
        if let Some(server) = self.openshift.take() {
            server.shutdown().await;
        }
    }

    /// Starts the OpenShift MCP server again on the same port, with the same state.
    pub async fn restart_openshift(&mut self) -> std::io::Result<()> {
        self.stop_openshift().await;
        let options = mcp_openshift::http::HttpOptions::default();
        let server =
            mcp_openshift::http::serve(self.openshift_addr, self.openshift_state.clone(), &options)
                .await?;
        self.openshift = Some(server);
        Ok(())
    }
}

/// Serves our Gitea MCP server in process, with sessions, on `127.0.0.1:port` (`0`: any);
/// the token stops its sessions (cancel it before shutting the server down).
pub(crate) async fn serve_gitea_mcp(
    mut config: mcp_gitea::config::Config,
    port: u16,
) -> anyhow::Result<(ServerHandle, CancellationToken)> {
    config.sessions = true;
    let server = mcp_gitea::build_server(&config).context("configuring the Gitea MCP server")?;
    let cancel = CancellationToken::new();
    let http = mcp_gitea::http_transport::HttpOptions {
        bind: Some(Ipv4Addr::LOCALHOST.into()),
        sessions: true,
        require_token: config.require_token,
        ..Default::default()
    };
    let router = mcp_gitea::http_transport::router(server, &http, cancel.clone());
    // `spawn_http` sets TCP_NODELAY: with sessions the answers are streamed in small
    // chunks, which Nagle would otherwise hold ~40 ms for the client's delayed ACK.
    let handle = spawn_http(router, port)
        .await
        .context("starting the Gitea MCP server")?;
    Ok((handle, cancel))
}

/// The third server's name in the agent's `MCP_SERVERS`.
pub const EXTRA_SERVER: &str = "cluster-events";

/// Serves our OpenShift MCP server read-only with `events_list` only (the third server);
/// returns it and the URL of `transport` (`sse` or `streamable-http`).
async fn serve_extra(
    cluster: mcp_openshift::Cluster,
    transport: &str,
    port: u16,
) -> anyhow::Result<(mcp_openshift::http::RunningHttp, String)> {
    let config = mcp_openshift::Config {
        read_only: true,
        enabled_tools: vec!["events_list".into()],
        ..Default::default()
    };
    let state = mcp_openshift::state(&config, cluster);
    let server = mcp_openshift::http::serve(
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        state,
        &mcp_openshift::http::HttpOptions::default(),
    )
    .await
    .context("starting the third MCP server")?;
    let path = match transport {
        "sse" => "sse",
        "streamable-http" => "mcp",
        other => anyhow::bail!("extra server transport {other:?}: expected sse or streamable-http"),
    };
    let url = format!("{}/{path}", server.base_url().trim_end_matches('/'));
    Ok((server, url))
}

/// The agent's `MCP_SERVERS` with the third server: an optional evidence server whose
/// `events_list` (namespaced, since the cluster server has one) the model may call and the
/// investigation calls for the report's namespace.
fn extra_entry(url: &str, transport: &str) -> String {
    serde_json::json!([{
        "name": EXTRA_SERVER,
        "url": url,
        "transport": transport,
        "role": "evidence",
        "tools": ["events_list"],
        "evidence": {"events_list": {"namespace": "{namespace}"}},
        "pin": {"namespace": "namespace"}
    }])
    .to_string()
}
