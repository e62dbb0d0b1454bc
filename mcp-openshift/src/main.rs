//! `kubernetes-mcp-server`: stdio without `--port`, HTTP (streamable HTTP, legacy SSE,
//! health and metrics) with it. Exit code 64 for unusable configuration.

use std::process::ExitCode;

use clap::Parser;
use mcp_openshift::{Cluster, Config, config::Cli};
use serve_common::{Logging, shutdown_signal};

/// Logs go to stderr: stdout carries the protocol in stdio mode. `--log-level` picks our
/// crates' level unless `RUST_LOG` is set; `--log-json` writes JSON lines.
fn init_tracing(level: u8, json: bool) {
    let name = match level {
        0..=1 => "warn",
        2..=4 => "info",
        5..=6 => "debug",
        _ => "trace",
    };
    Logging::new(format!(
        "mcp_openshift={name},kubernetes_mcp_server={name},warn"
    ))
    .json(json)
    .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::load(Cli::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubernetes-mcp-server: {e}");
            return ExitCode::from(64);
        }
    };
    init_tracing(config.log_level, config.log_json);
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let cluster = match Cluster::from_config_or_unavailable(&config).await {
        Ok(c) => {
            if let Some(reason) = c.unavailable_reason() {
                tracing::warn!("starting without a cluster: {reason}");
            }
            c
        }
        Err(e) => {
            eprintln!("kubernetes-mcp-server: {e}");
            std::process::exit(64);
        }
    };
    if config.port.is_none() {
        return Ok(mcp_openshift::run_stdio(&config, cluster).await?);
    }
    let server = mcp_openshift::start_http(&config, cluster).await?;
    tracing::info!(address = %server.local_addr(), endpoints = "/mcp, /sse, /message, /healthz, /metrics, /stats", "HTTP server listening");
    if server.local_addr().ip().is_loopback() {
        tracing::info!(
            "listening on loopback only (the default); pass --bind-address 0.0.0.0 to serve other hosts"
        );
    }
    let stop = server.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        stop.cancel();
    });
    server.wait().await?;
    Ok(())
}
