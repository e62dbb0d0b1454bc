//! Command-line flags and the dispatch of each command. Every input is validated here,
//! before any client is built or anything is created.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::charts::{Helm, is_charts_dir};
use crate::cluster::Cluster;
use crate::config::{Credentials, EnvSource, kube_client};
use crate::error::{Error, Result};
use crate::gitea::Gitea;
use crate::keycloak::Keycloak;
use crate::litellm::LiteLlm;
use crate::provisioner::Provisioner;
use crate::serve::ApiToken;
use crate::tenant::{Mode, Settings, Tenant};

/// Provision, inspect and destroy lab tenants.
#[derive(Debug, Parser)]
#[command(name = "provisioner", version, about)]
pub struct Cli {
    /// Log as JSON lines (default: human-readable), to stderr.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or finish creating) a tenant.
    Provision(TenantArgs),
    /// Remove a tenant and everything it had (--force: then also remove the operator's
    /// finalizer from its Tenant resource, for a Tenant stuck without an operator).
    Destroy(DestroyArgs),
    /// Show what a tenant has; without --username, list the tenants.
    Status(StatusArgs),
    /// Print every object provision would apply (Secret values as placeholders).
    Render(RenderArgs),
    /// Serve POST /tenants, GET and DELETE /tenants/{username} with a bounded worker pool
    /// (bearer token from PROVISIONER_API_TOKEN or PROVISIONER_API_TOKEN_FILE; required
    /// unless --listen is a loopback address).
    Serve(ServeArgs),
    /// Run the Tenant operator (reconciles `tenants.labs.mcp.dev` resources).
    Operator(crate::cli_operator::OperatorArgs),
}

/// `destroy`.
#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Also remove the operator's finalizer from the Tenant resource (and delete it).
    #[arg(long)]
    pub force: bool,
}

/// Where the charts and helm are, and how to deploy.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Settings file (YAML; see the README for the keys).
    #[arg(long, env = "PROVISIONER_VALUES")]
    pub values: Option<PathBuf>,
    /// Bootstrap Application (Argo CD) or the charts applied directly.
    #[arg(long, value_enum, default_value = "bootstrap")]
    pub mode: ModeArg,
    /// Create the tenant namespaces (overrides the values file when given).
    #[arg(long)]
    pub create_namespaces: bool,
    /// Folder with the charts (`bootstrap/`, `agent/`, …).
    #[arg(long, env = "PROVISIONER_CHARTS_DIR")]
    pub charts_dir: Option<PathBuf>,
    /// The helm 3 binary.
    #[arg(long, env = "HELM_BIN", default_value = "helm")]
    pub helm: PathBuf,
}

/// `--mode`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// One Argo CD Application per tenant.
    Bootstrap,
    /// Server-side apply of the rendered charts.
    Direct,
}

/// A tenant and how to deploy it.
#[derive(Debug, Clone, Args)]
pub struct TenantArgs {
    /// The tenant's username (a DNS label, ≤ 35 characters).
    #[arg(long)]
    pub username: String,
    /// The order's guid.
    #[arg(long)]
    pub guid: String,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

/// `status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The tenant; all tenants are listed when absent.
    #[arg(long, requires = "guid")]
    pub username: Option<String>,
    /// The order's guid.
    #[arg(long)]
    pub guid: Option<String>,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

/// `render`.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Apps domain for Route hosts (else the values file's, else apps.example.com).
    #[arg(long)]
    pub domain: Option<String>,
}

/// `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Tenant operations running at once (with --worker-pool).
    #[arg(long, default_value_t = 16)]
    pub workers: usize,
    /// Run orders in this process on a worker pool (the behaviour before the operator)
    /// instead of creating Tenant resources.
    #[arg(long)]
    pub worker_pool: bool,
    /// The TenantProfile of the Tenants this front creates.
    #[arg(long, default_value = "default")]
    pub profile: String,
    #[command(flatten)]
    pub deploy: DeployArgs,
}

