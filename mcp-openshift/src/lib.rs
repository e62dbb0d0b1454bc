//! `mcp-openshift`: a drop-in replacement for `kubernetes-mcp-server` (binary of the same name)
//! that keeps the legacy SSE transport next to streamable HTTP and stdio.
//!
//! Main types: [`Config`] (flags + TOML), [`Cluster`] (cluster access and token passthrough),
//! [`ServerState`] / [`McpServer`] (the MCP handler), [`http::serve`] (all HTTP endpoints),
//! [`Catalog`] (the tool registry: each upstream spec with its handler, filtered by
//! toolsets/read-only/destructive/allow/deny) and [`ToolError`] (a failed tool call).

pub mod args;
pub mod catalog;
pub mod cluster;
pub mod config;
pub mod error;
pub mod http;
pub mod kube_api;
pub mod metrics;
pub mod output;
pub mod prompts;
pub mod server;
pub mod session_owner;
pub mod sse_transport;
pub mod tools;

use std::net::SocketAddr;
use std::sync::Arc;

pub use catalog::{Catalog, ToolFilter};
pub use cluster::Cluster;
pub use config::{Config, ListOutput};
pub use error::{ConfigError, KubeError, ToolError};
pub use server::{McpServer, ServerState};

/// Shared state for a configuration and a cluster.
pub fn state(config: &Config, cluster: Cluster) -> Arc<ServerState> {
    Arc::new(ServerState {
        catalog: Catalog::with_contexts(&ToolFilter::from(config), cluster.contexts()),
        prompts: prompts::Prompts::new(
            &config.toolsets,
            &config.prompts,
            cluster
                .contexts()
                .filter(|c| c.is_multi())
                .map(|c| c.default_name().to_string()),
        ),
        cluster,
        list_output: config.list_output,
        metrics: metrics::Metrics::new(),
        limits: config.limits,
        helm: config::HelmSettings {
            kubeconfig: config.kubeconfig.clone(),
            ..config.helm.clone()
        },
    })
}

/// Start the HTTP server for `config` (its port and bind address) on `cluster`.
pub async fn start_http(config: &Config, cluster: Cluster) -> std::io::Result<http::RunningHttp> {
    let port = config.port.unwrap_or(8080);
    let opts = http::HttpOptions {
        keep_alive: sse_transport::KEEP_ALIVE,
        stateless: config.stateless,
        allowed_hosts: config.allowed_hosts.clone(),
        allowed_origins: config.allowed_origins.clone(),
        max_sessions: config.max_sessions,
        session_idle_timeout: config.session_idle_timeout,
    };
    http::serve(
        SocketAddr::new(config.bind_address, port),
        state(config, cluster),
        &opts,
    )
    .await
}

/// Serve one MCP session over stdin/stdout until the client closes it.
pub async fn run_stdio(config: &Config, cluster: Cluster) -> std::io::Result<()> {
    use rmcp::ServiceExt;
    let handler = McpServer::new(state(config, cluster), None);
    let running = handler
        .serve(rmcp::transport::stdio())
        .await
        .map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}
