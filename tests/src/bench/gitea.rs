//! Our `gitea-mcp` against the PyPI `gitea-mcp` 0.5.1 (set up by
//! `mcp-gitea/benches/setup-peer.sh`) and against calling the Gitea emulator's REST API
//! directly, all on the world's Gitea emulator: startup, idle RSS, `tools/list` latency,
//! and `list_issues` / create-issue throughput with 1 and 16 concurrent clients.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tokio::process::Command;

use super::load::{Load, closed_loop};
use super::mcp_client::{McpClient, Transport};
use super::process::{Spawned, free_port, http_ok, spawn_ready};
use super::table::{Better, Row};
use super::world::World;
use crate::stack::USER;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Our release binary.
    pub ours: PathBuf,
    /// The PyPI peer's `gitea-mcp` entry point; ours alone if `None`.
    pub peer: Option<PathBuf>,
    /// Duration of each throughput cell.
    pub cell: Duration,
    /// Concurrent clients per cell.
    pub workers: Vec<usize>,
    /// The `testbed` binary, to run the bare forwarder as a process of its own
    /// ([`super::forward::spawn_process`]); without it that floor is not measured.
    pub testbed: Option<PathBuf>,
}

impl Options {
    /// The defaults for `ours` (and the peer, if any).
    pub fn new(ours: PathBuf, peer: Option<PathBuf>) -> Self {
        Self {
            ours,
            peer,
            cell: Duration::from_secs(3),
            workers: vec![1, 16],
            testbed: None,
        }
    }
}

/// Throughput per concurrency level, calls/s (in [`Options::workers`] order).
#[derive(Debug, Clone, Default)]
pub struct Rates {
    /// `list_issues` (a page of open issues).
    pub list_issues: Vec<f64>,
    /// Creating an issue.
    pub create_issue: Vec<f64>,
}

impl Rates {
    /// The creation rates if `create`, else the listing rates.
    pub fn of(&self, create: bool) -> &[f64] {
        if create {
            &self.create_issue
        } else {
            &self.list_issues
        }
    }

    fn of_mut(&mut self, create: bool) -> &mut Vec<f64> {
        if create {
            &mut self.create_issue
        } else {
            &mut self.list_issues
        }
    }
}

/// One MCP server's figures.
#[derive(Debug, Clone)]
pub struct Figures {
    /// Spawn to ready (`/healthz`, or a successful `initialize` for the peer), ms.
    pub startup_ms: f64,
    /// RSS after startup and 50 `tools/list`, before the load, MiB.
    pub idle_rss_mib: f64,
    /// Median `tools/list` latency over 50 calls, ms.
    pub tools_list_ms: f64,
    /// Throughputs.
    pub rates: Rates,
    /// The server process's CPU time per call with one client, µs.
    pub cpu_us: Rates,
}

/// Ours, the peer's and direct REST's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// The concurrency levels measured.
    pub workers: Vec<usize>,
    /// Our server.
    pub ours: Figures,
    /// The PyPI peer, when installed.
    pub peer: Option<Figures>,
    /// The same operations straight on the emulator's REST API.
    pub rest: Rates,
    /// Our overhead for `list_issues` (see [`Overhead`]).
    pub list_overhead: Overhead,
    /// Our overhead for creating an issue.
    pub create_overhead: Overhead,
}

/// The time per call through a server as a multiple of the same REST call's made directly,
/// with one client: the issue's overhead ratio. Measured in [`ROUNDS`] rounds that each time
/// ours, the forwarders and direct REST back to back, so that a change in the machine's load
/// hits all alike; each figure is the median of the rounds' ratios.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overhead {
    /// Through our server.
    pub ours: f64,
    /// Through a bare forwarding proxy on threads of the benchmark's own process (see
    /// [`super::forward`]): the cost of the second HTTP exchange alone.
    pub floor: f64,
    /// Through the same forwarder as a process of its own, as our server runs: the floor of
    /// any server process in our server's place (`None` without [`Options::testbed`]).
    pub floor_process: Option<f64>,
}

/// Rounds of the interleaved [`Overhead`] measurement.
pub const ROUNDS: usize = 5;

