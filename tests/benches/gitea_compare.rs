//! Benchmark: our `gitea-mcp` against the PyPI `gitea-mcp` 0.5.1 (a peer implementation)
//! and against calling the Gitea emulator's REST API directly, all on loopback and on the
//! same emulator: startup, idle RSS, `tools/list` latency, `list_issues` and create-issue
//! throughput with 1 and 16 clients, and the time per call added over direct REST.
//!
//! The measuring code is `testbed::bench::gitea` (shared with `testbed bench`); this is its
//! command line. Run: `mcp-gitea/benches/setup-peer.sh` once, then
//! `CARGO_TARGET_DIR=… cargo bench -p mcp-gitea --bench compare -- [--peer PATH] [--secs N]`;
//! build `testbed` first (`cargo build --release -p testbed`, same target dir) for the
//! floor row of a forwarding proxy running as a process of its own.
//! Without a peer the peer column is skipped. Prints one table (markdown).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use testbed::bench::{self, cli, gitea, process, table};

#[tokio::main]
async fn main() -> ExitCode {
    let secs = cli::seconds("--secs", 3.0);
    let peer = cli::flag("--peer")
        .map(PathBuf::from)
        .or_else(bench::gitea_peer);
    let peer = match peer {
        Some(path) if path.exists() => Some(path),
        other => {
            eprintln!(
                "peer not found at {other:?}; run mcp-gitea/benches/setup-peer.sh (skipping the peer)"
            );
            None
        }
    };
    let mut options = gitea::Options::new(
        std::env::var_os("GITEA_MCP_BIN")
            .map(PathBuf::from)
            .or_else(|| testbed::bench::process::sibling_binary("gitea-mcp", "mcp-gitea").ok())
            .unwrap_or_default(),
        peer,
    );
    options.cell = Duration::from_secs_f64(secs);
    // The forwarder-process floor needs the `testbed` binary built next to this bench.
    options.testbed = match process::sibling_binary("testbed", "testbed") {
        Ok(testbed) => Some(testbed),
        Err(err) => {
            eprintln!("{err:#} (skipping the forwarder-process floor)");
            None
        }
    };
    cli::run_part(
        async |world| gitea::run(world, &options).await,
        |report| {
            let rows = report.rows();
            println!(
                "{}",
                table::markdown("gitea-mcp (this crate)", "PyPI gitea-mcp 0.5.1", &rows)
            );
        },
    )
    .await
}
