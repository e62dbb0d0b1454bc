//! `cargo bench -p agent --bench report_failure`: hands over to the benchmark's code in the
//! testbed (`tests/benches/agent_report_failure.rs`, `cargo bench -p testbed --bench agent_report_failure`) with this
//! build's `pipeline-agent` in `AGENT_BIN`. The benchmark needs the whole local stack, and the
//! testbed depends on this crate, so it cannot be a dev-dependency here without every
//! change to this crate rebuilding the testbed for this crate's tests.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // cargo passes `--bench` to a bench program; the inner `cargo bench` adds its own.
    let args = std::env::args_os().skip(1).filter(|a| a != "--bench");
    let status = Command::new(cargo)
        .args([
            "bench",
            "-p",
            "testbed",
            "--bench",
            "agent_report_failure",
            "--",
        ])
        .args(args)
        .env("AGENT_BIN", env!("CARGO_BIN_EXE_pipeline-agent"))
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!(
                "error: cannot run cargo bench -p testbed --bench agent_report_failure: {err}"
            );
            ExitCode::FAILURE
        }
    }
}
