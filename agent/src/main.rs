//! `pipeline-agent`: reads the configuration from the environment, sets up logging, and
//! serves the API on `PORT`. Exits with 64 on a bad configuration, before binding.

use std::process::ExitCode;
use std::sync::Arc;

use agent::analysis_hooks::AnalysisHooks;
use agent::app::{App, Tuning};
use agent::config::{Config, LogFormat};
use axum::serve::ListenerExt;
use serve_common::{Logging, shutdown_signal};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pipeline-agent: {e}");
            return ExitCode::from(64);
        }
    };
    init_tracing(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pipeline-agent: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("pipeline-agent: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let app = App::start(&config, Arc::new(AnalysisHooks), Tuning::default());
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", config.port)).await?;
    tracing::info!(port = config.port, "listening on 0.0.0.0:{}", config.port);
    // Small responses go out at once instead of waiting on delayed ACKs (Nagle).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    app.shutdown();
    Ok(())
}

/// Lines to stdout without targets; JSON lines carry the current span, not the span list.
fn init_tracing(format: LogFormat) {
    Logging::new("info")
        .stdout()
        .without_target()
        .without_span_list()
        .format(format)
        .init();
}
