//! Our `kubernetes-mcp-server` against the upstream Go 0.0.66 binary, both as processes on
//! the world's Kubernetes emulator (HTTPS, lab seeded): binary size, startup to `/healthz`,
//! idle RSS, and `tools/list` / `pods_log` latency and throughput with 1 and 16 concurrent
//! sessions over legacy SSE and streamable HTTP.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tokio::process::Command;

use super::load::{Load, closed_loop};
use super::mcp_client::{McpClient, Transport};
use super::process::{Spawned, free_port, http_ok, size_mib, spawn_ready};
use super::table::{Better, Row};
use super::world::World;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Our release binary.
    pub ours: PathBuf,
    /// The upstream Go binary; ours alone if `None`.
    pub upstream: Option<PathBuf>,
    /// Duration of each throughput cell.
    pub cell: Duration,
    /// Concurrent sessions per cell.
    pub sessions: Vec<usize>,
    /// Startups timed (the median is kept).
    pub startups: usize,
    /// Wait after start before the idle RSS is read.
    pub settle: Duration,
}

impl Options {
    /// The defaults for `ours` (and the upstream binary, if any).
    pub fn new(ours: PathBuf, upstream: Option<PathBuf>) -> Self {
        Self {
            ours,
            upstream,
            cell: Duration::from_secs(3),
            sessions: vec![1, 16],
            startups: 5,
            settle: Duration::from_secs(3),
        }
    }
}

/// An operation measured under load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `tools/list`.
    ToolsList,
    /// `tools/call pods_log` on the failed build step.
    PodsLog,
}

impl Operation {
    fn label(self) -> &'static str {
        match self {
            Operation::ToolsList => "tools/list",
            Operation::PodsLog => "pods_log",
        }
    }
}

/// One throughput cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// What was called.
    pub operation: Operation,
    /// Over which transport.
    pub transport: Transport,
    /// Concurrent sessions, each calling in a loop.
    pub sessions: usize,
    /// Successful calls per second.
    pub calls_per_second: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// Failed calls (not in the rate).
    pub failed: u64,
}

/// One server's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    /// Binary size, MiB.
    pub binary_mib: f64,
    /// Median spawn-to-healthy time, ms.
    pub startup_ms: f64,
    /// RSS after `settle`, MiB.
    pub idle_rss_mib: f64,
    /// RSS after all cells, MiB.
    pub loaded_rss_mib: f64,
    /// The throughput cells, in [`cells`] order.
    pub cells: Vec<Cell>,
}

/// Ours and the upstream's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// Our server.
    pub ours: Figures,
    /// The upstream Go server, when installed.
    pub upstream: Option<Figures>,
}

impl Report {
    /// The rows of the side-by-side table.
    pub fn rows(&self) -> Vec<Row> {
        let (o, u) = (&self.ours, self.upstream.as_ref());
        let mut rows = vec![
            Row::compared(
                "binary size (MiB)",
                o.binary_mib,
                u.map(|u| u.binary_mib),
                Better::Lower,
            ),
            Row::compared(
                "startup to /healthz (ms, median)",
                o.startup_ms,
                u.map(|u| u.startup_ms),
                Better::Lower,
            ),
            Row::compared(
                "idle RSS (MiB)",
                o.idle_rss_mib,
                u.map(|u| u.idle_rss_mib),
                Better::Lower,
            ),
        ];
        for (i, cell) in o.cells.iter().enumerate() {
            let peer = u.and_then(|u| u.cells.get(i));
            let what = format!(
                "{} {}, {} session{}",
                cell.operation.label(),
                cell.transport.label(),
                cell.sessions,
                if cell.sessions == 1 { "" } else { "s" }
            );
            rows.push(Row::compared(
                format!("{what}: p50 latency (ms)"),
                cell.p50_ms,
                peer.map(|p| p.p50_ms),
                Better::Lower,
            ));
            rows.push(Row::compared(
                format!("{what}: calls/s"),
                cell.calls_per_second,
                peer.map(|p| p.calls_per_second),
                Better::Higher,
            ));
        }
        rows.push(Row::compared(
            "RSS after the load (MiB)",
            o.loaded_rss_mib,
            u.map(|u| u.loaded_rss_mib),
            Better::Lower,
        ));
        rows
    }
}