impl Report {
    /// The rows of the side-by-side table (peer = PyPI `gitea-mcp`).
    pub fn rows(&self) -> Vec<Row> {
        let (o, p) = (&self.ours, self.peer.as_ref());
        let mut rows = vec![
            Row::compared(
                "startup to ready (ms)",
                o.startup_ms,
                p.map(|p| p.startup_ms),
                Better::Lower,
            ),
            Row::compared(
                "idle RSS (MiB)",
                o.idle_rss_mib,
                p.map(|p| p.idle_rss_mib),
                Better::Lower,
            ),
            Row::compared(
                "tools/list p50 latency (ms)",
                o.tools_list_ms,
                p.map(|p| p.tools_list_ms),
                Better::Lower,
            ),
        ];
        for (what, create) in [("list_issues", false), ("create issue", true)] {
            for (i, workers) in self.workers.iter().enumerate() {
                let ours = o.rates.of(create).get(i).copied().unwrap_or(0.0);
                let peer = p.and_then(|p| p.rates.of(create).get(i).copied());
                rows.push(Row::compared(
                    format!("{what}, {workers} client(s): calls/s"),
                    ours,
                    peer,
                    Better::Higher,
                ));
            }
            // The MCP layer's cost: time per call added over the REST call it makes, and
            // the time per call as a multiple of the direct call's.
            let rest = self.rest.of(create).first().copied().unwrap_or(0.0);
            let added = |rate: f64| 1000.0 / rate.max(1e-9) - 1000.0 / rest.max(1e-9);
            let times = |rate: f64| rest / rate.max(1e-9);
            let ours = o.rates.of(create).first().copied().unwrap_or(0.0);
            let peer = p.and_then(|p| p.rates.of(create).first().copied());
            let overhead = if create {
                self.create_overhead
            } else {
                self.list_overhead
            };
            rows.push(Row::compared(
                format!("{what}, 1 client: server CPU time per call (µs)"),
                o.cpu_us.of(create).first().copied().unwrap_or(0.0),
                p.and_then(|p| p.cpu_us.of(create).first().copied()),
                Better::Lower,
            ));
            rows.push(Row::compared(
                format!("{what}, 1 client: ms added per call over direct REST ({rest:.0} calls/s)"),
                added(ours),
                peer.map(added),
                Better::Lower,
            ));
            rows.push(Row::compared(
                format!("{what}, 1 client: time per call / direct REST's (×, these cells)"),
                times(ours),
                peer.map(times),
                Better::Lower,
            ));
            rows.push(Row::alone(
                format!("{what}, 1 client: time per call / direct REST's (×, median of {ROUNDS} interleaved rounds)"),
                overhead.ours,
                Better::Lower,
            ));
            rows.push(Row::alone(
                format!("{what}, 1 client: a bare forwarding proxy's time / direct REST's (×, in the bench's process, same rounds)"),
                overhead.floor,
                Better::Lower,
            ));
            if let Some(floor) = overhead.floor_process {
                rows.push(Row::alone(
                    format!("{what}, 1 client: the same proxy as a process of its own (×, the floor for a server process, same rounds)"),
                    floor,
                    Better::Lower,
                ));
            }
        }
        rows
    }
}

async fn start_ours(bin: &Path, world: &World) -> anyhow::Result<(Spawned, String)> {
    let port = free_port()?;
    let mut command = Command::new(bin);
    command
        .args(["-t", "http", "-p", &port.to_string(), "-b", "127.0.0.1"])
        .env("GITEA_HOST", world.gitea_url())
        .env("GITEA_ACCESS_TOKEN", &world.gitea.user_token)
        .env_remove("MCP_MODE")
        .env("RUST_LOG", "warn");
    let http = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let spawned = spawn_ready(command, Duration::from_secs(30), async || {
        http_ok(&http, &health).await
    })
    .await?;
    Ok((spawned, format!("http://127.0.0.1:{port}/mcp")))
}

async fn start_peer(bin: &Path, world: &World) -> anyhow::Result<(Spawned, String)> {
    let port = free_port()?;
    let mut command = Command::new(bin);
    command
        .args([
            "serve",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--path",
            "/mcp",
        ])
        .env("GITEA_URL", world.gitea_url())
        .env("GITEA_TOKEN", &world.gitea.user_token);
    let url = format!("http://127.0.0.1:{port}/mcp");
    // The peer has no /healthz: ready = an MCP initialize succeeds.
    let spawned = spawn_ready(command, Duration::from_secs(60), async || {
        McpClient::connect(&url, Transport::Streamable)
            .await
            .is_ok()
    })
    .await?;
    Ok((spawned, url))
}

