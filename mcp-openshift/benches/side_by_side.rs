//! `cargo bench -p mcp-openshift --bench side_by_side`: hands over to the benchmark's code in the
//! testbed (`tests/benches/openshift_side_by_side.rs`, `cargo bench -p testbed --bench openshift_side_by_side`) with this
//! build's `kubernetes-mcp-server` in `OPENSHIFT_MCP_BIN`. The benchmark needs the whole local stack, and the
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
            "openshift_side_by_side",
            "--",
        ])
        .args(args)
        .env(
            "OPENSHIFT_MCP_BIN",
            env!("CARGO_BIN_EXE_kubernetes-mcp-server"),
        )
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!(
                "error: cannot run cargo bench -p testbed --bench openshift_side_by_side: {err}"
            );
            ExitCode::FAILURE
        }
    }
}
