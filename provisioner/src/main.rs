//! The `provisioner` binary: parse flags, read credentials from the environment, run one
//! command, map errors to exit codes (64 for bad input, before anything is created).

use std::process::ExitCode;

use clap::Parser;
use provisioner::cli::{Cli, run};
use provisioner::config::ProcessEnv;
use serve_common::Logging;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 64 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.log_json);
    match run(cli, &ProcessEnv).await {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if is_usage(&e) { 64 } else { 1 })
        }
    }
}

fn is_usage(e: &provisioner::Error) -> bool {
    matches!(e.root(), provisioner::Error::Conflict { .. })
        || matches!(
            e,
            provisioner::Error::Invalid { .. }
                | provisioner::Error::MissingCredential(_)
                | provisioner::Error::File { .. }
        )
}

/// Logs go to stderr (stdout carries the command's output), as JSON lines with `--log-json`.
fn init_tracing(json: bool) {
    Logging::new("info").json(json).init();
}
