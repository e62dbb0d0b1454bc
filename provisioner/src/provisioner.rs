//! The provisioner as a whole: its clients and settings ([`Provisioner`]; the operations
//! live in `provision.rs`, `destroy.rs`, `status.rs`, `preflight.rs`), the rendering of a
//! tenant's charts and Applications, and the list of cluster objects a tenant has
//! ([`planned_objects`]), shared by `render`, `provision`, `destroy` and `status`. Each
//! operation records its steps in a `journal::Run`.

use std::time::Duration;

use serde_json::Value;

use crate::charts::Helm;
use crate::cluster::Cluster;
use crate::desired::{self, RenderContext};
use crate::error::{Error, Result};
use crate::gitea::Gitea;
use crate::keycloak::Keycloak;
use crate::litellm::LiteLlm;
use crate::state::TenantState;
use crate::tenant::{COMPONENTS, Mode, Settings};

/// Clients and settings shared by every tenant operation (cheap to clone).
#[derive(Debug, Clone)]
pub struct Provisioner {
    /// The cluster.
    pub cluster: Cluster,
    /// Gitea admin (required by provision and destroy).
    pub gitea: Option<Gitea>,
    /// LiteLLM admin (required by provision and destroy).
    pub llm: Option<LiteLlm>,
    /// Keycloak admin from the environment; with `identity.enabled` and none here, the
    /// identity step builds one from `identity.url` and the `identity.adminSecret` Secret.
    pub keycloak: Option<Keycloak>,
    /// helm and the charts.
    pub helm: Helm,
    /// Deployment settings.
    pub settings: Settings,
    /// Bootstrap Application or direct apply.
    pub mode: Mode,
    /// Test hook: fail when this step starts (to prove that a re-run resumes).
    pub fail_at: Option<String>,
}

/// The cluster objects of a tenant in apply order, grouped by the step that applies them.
/// `charts` are what the deploy step applies ([`Provisioner::render_deploy`]): the pinned
/// child Applications in bootstrap mode, the rendered component charts in direct mode.
pub fn planned_objects(
    c: &RenderContext<'_>,
    state: &TenantState,
    charts: &[Value],
) -> Vec<(&'static str, Vec<Value>)> {
    let mut plan = Vec::new();
    if c.settings.create_namespaces {
        let mut ns = Vec::new();
        for comp in COMPONENTS {
            ns.push(desired::namespace(c.tenant, comp));
            ns.extend(desired::namespace_limits(c, comp));
        }
        plan.push(("namespaces", ns));
    }
    plan.push(("state", vec![desired::state_secret(c, state)]));
    plan.push(("appproject", vec![desired::app_project(c)]));
    plan.push(("secrets", desired::tenant_secrets(c, state)));
    plan.push(("scc", vec![desired::scc(c.tenant)]));
    plan.push(("deploy", charts.to_vec()));
    plan.push((
        "userinfo",
        vec![desired::userinfo_secret(c, state), desired::userinfo(c)],
    ));
    plan
}

impl Provisioner {
    /// The tenant's LiteMaaS URL: the setting, else the LiteLLM client's `/v1` base.
    pub fn litemaas_url(&self) -> String {
        match (&self.settings.litemaas_url, &self.llm) {
            (Some(u), _) => u.clone(),
            (None, Some(llm)) => llm.api_base().to_string(),
            (None, None) => "http://litellm.invalid/v1".into(),
        }
    }

    /// The public Gitea URL for user info.
    pub fn gitea_url(&self) -> String {
        self.gitea
            .as_ref()
            .map(|g| g.url().to_string())
            .unwrap_or_default()
    }

    pub(crate) fn require_gitea(&self) -> Result<&Gitea> {
        self.gitea
            .as_ref()
            .ok_or(Error::MissingCredential("GITEA_URL"))
    }

    pub(crate) fn require_llm(&self) -> Result<&LiteLlm> {
        self.llm.as_ref().ok_or(Error::MissingCredential("LLM_URL"))
    }

    /// The apps domain: the setting, else the cluster's `Ingress cluster`.
    pub async fn domain(&self) -> Result<String> {
        if let Some(d) = &self.settings.domain {
            return Ok(d.clone());
        }
        let ingress = self
            .cluster
            .get("config.openshift.io/v1", "Ingress", None, "cluster")
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "domain",
                    "no config.openshift.io Ingress `cluster`; set `domain` in --values",
                )
            })?;
        ingress["spec"]["domain"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::invalid("domain", "Ingress `cluster` has no spec.domain"))
    }

    /// Renders the direct-mode charts for this tenant.
    pub async fn render_charts(&self, c: &RenderContext<'_>) -> Result<Vec<Value>> {
        self.helm.template_direct(&desired::chart_values(c)).await
    }

    /// The tenant's child Applications: `charts/bootstrap` rendered from the operator's
    /// charts folder (never the tenant's repository), each one pinned
    /// ([`desired::pin_application`]).
    pub async fn child_applications(&self, c: &RenderContext<'_>) -> Result<Vec<Value>> {
        let rendered = self
            .helm
            .template("bootstrap", &desired::bootstrap_values(c))
            .await?;
        rendered
            .into_iter()
            .map(|app| {
                desired::pin_application(c, app)
                    .map_err(|e| Error::Helm(format!("charts/bootstrap: {e}")))
            })
            .collect()
    }

    /// What the deploy step applies in this mode.
    pub async fn render_deploy(&self, c: &RenderContext<'_>) -> Result<Vec<Value>> {
        match self.mode {
            Mode::Bootstrap => self.child_applications(c).await,
            Mode::Direct => self.render_charts(c).await,
        }
    }

    /// The poll interval and deadline of readiness waits.
    pub(crate) fn wait_bounds(&self) -> (Duration, Duration) {
        (
            Duration::from_millis(self.settings.poll_millis),
            Duration::from_secs(self.settings.wait_seconds),
        )
    }
}
