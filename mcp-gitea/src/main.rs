//! `gitea-mcp`: parse flags and env, set up logging, run the server.

use std::process::ExitCode;

use mcp_gitea::config::{self, Command, Transport};
use serve_common::{Logging, shutdown_signal};
use tokio_util::sync::CancellationToken;

/// mimalloc instead of glibc's malloc: a call allocates thousands of small strings and
/// maps (Gitea's JSON in, the slim result out), and glibc's allocator took about a quarter
/// of the instructions per `list_issues` call (callgrind, `examples/overhead.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = config::parse(&args, &|k| std::env::var(k).ok(), &|p| {
        std::fs::read_to_string(p)
    });
    let cmd = match cmd {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n{}", config::usage());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cmd {
        Command::Help => {
            print!("{}", config::usage());
            ExitCode::SUCCESS
        }
        Command::Version => {
            println!("Gitea MCP Server {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Healthcheck { port } => {
            match runtime.block_on(mcp_gitea::http_transport::healthcheck(port)) {
                true => ExitCode::SUCCESS,
                false => ExitCode::FAILURE,
            }
        }
        Command::Serve(cfg) => {
            init_tracing(cfg.debug, cfg.log_json);
            let stdio = cfg.transport == Transport::Stdio;
            runtime.block_on(async move {
                let shutdown = CancellationToken::new();
                let trigger = shutdown.clone();
                tokio::spawn(async move {
                    shutdown_signal().await;
                    trigger.cancel();
                });
                match mcp_gitea::run(*cfg, shutdown).await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        tracing::error!(error = %e, stdio, "gitea-mcp stopped");
                        ExitCode::FAILURE
                    }
                }
            })
        }
    }
}

/// Logs go to stderr, so stdout stays free for the stdio protocol; JSON lines with
/// `-log-json`.
fn init_tracing(debug: bool, json: bool) {
    Logging::new(if debug { "debug" } else { "info" })
        .json(json)
        .init();
}
