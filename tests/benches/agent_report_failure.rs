//! Benchmark of the agent's cost per `/report-failure`.
//!
//! Runs the real `pipeline-agent` binary as a child process against our MCP servers (in
//! process, OpenShift over legacy SSE, Gitea over streamable HTTP, on the testbed's
//! emulators) and the LLM emulator scripted to answer at once with two iterations
//! (`pods_log`, then `issue_write`). Prints p50/p99 report time and reports per second at 1,
//! 16 and 64 concurrent reports, and the agent's RSS.
//!
//! The measuring code is `testbed::bench::agent` (shared with `testbed bench`); this is its
//! command line. Run: `cargo bench -p agent --bench report_failure` (500 reports per level;
//! `-- --runs 2000` for more, or `-- --secs 3` for a fixed time per level).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use testbed::bench::load::Budget;
use testbed::bench::{agent, cli, table};

#[tokio::main]
async fn main() -> ExitCode {
    let budget = match (cli::flag("--secs"), cli::flag("--runs")) {
        (Some(secs), _) => secs
            .parse()
            .ok()
            .filter(|s: &f64| *s > 0.0)
            .map(|s| Budget::For(Duration::from_secs_f64(s))),
        (None, runs) => Some(Budget::Runs(
            runs.and_then(|r| r.parse().ok()).unwrap_or(500),
        )),
    };
    let Some(budget) = budget else {
        eprintln!("error: --secs takes a positive number");
        return ExitCode::FAILURE;
    };
    let mut options = agent::Options::new(
        std::env::var_os("AGENT_BIN")
            .map(PathBuf::from)
            .or_else(|| testbed::bench::process::sibling_binary("pipeline-agent", "agent").ok())
            .unwrap_or_default(),
    );
    options.budget = budget;
    cli::run_part(
        async |world| agent::run(world, &options).await,
        |report| {
            println!(
                "each report = the agent's investigation + 2 LLM turns + pods_log (SSE) + issue_write (streamable HTTP)\n"
            );
            println!("{}", table::markdown("pipeline-agent", "-", &report.rows()));
        },
    )
    .await
}
