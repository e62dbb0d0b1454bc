//! `status` and `render`: what a tenant has (or would have) on the cluster, Gitea and
//! LiteLLM, read-only.

use serde_json::{Value, json};

use crate::cluster::describe;
use crate::desired::{self, RenderContext, TENANT_LABEL};
use crate::error::Result;
use crate::provisioner::{Provisioner, planned_objects};
use crate::state::TenantState;
use crate::tenant::Tenant;
use crate::wait;

impl Provisioner {
    /// Every object `provision` would apply, with Secret values as placeholders. Needs no
    /// cluster when `domain` is given in the settings.
    pub async fn render(&self, tenant: &Tenant) -> Result<Vec<Value>> {
        let domain = self.domain().await?;
        let (litemaas_url, gitea_url) = (self.litemaas_url(), self.gitea_url());
        let c = RenderContext {
            tenant,
            settings: &self.settings,
            domain: &domain,
            litemaas_url: &litemaas_url,
            gitea_url: &gitea_url,
        };
        let charts = self.render_deploy(&c).await?;
        let plan = planned_objects(&c, &TenantState::placeholder(), &charts);
        Ok(plan.into_iter().flat_map(|(_, objs)| objs).collect())
    }

    /// Which of the tenant's objects exist, the Applications' sync and health, the Gitea
    /// user and the LiteLLM key.
    pub async fn status(&self, tenant: &Tenant) -> Result<Value> {
        let mut objects = serde_json::Map::new();
        for obj in self.render(tenant).await? {
            let api_version = obj["apiVersion"].as_str().unwrap_or_default();
            let kind = obj["kind"].as_str().unwrap_or_default();
            let name = obj["metadata"]["name"].as_str().unwrap_or_default();
            let ns = obj["metadata"]["namespace"].as_str();
            let present = match self.cluster.get(api_version, kind, ns, name).await {
                Ok(found) => json!(found.is_some()),
                Err(e) if e.is_not_found() => json!("kind not served"),
                Err(e) => return Err(e),
            };
            objects.insert(describe(&obj), present);
        }
        let ns = &self.settings.control_namespace;
        let mut apps = serde_json::Map::new();
        for name in wait::application_names(tenant) {
            let app = match self
                .cluster
                .get("argoproj.io/v1alpha1", "Application", Some(ns), &name)
                .await
            {
                Ok(app) => app,
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            };
            let state = app.map(|a| {
                let error = a["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["type"].as_str().is_some_and(|t| t.ends_with("Error")))
                    .map(|c| c["message"].clone());
                json!({ "sync": a["status"]["sync"]["status"],
                "health": a["status"]["health"]["status"], "error": error })
            });
            apps.insert(name, state.unwrap_or(Value::Null));
        }
        let gitea_user = match &self.gitea {
            Some(g) => json!(g.user_exists(&tenant.username).await?),
            None => json!("GITEA_URL not set"),
        };
        let llm_keys = match &self.llm {
            Some(l) => json!(
                l.keys_with_alias(&tenant.key_alias(), &tenant.username)
                    .await?
                    .len()
            ),
            None => json!("LLM_URL not set"),
        };
        Ok(
            json!({ "tenant": tenant, "objects": objects, "applications": apps,
            "gitea_user": gitea_user, "llm_keys": llm_keys }),
        )
    }

    /// Usernames of the tenants this provisioner manages (from their state Secrets).
    pub async fn tenants(&self) -> Result<Vec<String>> {
        let ns = &self.settings.control_namespace;
        let selector = format!("app.kubernetes.io/managed-by={}", desired::FIELD_MANAGER);
        let secrets = self
            .cluster
            .list("v1", "Secret", Some(ns), &selector)
            .await?;
        let mut names: Vec<String> = secrets
            .iter()
            .filter_map(|s| {
                s["metadata"]["labels"][TENANT_LABEL]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }
}