/// Runs `op` with `workers` sessions of the server at `url` for a cell.
async fn mcp_cell(
    url: &str,
    workers: usize,
    cell: Duration,
    tool: &'static str,
    args: Value,
) -> anyhow::Result<Load> {
    let mut clients = Vec::with_capacity(workers);
    for _ in 0..workers {
        clients.push(McpClient::connect(url, Transport::Streamable).await?);
    }
    let load = closed_loop(clients, cell, move |client, i| {
        let mut args = args.clone();
        if args.get("title").is_some() {
            args["title"] = json!(format!("bench {i}"));
        }
        async move { client.call_checked(tool, &args).await }
    })
    .await;
    load.check(tool)
}

/// A started MCP server under test.
struct Server {
    process: Spawned,
    url: String,
    /// The PyPI peer names its create tool `create_issue`; ours `issue_write`.
    peer: bool,
}

impl Server {
    /// Startup, `tools/list` latency, then the RSS before any load.
    async fn idle_figures(&self) -> anyhow::Result<Figures> {
        let client = McpClient::connect(&self.url, Transport::Streamable).await?;
        let mut latencies = Vec::new();
        for _ in 0..50 {
            let t = std::time::Instant::now();
            client.list_tools().await?;
            latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        latencies.sort_by(f64::total_cmp);
        Ok(Figures {
            startup_ms: self.process.startup.as_secs_f64() * 1000.0,
            // "Idle": started and answered its first requests, before any load.
            idle_rss_mib: self.process.rss_mib()?,
            tools_list_ms: latencies[latencies.len() / 2],
            rates: Rates::default(),
            cpu_us: Rates::default(),
        })
    }

    /// Calls per second of listing (or creating) with `workers` clients, and the server's
    /// CPU time per call in µs.
    async fn rate(
        &self,
        create: bool,
        workers: usize,
        cell: Duration,
    ) -> anyhow::Result<(f64, f64)> {
        let cpu_before = self.process.cpu_seconds()?;
        let load = if create {
            let (tool, mut args) = if self.peer {
                ("create_issue", json!({}))
            } else {
                ("issue_write", json!({"method": "create"}))
            };
            for (k, v) in [
                ("owner", USER),
                ("repo", "mcp"),
                ("title", "bench"),
                ("body", "x"),
            ] {
                args[k] = json!(v);
            }
            mcp_cell(&self.url, workers, cell, tool, args).await?
        } else {
            let args = json!({"owner": USER, "repo": "mcp", "state": "open"});
            mcp_cell(&self.url, workers, cell, "list_issues", args).await?
        };
        let cpu = self.process.cpu_seconds()? - cpu_before;
        Ok((load.per_second(), cpu * 1e6 / load.done.max(1) as f64))
    }
}

/// Calls per second on the REST API at `root` (the emulator's, or a forwarder's in front of
/// it): a page of open issues, or a new issue. The body is read, not decoded, as the MCP
/// cells do with theirs.
async fn rest_rate(
    world: &World,
    root: &str,
    create: bool,
    workers: usize,
    cell: Duration,
) -> anyhow::Result<f64> {
    let http = reqwest::Client::new();
    let auth = format!("token {}", world.gitea.user_token);
    let issues = format!("{root}/api/v1/repos/{USER}/mcp/issues");
    let load = closed_loop(vec![(); workers], cell, move |_, i| {
        let request = if create {
            http.post(&issues)
                .json(&json!({"title": format!("bench {i}"), "body": "x"}))
        } else {
            http.get(format!("{issues}?state=open&limit=30"))
        };
        let request = request.header("authorization", auth.clone());
        async move {
            request.send().await?.error_for_status()?.bytes().await?;
            Ok(())
        }
    })
    .await
    .check("direct REST")?;
    Ok(load.per_second())
}

/// The [`Overhead`] of listing (or creating) through `ours`, with `cell` per round.
/// `forwarders` are root URLs in front of the emulator: the one in the benchmark's process,
/// then the process of its own when there is one.
async fn overhead(
    ours: &Server,
    world: &World,
    forwarders: &[String],
    create: bool,
    cell: Duration,
) -> anyhow::Result<Overhead> {
    let leg = (cell / 4).max(Duration::from_millis(100));
    let gitea = world.gitea_url();
    let mut through_ours = Vec::new();
    let mut through_forwarders = vec![Vec::new(); forwarders.len()];
    for _ in 0..ROUNDS {
        let (mcp, _) = ours.rate(create, 1, leg).await.context("our gitea-mcp")?;
        let direct = rest_rate(world, &gitea, create, 1, leg).await?;
        through_ours.push(direct / mcp.max(1e-9));
        for (root, ratios) in forwarders.iter().zip(&mut through_forwarders) {
            let forwarded = rest_rate(world, root, create, 1, leg)
                .await
                .with_context(|| format!("through the forwarding proxy at {root}"))?;
            ratios.push(direct / forwarded.max(1e-9));
        }
    }
    let mut floors = through_forwarders.iter_mut().map(|r| median(r));
    Ok(Overhead {
        ours: median(&mut through_ours),
        floor: floors.next().unwrap_or_default(),
        floor_process: floors.next(),
    })
}

/// The median of a non-empty sample (0 for an empty one).
fn median(sample: &mut [f64]) -> f64 {
    sample.sort_by(f64::total_cmp);
    sample.get(sample.len() / 2).copied().unwrap_or(0.0)
}

/// Starts ours (and the peer), then measures every server and direct REST phase by phase
/// (all listings, then all creations), so each sees the same number of issues.
pub async fn run(world: &World, options: &Options) -> anyhow::Result<Report> {
    let (process, url) = start_ours(&options.ours, world)
        .await
        .context("starting our gitea-mcp")?;
    let mut servers = vec![Server {
        process,
        url,
        peer: false,
    }];
    if let Some(bin) = &options.peer {
        let (process, url) = start_peer(bin, world)
            .await
            .context("starting the PyPI gitea-mcp")?;
        servers.push(Server {
            process,
            url,
            peer: true,
        });
    }
    let mut figures = Vec::new();
    for server in &servers {
        figures.push(server.idle_figures().await?);
    }
    let forwarder = super::forward::start(&world.gitea_url())
        .await
        .context("starting the forwarding proxy")?;
    let forwarder_process = match &options.testbed {
        Some(testbed) => Some(
            super::forward::spawn_process(testbed, &world.gitea_url())
                .await
                .context("starting the forwarding proxy process")?,
        ),
        None => None,
    };
    let forwarders: Vec<String> = std::iter::once(forwarder.url.clone())
        .chain(forwarder_process.as_ref().map(|f| f.url.clone()))
        .collect();
    let gitea = world.gitea_url();
    let mut rest = Rates::default();
    let mut overheads = Vec::new();
    for create in [false, true] {
        for (server, figures) in servers.iter().zip(&mut figures) {
            for &workers in &options.workers {
                let rate = server.rate(create, workers, options.cell).await;
                let which = if server.peer {
                    "the PyPI gitea-mcp"
                } else {
                    "our gitea-mcp"
                };
                let (rate, cpu_us) = rate.context(which)?;
                figures.rates.of_mut(create).push(rate);
                figures.cpu_us.of_mut(create).push(cpu_us);
            }
        }
        for &workers in &options.workers {
            let direct = rest_rate(world, &gitea, create, workers, options.cell);
            rest.of_mut(create).push(direct.await?);
        }
        let ours = servers.first().context("our server")?;
        overheads.push(overhead(ours, world, &forwarders, create, options.cell).await?);
    }
    let mut figures = figures.into_iter();
    Ok(Report {
        workers: options.workers.clone(),
        ours: figures.next().context("our figures")?,
        peer: figures.next(),
        rest,
        list_overhead: overheads.first().copied().unwrap_or_default(),
        create_overhead: overheads.get(1).copied().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_of_the_sorted_sample() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [1.4, 1.2, 9.0, 1.3, 1.1]), 1.3);
        assert_eq!(median(&mut []), 0.0);
    }
}
