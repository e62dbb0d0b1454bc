//! The side-by-side benchmark as library functions, shared by `testbed bench` (every part in
//! one process, on one [`World`] of emulators) and the crates' own `cargo bench` targets
//! (thin wrappers over one part each).
//!
//! - [`openshift`]: our `kubernetes-mcp-server` vs the upstream Go 0.0.66 binary.
//! - [`gitea`]: our `gitea-mcp` vs the PyPI `gitea-mcp` 0.5.1 and direct REST.
//! - [`agent`]: `pipeline-agent` per report with a zero-latency scripted LLM.
//! - [`provisioner`]: tenants per minute and destroy time.
//!
//! Each part's `run(&World, &Options)` returns a typed `Report` of figures; its `rows()` are
//! what gets printed ([`table`]). Servers measured as processes (startup, RSS, size) are the
//! binaries built next to the running program ([`process::sibling_binary`]): this module
//! never runs cargo.

pub mod agent;
pub mod cli;
pub use emulator_support::forward;
pub mod gitea;
pub mod load;
pub mod mcp_client;
pub mod openshift;
pub mod process;
pub mod provisioner;
pub mod table;
pub mod world;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};

pub use world::World;

use crate::tools::{Tool, workspace_root};

/// At most 200 characters of `text`, for error messages.
pub(crate) fn preview(text: &str) -> String {
    text.chars().take(200).collect()
}

/// `testbed bench` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Seconds per throughput cell.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Tenants ordered at once for the concurrent provisioning figure.
    #[arg(long, default_value_t = 50)]
    pub tenants: usize,
}

/// How long and how much for every part.
#[derive(Debug, Clone)]
pub struct Options {
    /// Duration of each throughput cell.
    pub cell: Duration,
    /// Wait before an idle RSS is read.
    pub settle: Duration,
    /// Startups timed per server.
    pub startups: usize,
    /// The provisioner's settings.
    pub provisioner: provisioner::Options,
    /// Where the PyPI `gitea-mcp` peer is; the part runs without it if `None`.
    pub gitea_peer: Option<PathBuf>,
}

impl Options {
    /// The figures `testbed bench` prints.
    pub fn full(cell: Duration, tenants: usize) -> Self {
        Self {
            cell,
            settle: Duration::from_secs(3),
            startups: 5,
            provisioner: provisioner::Options {
                concurrent: tenants,
                ..provisioner::Options::default()
            },
            gitea_peer: gitea_peer(),
        }
    }
}

/// Every part's report, or why it could not be measured.
#[derive(Debug)]
pub struct Report {
    /// The build profile (`release` or `debug`).
    pub profile: &'static str,
    /// Options used.
    pub cell: Duration,
    /// `kubernetes-mcp-server` vs Go.
    pub openshift: anyhow::Result<openshift::Report>,
    /// `gitea-mcp` vs PyPI.
    pub gitea: anyhow::Result<gitea::Report>,
    /// The agent.
    pub agent: anyhow::Result<agent::Report>,
    /// The provisioner.
    pub provisioner: anyhow::Result<provisioner::Report>,
}

impl Report {
    /// One markdown table of every part, and a line per part that could not be measured.
    pub fn markdown(&self) -> String {
        let mut parts = Vec::new();
        let mut missing = String::new();
        let mut add = |name: &str, rows: Result<Vec<table::Row>, &anyhow::Error>| match rows {
            Ok(rows) => parts.push((name.to_string(), rows)),
            Err(err) => missing.push_str(&format!("- {name}: not measured: {err:#}\n")),
        };
        let openshift = self.openshift.as_ref();
        let peer = if openshift.is_ok_and(|r| r.upstream.is_some()) {
            "vs Go 0.0.66"
        } else {
            "(Go 0.0.66 not installed)"
        };
        add(
            &format!("kubernetes-mcp-server {peer}"),
            openshift.map(openshift::Report::rows),
        );
        let gitea = self.gitea.as_ref();
        let peer = if gitea.is_ok_and(|r| r.peer.is_some()) {
            "vs PyPI gitea-mcp 0.5.1"
        } else {
            "(PyPI peer not installed)"
        };
        add(&format!("gitea-mcp {peer}"), gitea.map(gitea::Report::rows));
        add(
            "pipeline-agent (scripted LLM, 2 iterations)",
            self.agent.as_ref().map(agent::Report::rows),
        );
        add(
            "provisioner (emulators)",
            self.provisioner.as_ref().map(provisioner::Report::rows),
        );
        format!(
            "Side-by-side benchmark: {} build, {:.1} s per throughput cell, loopback.\n\n{}{}",
            self.profile,
            self.cell.as_secs_f64(),
            table::markdown_parts(&parts),
            if missing.is_empty() {
                String::new()
            } else {
                format!("\n{missing}")
            }
        )
    }
}

