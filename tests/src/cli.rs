//! The `testbed` command line: `up` starts the local stack (or, with `--no-platform` or
//! `--only`, just the emulators) on loopback ports and stays in the foreground until
//! Ctrl-C, optionally writing a dotenv file that scripts can `source`; `demo` runs the lab's
//! module 2 end to end and exits.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use testbed::llm::Script;

mod emulators;
mod platform_up;

use emulators::{Stack, StackOptions};

/// Emulators of the Kubernetes API, Gitea and an LLM for local runs and tests.
#[derive(Debug, Parser)]
#[command(name = "testbed", version)]
pub(crate) struct Cli {
    /// Log lines as JSON objects (stderr) instead of text.
    #[arg(long, global = true)]
    pub(crate) log_json: bool,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start the local stack (emulators, tenant `user1`, MCP servers, agent) until Ctrl-C.
    Up(UpArgs),
    /// Provision `user1`, fail its build, let the agent file the issue, destroy the tenant.
    Demo,
    /// Side-by-side benchmark of our services and their peers (markdown on stdout).
    Bench(testbed::bench::BenchArgs),
    /// A bare forwarding proxy to a REST API (the benchmark's floor for a server process);
    /// prints `forwarding on URL` and runs until Ctrl-C or stdin closes.
    Forward(ForwardArgs),
}

/// Arguments of `forward`.
#[derive(Debug, clap::Args)]
pub(crate) struct ForwardArgs {
    /// The root URL to forward to, such as the Gitea emulator's.
    #[arg(long)]
    pub(crate) to: String,
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
    /// Only the emulators (the behaviour before the platform): no tenant, MCP servers or agent.
    #[arg(long)]
    pub(crate) no_platform: bool,
    /// Provision the tenant by calling the provisioner library directly, not as a `Tenant`
    /// resource through the Tenant operator (run in this process).
    #[arg(long)]
    pub(crate) no_operator: bool,
    /// Start only these emulators (repeatable; implies `--no-platform`).
    #[arg(long, value_enum)]
    pub(crate) only: Vec<Component>,
    /// Seed a scenario (the full stack always seeds the lab's failed run).
    #[arg(long, value_enum)]
    pub(crate) seed: Option<Seed>,
    /// Write `KEY=value` lines (KUBECONFIG, KUBE_API_URL, …) here once ready.
    #[arg(long)]
    pub(crate) env_file: Option<PathBuf>,
    /// First port: kube on it, gitea +1, llm +2, OpenShift MCP +3, Gitea MCP +4, agent +5;
    /// free ports if omitted.
    #[arg(long)]
    pub(crate) port_base: Option<u16>,
    /// The lab user the seed is for.
    #[arg(long, default_value = "user1")]
    pub(crate) user: String,
    /// Where to write the kubeconfig (a temp dir removed on exit if omitted).
    #[arg(long)]
    pub(crate) state_dir: Option<PathBuf>,
    /// A model the LLM emulator serves (repeatable; `local` if omitted; `--no-platform` only).
    #[arg(long)]
    pub(crate) llm_model: Vec<String>,
    /// A YAML or JSON script for the LLM emulator to replay.
    #[arg(long)]
    pub(crate) llm_script: Option<PathBuf>,
    /// The LLM emulator's static API key.
    #[arg(long, default_value = "sk-testbed")]
    pub(crate) llm_api_key: String,
    /// The LLM emulator's LiteLLM master key.
    #[arg(long, default_value = "sk-master")]
    pub(crate) llm_master_key: String,
    /// With `--no-platform`: do not run the simulated Argo CD / ToolHive / Deployment
    /// controllers beside the Kubernetes emulator (nothing then becomes ready by itself).
    #[arg(long)]
    pub(crate) no_controllers: bool,
    /// Also start a third, read-only MCP server (ours, `events_list` only) and give it to
    /// the agent in MCP_SERVERS over this transport (`sse` or `streamable-http`).
    #[arg(long, value_parser = ["sse", "streamable-http"])]
    pub(crate) extra_server: Option<String>,
}

/// How long stopping may wait for open connections.
pub(crate) const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `up` until Ctrl-C (or SIGTERM), then stops everything.
pub(crate) async fn up(args: UpArgs) -> anyhow::Result<()> {
    if args.no_platform || !args.only.is_empty() {
        up_emulators(args).await
    } else {
        platform_up::up(args).await
    }
}

/// `up --no-platform`: the emulators only.
async fn up_emulators(args: UpArgs) -> anyhow::Result<()> {
    let llm_script = match &args.llm_script {
        Some(path) => Some(Script::from_file(path)?),
        None => None,
    };
    let options = StackOptions {
        only: args.only,
        seed: args.seed,
        user: args.user,
        port_base: args.port_base,
        state_dir: args.state_dir,
        llm_models: args.llm_model,
        llm_script,
        llm_api_key: args.llm_api_key,
        llm_master_key: args.llm_master_key,
        controllers: !args.no_controllers,
    };
    let stack = Stack::start(&options).await?;
    if let Some(path) = &args.env_file {
        write_atomically(path, &stack.dotenv())?;
        tracing::info!(path = %path.display(), "wrote the env file");
    }
    println!("testbed is up; Ctrl-C stops it.");
    for (key, value) in stack.env() {
        println!("{key}={value}");
    }
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    // Graceful shutdown waits for open connections (watches, slow scripted answers);
    // bound it so Ctrl-C always ends the process.
    if tokio::time::timeout(SHUTDOWN_GRACE, stack.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; stopping without waiting");
    }
    if let Some(path) = &args.env_file {
        // The settings point at servers that no longer run.
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// `testbed demo`.
pub(crate) async fn demo() -> anyhow::Result<()> {
    platform_up::demo().await
}

/// Writes through a temporary file and a rename, so a reader polling for `path` never
/// sees half a file.
pub(crate) fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub(crate) async fn wait_for_stop_signal() -> anyhow::Result<()> {
    serve_common::try_shutdown_signal()
        .await
        .context("listening for Ctrl-C or SIGTERM")
}
