//! The stack's tenant ordered as a `Tenant` resource and provisioned by the Tenant
//! operator (`provisioner operator`, run in this process against the Kubernetes
//! emulator): the CRDs, a credentials Secret and a `TenantProfile` holding the same
//! settings as the direct path, then the Tenant, waited for until Ready.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kube::Api;
use kube::api::PostParams;
use provisioner::operator::crd::{Tenant as TenantResource, TenantProfile, crd_yaml};
use provisioner::operator::{OperatorOptions, Timing};
use provisioner::{Report, Tenant};
use serde_json::json;
use tokio::task::JoinHandle;

use super::RunningStack;
use super::cluster_setup::provisioner_for;
use crate::gitea::{ADMIN_PASSWORD, ADMIN_USER};

/// Where the operator's credentials Secret lives.
const OPERATOR_NS: &str = "tenant-operator";
/// The profile of the stack's Tenants.
const PROFILE: &str = "testbed";
/// How long the tenant may take to become Ready.
const READY_WITHIN: Duration = Duration::from_secs(180);

/// The operator running in this process (and the client its Tenants are read with);
/// stopped when dropped.
pub struct OperatorTask {
    task: JoinHandle<()>,
    client: kube::Client,
}

impl Drop for OperatorTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Installs the CRDs and the profile, starts the operator, orders `tenant` and waits
/// until it is Ready; returns the operator and a report of the whole wait.
pub(super) async fn provision(
    stack: &RunningStack,
    tenant: &Tenant,
    create_namespaces: bool,
) -> anyhow::Result<(OperatorTask, Report)> {
    let base = provisioner_for(stack)?;
    stack
        .kube
        .apply_yaml(&crd_yaml().map_err(anyhow::Error::msg)?)
        .map_err(|e| anyhow::anyhow!("Tenant CRDs: {e}"))?;
    let urls = stack.urls();
    stack
        .kube
        .apply_yaml(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {OPERATOR_NS}\n"
        ))
        .map_err(|e| anyhow::anyhow!("operator namespace: {e}"))?;
    stack
        .kube
        .apply_object(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "provisioner-credentials", "namespace": OPERATOR_NS},
            "stringData": {"GITEA_URL": urls.gitea, "GITEA_ADMIN_USER": ADMIN_USER,
                "GITEA_ADMIN_PASSWORD": ADMIN_PASSWORD, "LLM_URL": urls.llm,
                "LITELLM_MASTER_KEY": super::LLM_MASTER_KEY}
        }))
        .map_err(|e| anyhow::anyhow!("credentials Secret: {e}"))?;
    let mut values = serde_json::to_value(&base.settings)?;
    values["createNamespaces"] = json!(create_namespaces);
    let profile: TenantProfile = serde_json::from_value(json!({
        "apiVersion": "labs.mcp.dev/v1alpha1", "kind": "TenantProfile",
        "metadata": {"name": PROFILE},
        "spec": {"values": values, "credentialsSecrets": [{"namespace": OPERATOR_NS, "name": "provisioner-credentials"}]}
    }))?;
    let client = stack.kube.client();
    let profiles: Api<TenantProfile> = Api::all(client.clone());
    if profiles.get_opt(PROFILE).await?.is_none() {
        profiles.create(&PostParams::default(), &profile).await?;
    }
    let mut opts = OperatorOptions::new(base.helm.clone());
    opts.timing = Timing {
        poll: Duration::from_millis(100),
        retry: Duration::from_millis(500),
        resync: Duration::from_secs(30),
    };
    opts.rates = [0.0, 0.0, 0.0];
    let task = OperatorTask {
        task: tokio::spawn({
            let client = client.clone();
            async move {
                if let Err(e) =
                    provisioner::operator::run(client, opts, std::future::pending()).await
                {
                    tracing::error!(error = %e, "the Tenant operator stopped");
                }
            }
        }),
        client: client.clone(),
    };
    let started = Instant::now();
    let tenants: Api<TenantResource> = Api::all(client);
    let order: TenantResource = serde_json::from_value(json!({
        "apiVersion": "labs.mcp.dev/v1alpha1", "kind": "Tenant",
        "metadata": {"name": tenant.username},
        "spec": {"username": tenant.username, "guid": tenant.guid, "profileRef": {"name": PROFILE}}
    }))?;
    if tenants.get_opt(&tenant.username).await?.is_none() {
        tenants.create(&PostParams::default(), &order).await?;
    }
    loop {
        let t = tenants
            .get_opt(&tenant.username)
            .await?
            .context("the Tenant disappeared")?;
        let status = t.status.unwrap_or_default();
        match status.phase.as_deref() {
            Some("Ready") => break,
            Some("Invalid" | "Failed") => bail!(
                "Tenant {}: {:?}",
                tenant.username,
                status
                    .conditions
                    .iter()
                    .find(|c| c.type_ == "Ready")
                    .map(|c| &c.message)
            ),
            _ if started.elapsed() > READY_WITHIN => {
                bail!(
                    "Tenant {} not Ready within {READY_WITHIN:?}",
                    tenant.username
                )
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let report = Report {
        tenant: tenant.clone(),
        action: "provision",
        steps: Vec::new(),
        millis: started.elapsed().as_millis(),
    };
    Ok((task, report))
}

/// Deletes the Tenant and waits until the operator's finalizer has destroyed it.
pub(super) async fn destroy(op: &OperatorTask, tenant: &Tenant) -> anyhow::Result<Report> {
    let started = Instant::now();
    let tenants: Api<TenantResource> = Api::all(op.client.clone());
    if tenants.get_opt(&tenant.username).await?.is_some() {
        tenants
            .delete(&tenant.username, &Default::default())
            .await?;
    }
    while tenants.get_opt(&tenant.username).await?.is_some() {
        if started.elapsed() > READY_WITHIN {
            bail!(
                "Tenant {} not destroyed within {READY_WITHIN:?}",
                tenant.username
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(Report {
        tenant: tenant.clone(),
        action: "destroy",
        steps: Vec::new(),
        millis: started.elapsed().as_millis(),
    })
}