/// The build profile of this program (the binaries measured are built with it too).
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// The PyPI `gitea-mcp` peer in `<target dir>/peer-venv`, if `setup-peer.sh` installed it.
pub fn gitea_peer() -> Option<PathBuf> {
    let peer = process::target_dir()?.join("peer-venv/bin/gitea-mcp");
    peer.is_file().then_some(peer)
}

/// Installs the PyPI peer with `mcp-gitea/benches/setup-peer.sh` (pip, PyPI only).
pub async fn setup_gitea_peer() -> anyhow::Result<PathBuf> {
    let venv = process::target_dir()
        .context("no target dir for the peer venv")?
        .join("peer-venv");
    let status = tokio::process::Command::new("bash")
        .arg(workspace_root().join("mcp-gitea/benches/setup-peer.sh"))
        .arg(&venv)
        .stdout(Stdio::null())
        .status()
        .await
        .context("running mcp-gitea/benches/setup-peer.sh")?;
    match gitea_peer() {
        Some(peer) if status.success() => Ok(peer),
        _ => bail!("mcp-gitea/benches/setup-peer.sh failed ({status})"),
    }
}

/// Runs every part on one world; a part that fails is reported as such, so one missing
/// binary does not hide the other figures.
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let world = World::start().await?;
    let cell = options.cell;
    let openshift = async {
        let ours = process::sibling_binary("kubernetes-mcp-server", "mcp-openshift")?;
        let mut o = openshift::Options::new(ours, Tool::UpstreamKubernetesMcpServer.find());
        (o.cell, o.settle, o.startups) = (cell, options.settle, options.startups);
        openshift::run(&world, &o).await
    }
    .await;
    let gitea = async {
        let ours = process::sibling_binary("gitea-mcp", "mcp-gitea")?;
        let mut o = gitea::Options::new(ours, options.gitea_peer.clone());
        o.cell = cell;
        o.testbed = process::sibling_binary("testbed", "testbed").ok();
        gitea::run(&world, &o).await
    }
    .await;
    let agent = async {
        let mut o = agent::Options::new(process::sibling_binary("pipeline-agent", "agent")?);
        o.budget = load::Budget::For(cell);
        agent::run(&world, &o).await
    }
    .await;
    let provisioner = provisioner::run(&world, &options.provisioner).await;
    world.shutdown().await;
    Ok(Report {
        profile: profile(),
        cell,
        openshift,
        gitea,
        agent,
        provisioner,
    })
}

/// `testbed bench`: installs the PyPI peer if missing, runs everything, prints the table.
pub async fn main(args: BenchArgs) -> anyhow::Result<()> {
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        bail!("--seconds must be a positive number");
    }
    let mut options = Options::full(Duration::from_secs_f64(args.seconds), args.tenants);
    if options.gitea_peer.is_none() {
        eprintln!("installing the PyPI gitea-mcp peer (mcp-gitea/benches/setup-peer.sh)…");
        match setup_gitea_peer().await {
            Ok(peer) => options.gitea_peer = Some(peer),
            Err(err) => eprintln!("{err:#}; measuring without the peer"),
        }
    }
    if Tool::UpstreamKubernetesMcpServer.find().is_none() {
        eprintln!(
            "the upstream Go kubernetes-mcp-server is not installed (scripts/install-tools); measuring ours alone"
        );
    }
    let report = run(&options).await?;
    println!("{}", report.markdown());
    Ok(())
}
