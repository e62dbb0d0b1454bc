//! Assembles the agent from a [`Config`]: MCP supervisors, LLM client, loop and router.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::agent_loop::{Agent, AgentParts, LoopSettings};
use crate::api::{self, AppState};
use crate::config::Config;
use crate::hooks::RunHooks;
use crate::llm::LlmClient;
use crate::mcp::{SessionTiming, ToolRegistry};
use crate::metrics::Metrics;

/// Knobs that production leaves at their defaults and tests shorten.
#[derive(Clone, Debug, Default)]
pub struct Tuning {
    /// MCP session supervisor timing.
    pub sessions: SessionTiming,
    /// First LLM retry delay (default 500 ms).
    pub llm_backoff: Option<Duration>,
}

/// A running agent: supervisors started, router ready to serve.
pub struct App {
    agent: Arc<Agent>,
    state: AppState,
    body_limit: usize,
    shutdown: CancellationToken,
}

impl App {
    /// Starts the MCP supervisors and builds the agent. Must run inside a tokio runtime.
    pub fn start(config: &Config, hooks: Arc<dyn RunHooks>, tuning: Tuning) -> Self {
        banner(config);
        let shutdown = CancellationToken::new();
        let metrics = Arc::new(Metrics::new());
        let registry = Arc::new(
            ToolRegistry::with_servers(
                &config.servers,
                &config.tool_allowlist,
                tuning.sessions.clone(),
            )
            .with_metrics(metrics.clone()),
        );
        registry.start(&shutdown);
        let mut llm = LlmClient::new(&config.llm);
        if let Some(backoff) = tuning.llm_backoff {
            llm = llm.with_backoff_initial(backoff);
        }
        let agent = Arc::new(Agent::new(AgentParts {
            registry: registry.clone(),
            llm,
            hooks,
            metrics,
            settings: LoopSettings::from(config),
        }));
        let wait = tuning.sessions.connect_timeout + Duration::from_secs(1);
        let servers = config.mcp_servers.len();
        tokio::spawn(async move {
            let ready = registry.wait_ready(wait).await;
            let tools = registry.tools().len();
            if ready || servers == 0 {
                tracing::info!(tools, "✅ Startup complete - {tools} tools available");
            } else if servers > 0 {
                let down: Vec<String> = registry
                    .status()
                    .into_iter()
                    .filter(|s| !s.connected)
                    .map(|s| s.name)
                    .collect();
                tracing::warn!(
                    tools,
                    "⚠️ Startup complete - {tools} tools available; still connecting to {down:?}"
                );
            }
        });
        let state = AppState::new(agent.clone(), api::RunLimits::from(config));
        Self {
            agent,
            state,
            body_limit: config.body_limit,
            shutdown,
        }
    }

    /// The HTTP router.
    pub fn router(&self) -> Router {
        api::router(self.state.clone(), self.body_limit)
    }

    /// The agent.
    pub fn agent(&self) -> &Arc<Agent> {
        &self.agent
    }

    /// Stops the MCP supervisors.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn banner(config: &Config) {
    tracing::info!("🚀 Pipeline Failure Agent - Starting up");
    tracing::info!("📋 Loading MCP configuration from environment...");
    for (name, label) in [("openshift", "OpenShift"), ("gitea", "Gitea")] {
        if !config.mcp_servers.iter().any(|s| s.name == name) {
            tracing::warn!(
                server = name,
                "⚠️  MCP_{}_URL not set ({label})",
                name.to_uppercase()
            );
        }
    }
    for server in &config.servers {
        let s = &server.connection;
        let role = server.policy.role.as_str();
        tracing::info!(server = %s.name, url = %s.url, transport = s.transport.as_str(), role, "   {}: {} ({}, {role})", s.label, s.url, s.transport.as_str());
    }
    tracing::info!(model = %config.llm.model, base = %config.llm.base_url, "   LLM: {} at {}", config.llm.model, config.llm.base_url);
    tracing::info!(
        "🔌 Initializing MCP connections ({} servers)...",
        config.mcp_servers.len()
    );
}