/// Runs a command; returns what to print on stdout.
pub async fn run(cli: Cli, env: &dyn EnvSource) -> Result<String> {
    match cli.command {
        Command::Provision(a) => {
            let (p, t) = prepare(&a, env, true).await?;
            to_json(&p.provision(&t).await?)
        }
        Command::Destroy(a) => {
            let (p, t) = prepare(&a.tenant, env, true).await?;
            let report = to_json(&p.destroy(&t).await?)?;
            if !a.force {
                return Ok(report);
            }
            let removed = crate::cli_operator::remove_finalizer(&t, env).await?;
            Ok(format!("{report}\n{removed}"))
        }
        Command::Operator(a) => {
            let o = crate::cli_operator::options(&a, charts_dir_of(a.charts_dir.as_ref())?)?;
            crate::cli_operator::run(o, env).await?;
            Ok(String::new())
        }
        Command::Status(a) => {
            let tenant = match (&a.username, &a.guid) {
                (Some(u), Some(g)) => Some(Tenant::new(u, g)?),
                _ => None,
            };
            let p = build(&a.deploy, env, false, None).await?;
            match tenant {
                Some(t) => to_json(&p.status(&t).await?),
                None => to_json(&p.tenants().await?),
            }
        }
        Command::Render(a) => {
            let t = Tenant::new(&a.tenant.username, &a.tenant.guid)?;
            let domain = a
                .domain
                .clone()
                .unwrap_or_else(|| "apps.example.com".into());
            let p = build(&a.tenant.deploy, env, false, Some(domain)).await?;
            let objects = p.render(&t).await?;
            serde_saphyr::to_string_multiple(&objects)
                .map_err(|e| Error::invalid("render", e.to_string()))
        }
        Command::Serve(a) => {
            if a.workers == 0 {
                return Err(Error::invalid("--workers", "must be at least 1"));
            }
            let token = crate::config::read_var(env, "PROVISIONER_API_TOKEN")?
                .map(|t| ApiToken::new(&t))
                .transpose()?;
            crate::serve::check_listen(&a.listen, token.is_some())?;
            if a.worker_pool {
                let p = build(&a.deploy, env, true, None).await?;
                crate::serve::run(p, &a.listen, a.workers, token).await?;
            } else {
                let creds = Credentials::from_env(env)?;
                let client = kube_client(&creds.kube).await?;
                let mut state = crate::front::FrontState::new(client, &a.profile);
                if let Some(t) = token {
                    state = state.with_token(t);
                }
                crate::front::run(state, &a.listen).await?;
            }
            Ok(String::new())
        }
    }
}

async fn prepare(
    a: &TenantArgs,
    env: &dyn EnvSource,
    remote: bool,
) -> Result<(Provisioner, Tenant)> {
    let t = Tenant::new(&a.username, &a.guid)?;
    Ok((build(&a.deploy, env, remote, None).await?, t))
}

/// Validates flags, values and credentials, then builds the clients. `render_domain`
/// means "render only": no cluster is contacted.
pub async fn build(
    a: &DeployArgs,
    env: &dyn EnvSource,
    remote: bool,
    render_domain: Option<String>,
) -> Result<Provisioner> {
    let mut settings = match &a.values {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::File {
                path: path.display().to_string(),
                source,
            })?;
            Settings::from_yaml(&text)?
        }
        None => Settings::default(),
    };
    if a.create_namespaces {
        settings.create_namespaces = true;
    }
    let helm = Helm {
        binary: a.helm.clone(),
        charts_dir: charts_dir(a)?,
    };
    let creds = Credentials::from_env(env)?;
    let (gitea, llm) = if remote {
        (
            Some(Gitea::new(creds.require_gitea()?.clone())?),
            Some(LiteLlm::new(creds.require_llm()?.clone())?),
        )
    } else {
        (
            creds.gitea.clone().map(Gitea::new).transpose()?,
            creds.llm.clone().map(LiteLlm::new).transpose()?,
        )
    };
    let client = match render_domain {
        Some(domain) => {
            settings.domain.get_or_insert(domain);
            offline_client()?
        }
        None => kube_client(&creds.kube).await?,
    };
    let keycloak = creds.keycloak.clone().map(Keycloak::new).transpose()?;
    Ok(Provisioner {
        cluster: Cluster::new(client),
        gitea,
        llm,
        keycloak,
        helm,
        settings,
        mode: match a.mode {
            ModeArg::Bootstrap => Mode::Bootstrap,
            ModeArg::Direct => Mode::Direct,
        },
        fail_at: None,
    })
}

/// A client that is never used (render needs no cluster): it points nowhere routable.
fn offline_client() -> Result<kube::Client> {
    let config = kube::Config::new(http::Uri::from_static("http://127.0.0.1:9"));
    kube::Client::try_from(config).map_err(|e| Error::KubeConfig(e.to_string()))
}

fn charts_dir(a: &DeployArgs) -> Result<PathBuf> {
    charts_dir_of(a.charts_dir.as_ref())
}

fn charts_dir_of(given: Option<&PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = given {
        if !is_charts_dir(dir) {
            return Err(Error::invalid(
                "--charts-dir",
                format!("{} has no bootstrap/Chart.yaml", dir.display()),
            ));
        }
        return Ok(dir.clone());
    }
    let candidates = [
        PathBuf::from("charts"),
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../charts")),
    ];
    candidates
        .into_iter()
        .find(|d| is_charts_dir(d))
        .ok_or_else(|| Error::invalid("--charts-dir", "not given and no ./charts folder found"))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::invalid("output", e.to_string()))
}
