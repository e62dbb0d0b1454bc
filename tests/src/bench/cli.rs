//! What the crates' `cargo bench` wrappers share: reading a `--name value` flag, and running
//! one part on a fresh [`World`] with the same error handling and exit status.

use std::process::ExitCode;

use super::World;

/// The value after `--name` in the process arguments (`None` when absent).
pub fn flag(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// A positive number of seconds from `--name`, or `default`.
pub fn seconds(name: &str, default: f64) -> f64 {
    flag(name)
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s > 0.0)
        .unwrap_or(default)
}

/// Starts a [`World`], runs `part` on it, shuts the world down and hands the report to
/// `print`; any error is printed and gives a failing exit status.
pub async fn run_part<R>(
    part: impl AsyncFnOnce(&World) -> anyhow::Result<R>,
    print: impl FnOnce(&R),
) -> ExitCode {
    let world = match World::start().await {
        Ok(world) => world,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let report = part(&world).await;
    world.shutdown().await;
    match report {
        Ok(report) => {
            print(&report);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
