//! The CLI's operator side: `provisioner operator` flags (concurrency, intervals, rate
//! limits, metrics, leader election) and `destroy --force`, which also removes the
//! operator's finalizer from the Tenant so a Tenant stuck without an operator goes.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use kube::api::{Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::charts::Helm;
use crate::config::{Credentials, EnvSource, kube_client};
use crate::error::{Error, Result};
use crate::operator::crd::{FINALIZER, Tenant as TenantResource};
use crate::operator::{LeaseOptions, OperatorOptions, Timing};
use crate::tenant::Tenant;

/// `operator`.
#[derive(Debug, Clone, Args)]
pub struct OperatorArgs {
    /// Folder with the charts (`bootstrap/`, `agent/`, …).
    #[arg(long, env = "PROVISIONER_CHARTS_DIR")]
    pub charts_dir: Option<PathBuf>,
    /// The helm 3 binary.
    #[arg(long, env = "HELM_BIN", default_value = "helm")]
    pub helm: PathBuf,
    /// Tenants reconciled at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: u16,
    /// Seconds between checks while waiting for controllers.
    #[arg(long, default_value_t = 2.0)]
    pub poll_seconds: f64,
    /// Seconds before a failed pass is retried.
    #[arg(long, default_value_t = 5.0)]
    pub retry_seconds: f64,
    /// Seconds between drift checks of a Ready Tenant.
    #[arg(long, default_value_t = 60.0)]
    pub resync_seconds: f64,
    /// Provision/destroy passes per second toward Gitea (0: unlimited).
    #[arg(long, default_value_t = 5.0)]
    pub gitea_rate: f64,
    /// Passes per second toward LiteLLM (0: unlimited).
    #[arg(long, default_value_t = 5.0)]
    pub llm_rate: f64,
    /// Passes per second toward Keycloak (0: unlimited).
    #[arg(long, default_value_t = 5.0)]
    pub keycloak_rate: f64,
    /// Passes allowed at once before a rate applies.
    #[arg(long, default_value_t = 10)]
    pub burst: u32,
    /// Where `/metrics` and `/healthz` are served (`off`: not served).
    #[arg(long, default_value = "0.0.0.0:9090")]
    pub metrics_listen: String,
    /// Compete for a Lease; only its holder reconciles.
    #[arg(long)]
    pub leader_elect: bool,
    /// The Lease's namespace.
    #[arg(long, env = "POD_NAMESPACE", default_value = "tenant-operator")]
    pub lease_namespace: String,
    /// The Lease's name.
    #[arg(long, default_value = "tenant-operator")]
    pub lease_name: String,
    /// This replica's identity (the pod name).
    #[arg(long, env = "POD_NAME")]
    pub identity: Option<String>,
    /// Seconds a Lease lasts without renewal (a dead leader is replaced within this).
    #[arg(long, default_value_t = 15)]
    pub lease_seconds: u64,
    /// Where the tenants' Applications live (watched).
    #[arg(long, default_value = "openshift-gitops")]
    pub control_namespace: String,
}

fn seconds(flag: &str, v: f64) -> Result<Duration> {
    if !v.is_finite() || v <= 0.0 {
        return Err(Error::invalid(flag, "must be a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(v))
}

/// Checks the flags and builds the options (nothing contacted).
pub fn options(a: &OperatorArgs, charts_dir: PathBuf) -> Result<OperatorOptions> {
    if a.concurrency == 0 {
        return Err(Error::invalid("--concurrency", "must be at least 1"));
    }
    if a.lease_seconds < 3 {
        return Err(Error::invalid("--lease-seconds", "must be at least 3"));
    }
    let mut o = OperatorOptions::new(Helm {
        binary: a.helm.clone(),
        charts_dir,
    });
    o.concurrency = a.concurrency;
    o.timing = Timing {
        poll: seconds("--poll-seconds", a.poll_seconds)?,
        retry: seconds("--retry-seconds", a.retry_seconds)?,
        resync: seconds("--resync-seconds", a.resync_seconds)?,
    };
    o.rates = [a.gitea_rate, a.llm_rate, a.keycloak_rate];
    o.burst = a.burst;
    o.metrics_listen = (a.metrics_listen != "off").then(|| a.metrics_listen.clone());
    o.control_namespace = a.control_namespace.clone();
    if a.leader_elect {
        let identity = a.identity.clone().ok_or_else(|| {
            Error::invalid("--identity", "required with --leader-elect (or POD_NAME)")
        })?;
        o.lease = Some(LeaseOptions {
            namespace: a.lease_namespace.clone(),
            name: a.lease_name.clone(),
            identity,
            duration_secs: a.lease_seconds,
            grace_secs: (a.lease_seconds / 3).max(1),
        });
    }
    Ok(o)
}

/// Runs the operator until SIGTERM or Ctrl-C.
pub async fn run(o: OperatorOptions, env: &dyn EnvSource) -> Result<()> {
    let creds = Credentials::from_env(env)?;
    let client = kube_client(&creds.kube).await?;
    crate::operator::run(client, o, serve_common::shutdown_signal()).await
}

/// `destroy --force`: after the one-shot destroy, the Tenant's finalizer is removed (the
/// operator is gone or stuck), so the Tenant resource goes too. Returns what was done.
pub async fn remove_finalizer(t: &Tenant, env: &dyn EnvSource) -> Result<String> {
    let creds = Credentials::from_env(env)?;
    let client = kube_client(&creds.kube).await?;
    let api: Api<TenantResource> = Api::all(client);
    let kube_err = |action: &str| {
        let action = action.to_string();
        move |source| Error::Kube { action, source }
    };
    let Some(res) = api
        .get_opt(&t.username)
        .await
        .map_err(kube_err("get Tenant"))?
    else {
        return Ok("no Tenant resource".into());
    };
    if res.spec.guid != t.guid {
        return Err(Error::conflict(
            "guid",
            format!("Tenant {} has another guid", t.username),
        ));
    }
    let keep: Vec<String> = res
        .finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    api.patch(
        &t.username,
        &PatchParams::default(),
        &Patch::Merge(json!({ "metadata": { "finalizers": keep } })),
    )
    .await
    .map_err(kube_err("remove the finalizer"))?;
    if res.metadata.deletion_timestamp.is_none() {
        api.delete(&t.username, &Default::default())
            .await
            .map_err(kube_err("delete Tenant"))?;
    }
    Ok(format!("Tenant {}: finalizer removed, deleted", t.username))
}
