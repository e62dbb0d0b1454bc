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
use testbed::bench::{World, agent, table};

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let budget = match (opt("--secs"), opt("--runs")) {
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
    let mut options = agent::Options::new(PathBuf::from(env!("CARGO_BIN_EXE_pipeline-agent")));
    options.budget = budget;
    let world = match World::start().await {
        Ok(world) => world,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let report = agent::run(&world, &options).await;
    world.shutdown().await;
    match report {
        Ok(report) => {
            println!(
                "each report = the agent's investigation + 2 LLM turns + pods_log (SSE) + issue_write (streamable HTTP)\n"
            );
            println!("{}", table::markdown("pipeline-agent", "-", &report.rows()));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
