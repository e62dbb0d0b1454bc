//! `testbed bench`: the side-by-side benchmark in one run, printed as markdown.
//!
//! The crates' own benchmarks are reused as they are, not copied: `mcp-openshift`'s
//! `side_by_side` (ours vs the upstream Go `kubernetes-mcp-server` 0.0.66), `mcp-gitea`'s
//! `compare` (ours vs the PyPI `gitea-mcp` 0.5.1, set up by its `setup-peer.sh`) and
//! `agent`'s `report_failure` run as `cargo bench` targets built with the same profile as
//! this binary; the provisioner's figures are measured here, in process, on the stack's
//! emulators (`testbed::stack`).

mod crates;
mod provisioner;

use std::time::Duration;

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Seconds per throughput cell of the crates' benchmarks.
    pub seconds: u64,
    /// Tenants ordered at once for the concurrent provisioning figure.
    pub tenants: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            seconds: 2,
            tenants: 50,
        }
    }
}

/// `testbed bench` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Seconds per throughput cell of the crates' benchmarks.
    #[arg(long, default_value_t = 2)]
    pub seconds: u64,
    /// Tenants ordered at once for the concurrent provisioning figure.
    #[arg(long, default_value_t = 50)]
    pub tenants: usize,
}

/// Runs the benchmark and prints the markdown report.
pub async fn main(args: BenchArgs) -> anyhow::Result<()> {
    let report = run(&BenchOptions {
        seconds: args.seconds,
        tenants: args.tenants,
    })
    .await;
    println!("{report}");
    Ok(())
}

/// The build profile of this binary, which the crates' benchmarks are built with too.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    }
}

/// Runs every part and returns the markdown report (a part that fails is reported as such,
/// so one missing peer does not hide the other figures).
pub async fn run(options: &BenchOptions) -> String {
    let mut out = String::new();
    let build = if profile() == "dev" {
        "debug build (figures are not release figures)"
    } else {
        "release build"
    };
    out.push_str(&format!(
        "# Side-by-side benchmark ({build}, {} s per throughput cell, loopback)\n\n",
        options.seconds
    ));
    let parts: [(&str, crates::Part); 3] = [
        (
            "kubernetes-mcp-server: ours vs upstream Go 0.0.66",
            crates::Part::OpenShift,
        ),
        (
            "gitea-mcp: ours vs PyPI gitea-mcp 0.5.1 (and direct REST)",
            crates::Part::Gitea,
        ),
        (
            "agent: two-iteration report, zero-latency scripted LLM",
            crates::Part::Agent,
        ),
    ];
    for (title, part) in parts {
        out.push_str(&format!("## {title}\n\n"));
        match crates::run(part, options.seconds).await {
            Ok(text) => out.push_str(&text),
            Err(err) => out.push_str(&format!("not measured: {err:#}\n")),
        }
        out.push('\n');
    }
    out.push_str("## provisioner: emulators with the simulated controllers\n\n");
    match provisioner::measure(options.tenants, Duration::from_secs(120)).await {
        Ok(table) => out.push_str(&table),
        Err(err) => out.push_str(&format!("not measured: {err:#}\n")),
    }
    out
}
