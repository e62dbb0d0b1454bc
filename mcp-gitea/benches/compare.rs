//! Benchmark: our `gitea-mcp` against the PyPI `gitea-mcp` 0.5.1 (a peer implementation)
//! and against calling the Gitea emulator's REST API directly, all on loopback and on the
//! same emulator: startup, idle RSS, `tools/list` latency, `list_issues` and create-issue
//! throughput with 1 and 16 clients, and the time per call added over direct REST.
//!
//! The measuring code is `testbed::bench::gitea` (shared with `testbed bench`); this is its
//! command line. Run: `mcp-gitea/benches/setup-peer.sh` once, then
//! `CARGO_TARGET_DIR=… cargo bench -p mcp-gitea --bench compare -- [--peer PATH] [--secs N]`.
//! Without a peer the peer column is skipped. Prints one table (markdown).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use testbed::bench::{self, World, gitea, table};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let secs: f64 = opt("--secs")
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(3.0);
    let peer = opt("--peer").map(PathBuf::from).or_else(bench::gitea_peer);
    let peer = match peer {
        Some(path) if path.exists() => Some(path),
        other => {
            eprintln!(
                "peer not found at {other:?}; run mcp-gitea/benches/setup-peer.sh (skipping the peer)"
            );
            None
        }
    };
    let mut options = gitea::Options::new(PathBuf::from(env!("CARGO_BIN_EXE_gitea-mcp")), peer);
    options.cell = Duration::from_secs_f64(secs);
    let world = match World::start().await {
        Ok(world) => world,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let report = gitea::run(&world, &options).await;
    world.shutdown().await;
    match report {
        Ok(report) => {
            println!(
                "{}",
                table::markdown(
                    "gitea-mcp (this crate)",
                    "PyPI gitea-mcp 0.5.1",
                    &report.rows()
                )
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
