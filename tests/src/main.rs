//! `testbed`: the local stack (`testbed up`), its emulators only (`testbed up --no-platform`)
//! and the lab's module 2 end to end (`testbed demo`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    serve_common::Logging::new("info").json(cli.log_json).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            cli::Command::Up(args) => cli::up(args).await,
            cli::Command::Demo => cli::demo().await,
            cli::Command::Bench(args) => testbed::bench::main(args).await,
            cli::Command::Forward(args) => {
                testbed::bench::forward::serve_until_stopped(
                    &args.to,
                    serve_common::shutdown_signal(),
                )
                .await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