/// The cells measured, in order.
pub fn cells(options: &Options) -> Vec<(Operation, Transport, usize)> {
    let mut cells = Vec::new();
    for operation in [Operation::ToolsList, Operation::PodsLog] {
        for transport in [Transport::Sse, Transport::Streamable] {
            for &sessions in &options.sessions {
                cells.push((operation, transport, sessions));
            }
        }
    }
    cells
}

async fn launch(bin: &Path, kubeconfig: &Path) -> anyhow::Result<(Spawned, String)> {
    let port = free_port()?;
    let mut command = Command::new(bin);
    command
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--kubeconfig",
        ])
        .arg(kubeconfig);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()?;
    let health = format!("{base}/healthz");
    let spawned = spawn_ready(command, Duration::from_secs(30), async || {
        http_ok(&http, &health).await
    })
    .await?;
    Ok((spawned, base))
}

async fn cell(
    base: &str,
    operation: Operation,
    transport: Transport,
    sessions: usize,
    args: &Value,
    duration: Duration,
) -> anyhow::Result<Load> {
    let url = match transport {
        Transport::Sse => base.to_string(),
        Transport::Streamable => format!("{base}/mcp"),
    };
    let mut clients = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        clients.push(McpClient::connect(&url, transport).await?);
    }
    let args = args.clone();
    let load = closed_loop(clients, duration, move |client, _| {
        let args = args.clone();
        async move {
            match operation {
                Operation::ToolsList => client.list_tools().await.map(drop),
                Operation::PodsLog => client.call("pods_log", &args).await.map(drop),
            }
        }
    })
    .await;
    load.check(&format!("{} over {}", operation.label(), transport.label()))
}

/// Measures one server.
async fn measure(bin: &Path, world: &World, options: &Options) -> anyhow::Result<Figures> {
    let kubeconfig = world.stack.kubeconfig_path();
    let mut startups = Vec::new();
    for _ in 0..options.startups.max(1) {
        let (spawned, _) = launch(bin, &kubeconfig).await?;
        startups.push(spawned.startup.as_secs_f64() * 1000.0);
    }
    startups.sort_by(f64::total_cmp);
    let (server, base) = launch(bin, &kubeconfig).await?;
    tokio::time::sleep(options.settle).await;
    let idle_rss_mib = server.rss_mib()?;
    let lab = &world.lab;
    let args =
        json!({"name": lab.pod, "namespace": lab.namespace, "container": lab.failed_container});
    let mut measured = Vec::new();
    for (operation, transport, sessions) in cells(options) {
        let load = cell(&base, operation, transport, sessions, &args, options.cell).await?;
        measured.push(Cell {
            operation,
            transport,
            sessions,
            calls_per_second: load.per_second(),
            p50_ms: load.quantile_ms(0.5),
            failed: load.failed,
        });
    }
    Ok(Figures {
        binary_mib: size_mib(bin)?,
        startup_ms: startups[startups.len() / 2],
        idle_rss_mib,
        loaded_rss_mib: server.rss_mib()?,
        cells: measured,
    })
}

/// Measures ours, then the upstream binary, on the same emulator.
pub async fn run(world: &World, options: &Options) -> anyhow::Result<Report> {
    let ours = measure(&options.ours, world, options)
        .await
        .context("our kubernetes-mcp-server")?;
    let upstream = match &options.upstream {
        Some(bin) => Some(
            measure(bin, world, options)
                .await
                .context("the upstream kubernetes-mcp-server")?,
        ),
        None => None,
    };
    Ok(Report { ours, upstream })
}
