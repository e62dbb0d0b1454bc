//! `mcp-gitea`: a drop-in for the official `gitea-mcp` server (binary `gitea-mcp`).
//!
//! Main pieces: [`config`] parses upstream's flags and env vars into a [`config::Config`];
//! [`server::GiteaMcp`] is the MCP server (tool registry in [`tools`], the catalog of their definitions in [`catalog`], tolerant argument
//! reading in [`args`], slim results in [`slim`], old tool names in [`legacy`]);
//! [`gitea_client::GiteaClient`] talks to Gitea's REST API; [`http_transport`] serves
//! streamable HTTP, [`stdio_filter`] sits in front of rmcp's stdio transport, and [`run`]
//! ties everything together for `main`.

pub mod args;
mod arguments_probe;
pub mod catalog;
pub mod config;
pub mod context;
pub mod gitea_client;
pub mod http_transport;
pub mod legacy;
pub mod server;
pub mod slim;
pub mod stdio_filter;
pub mod tools;

use std::time::Duration;

use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;

use crate::catalog::Filter;
use crate::config::{Config, Transport};
use crate::gitea_client::{ClientOptions, GiteaClient, GiteaError};
use crate::server::{GiteaMcp, ServerOptions};

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The Gitea client could not be built.
    #[error("gitea client: {0}")]
    Client(#[from] GiteaError),
    /// Binding or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What was attempted.
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The stdio MCP session failed.
    #[error("stdio transport: {0}")]
    Stdio(String),
}

/// Builds the MCP server described by `cfg`, warning about unknown `-tools`/`-scope` names.
pub fn build_server(cfg: &Config) -> Result<GiteaMcp, RunError> {
    let gitea = GiteaClient::new(&ClientOptions {
        host: cfg.host.clone(),
        insecure: cfg.insecure,
        timeout: Duration::from_secs(cfg.gitea_timeout_secs),
    })?;
    let known: Vec<&str> = tools::registry().iter().map(|s| s.name).collect();
    for t in cfg.tools.iter().filter(|t| !known.contains(&t.as_str())) {
        tracing::warn!(tool = %t, "unknown tool name in -tools, ignored");
    }
    for s in cfg
        .scopes
        .iter()
        .filter(|s| !catalog::SCOPES.contains(&s.as_str()))
    {
        tracing::warn!(scope = %s, "unknown scope in -scope, ignored");
    }
    Ok(GiteaMcp::new(ServerOptions {
        gitea,
        static_token: cfg.token.clone(),
        filter: Filter {
            read_only: cfg.read_only,
            tools: cfg.tools.clone(),
            scopes: cfg.scopes.clone(),
        },
        legacy_tools: cfg.legacy_tools,
    })
    .with_prompts(cfg.prompts.clone()))
}

/// Runs the configured transport until the client leaves (stdio) or `shutdown` fires.
pub async fn run(cfg: Config, shutdown: CancellationToken) -> Result<(), RunError> {
    let server = build_server(&cfg)?;
    if cfg.token.is_none() {
        tracing::warn!("no static Gitea token: requests without their own token act anonymously");
    }
    match cfg.transport {
        Transport::Stdio => serve_stdio(server, shutdown).await,
        Transport::Http => {
            let addr = http_transport::listen_addr(cfg.bind, cfg.port);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| RunError::Io {
                    context: format!("bind {addr}"),
                    source,
                })?;
            serve_http(listener, server, &cfg, shutdown).await
        }
    }
}

/// Serves streamable HTTP for `server` on an already bound listener (tests bind port 0).
pub async fn serve_http(
    listener: tokio::net::TcpListener,
    server: GiteaMcp,
    cfg: &Config,
    shutdown: CancellationToken,
) -> Result<(), RunError> {
    let opts = http_transport::HttpOptions {
        bind: cfg.bind,
        sessions: cfg.sessions,
        require_token: cfg.require_token,
        allowed_hosts: cfg.allowed_hosts.clone(),
        allowed_origins: cfg.allowed_origins.clone(),
        max_sessions: cfg.max_sessions,
        session_idle: Some(Duration::from_secs(cfg.session_idle_secs)),
    };
    let app = http_transport::router(server, &opts, shutdown.child_token());
    let addr = listener.local_addr().ok();
    tracing::info!(?addr, gitea = %cfg.host, "serving streamable HTTP on /mcp");
    http_transport::serve(listener, app, shutdown)
        .await
        .map_err(|source| RunError::Io {
            context: "serve".into(),
            source,
        })
}

/// Serves one MCP session over the process's stdin/stdout, behind [`stdio_filter`].
async fn serve_stdio(server: GiteaMcp, shutdown: CancellationToken) -> Result<(), RunError> {
    let (filter, rmcp_side) =
        stdio_filter::StdioFilter::spawn(tokio::io::stdin(), tokio::io::stdout());
    let result = match server.serve(rmcp_side).await {
        Ok(running) => {
            tokio::select! {
                res = running.waiting() => res.map(|_| ()).map_err(|e| RunError::Stdio(e.to_string())),
                _ = shutdown.cancelled() => Ok(()),
            }
        }
        Err(e) => Err(RunError::Stdio(e.to_string())),
    };
    // The session (and with it rmcp's end of the pipe) is gone: flush what is queued.
    let _ = tokio::time::timeout(Duration::from_secs(2), filter.finish()).await;
    result
}
