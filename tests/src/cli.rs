//! The `testbed` command line: `up` starts emulators on loopback ports and stays in the
//! foreground until Ctrl-C, optionally seeding a scenario and writing a dotenv file that
//! scripts can `source`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use testbed::kube::{KubeEmulator, KubeServeOptions};

/// Emulators of the Kubernetes API, Gitea and an LLM for local runs and tests.
#[derive(Debug, Parser)]
#[command(name = "testbed", version)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start emulators on loopback ports until Ctrl-C.
    Up(UpArgs),
}

/// An emulator `up` can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Component {
    /// The Kubernetes API emulator (HTTPS, kubeconfig with a token user).
    Kube,
    /// The Gitea emulator.
    Gitea,
    /// The LLM emulator.
    Llm,
}

/// A scenario to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Seed {
    /// The lab: tenant namespaces of the user and a failed `build-agent` PipelineRun.
    Lab,
}

/// Arguments of `up`.
#[derive(Debug, clap::Args)]
pub(crate) struct UpArgs {
    /// Start only these emulators (repeatable); all of them if omitted.
    #[arg(long, value_enum)]
    pub(crate) only: Vec<Component>,
    /// Seed a scenario.
    #[arg(long, value_enum)]
    pub(crate) seed: Option<Seed>,
    /// Write `KEY=value` lines (KUBECONFIG, KUBE_API_URL, …) here once ready.
    #[arg(long)]
    pub(crate) env_file: Option<PathBuf>,
    /// First port to use (kube = base); free ports if omitted.
    #[arg(long)]
    pub(crate) port_base: Option<u16>,
    /// The lab user the seed is for.
    #[arg(long, default_value = "user1")]
    pub(crate) user: String,
}

/// Runs `up` until Ctrl-C.
pub(crate) async fn up(args: UpArgs) -> anyhow::Result<()> {
    let wanted = |c| args.only.is_empty() || args.only.contains(&c);
    for other in [Component::Gitea, Component::Llm] {
        if !args.only.is_empty() && args.only.contains(&other) {
            anyhow::bail!(
                "`--only {other:?}` is not available in this build yet; use `--only kube`"
            );
        }
    }
    let mut env = Vec::new();
    let mut running = Vec::new();
    if wanted(Component::Kube) {
        let emu = KubeEmulator::new();
        if let Some(Seed::Lab) = args.seed {
            let lab = emu.seed_lab(&args.user);
            tracing::info!(namespace = %lab.namespace, pipeline_run = %lab.pipeline_run, pod = %lab.pod, "seeded the lab scenario");
        }
        let opts = KubeServeOptions {
            port: args.port_base.unwrap_or(0),
            ..KubeServeOptions::default()
        };
        let kube = emu
            .serve(opts)
            .await
            .context("starting the Kubernetes API emulator")?;
        tracing::info!(url = %kube.url(), kubeconfig = %kube.kubeconfig_path().display(), "Kubernetes API emulator ready");
        env.push(format!("KUBECONFIG={}", kube.kubeconfig_path().display()));
        env.push(format!("KUBE_API_URL={}", kube.url()));
        running.push(kube);
    }
    if let Some(path) = &args.env_file {
        std::fs::write(path, env.join("\n") + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        tracing::info!(path = %path.display(), "wrote the env file");
    }
    for line in &env {
        println!("{line}");
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    for kube in running {
        kube.shutdown().await;
    }
    Ok(())
}
