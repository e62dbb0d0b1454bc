//! Side-by-side benchmark of our `kubernetes-mcp-server` and the upstream Go 0.0.66 binary on
//! the same Kubernetes emulator (HTTPS, lab seeded): startup to `/healthz`, idle RSS, binary
//! size, `tools/list` and `pods_log` latency and throughput with 1 and 16 concurrent sessions
//! over legacy SSE and streamable HTTP. Prints ratios (ours vs upstream) as markdown.
//!
//! The measuring code is `testbed::bench::openshift` (shared with `testbed bench`); this is
//! its command line. Run: `cargo bench -p mcp-openshift --bench side_by_side` (builds
//! release). Optional env: `BENCH_SECONDS` (per throughput cell, default 3). Without the
//! upstream binary (`scripts/install-tools`) only our column is measured.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use testbed::bench::{cli, openshift, table};
use testbed::tools::Tool;

#[tokio::main]
async fn main() -> ExitCode {
    let secs: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(3.0);
    let upstream = Tool::UpstreamKubernetesMcpServer.find();
    if upstream.is_none() {
        eprintln!(
            "upstream kubernetes-mcp-server not installed (scripts/install-tools): ours only"
        );
    }
    let ours = std::env::var_os("OPENSHIFT_MCP_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            testbed::bench::process::sibling_binary("kubernetes-mcp-server", "mcp-openshift").ok()
        })
        .unwrap_or_default();
    let mut options = openshift::Options::new(ours, upstream);
    options.cell = Duration::from_secs_f64(secs);
    cli::run_part(
        async |world| openshift::run(world, &options).await,
        |report| {
            println!(
                "{}",
                table::markdown("ours", "upstream Go 0.0.66", &report.rows())
            );
        },
    )
    .await
}
