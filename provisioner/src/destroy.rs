//! `destroy`: the provision steps undone in reverse order. Every step tolerates objects
//! that are already gone, so a half-provisioned or already-destroyed tenant destroys
//! cleanly, and a failed destroy can simply be run again. Nothing is deleted for an order
//! whose guid is not the tenant's, and nothing the provisioner did not create (a Gitea
//! user, a namespace, a LiteLLM key, a Keycloak or OpenShift user) is ever deleted.

use crate::desired::{self, CREATED_BY_LABEL, GUID_LABEL, RenderContext, TENANT_LABEL};
use crate::error::Result;
use crate::journal::{Report, Run};
use crate::provisioner::Provisioner;
use crate::state::TenantState;
use crate::tenant::{Mode, Tenant};
use crate::wait;

impl Provisioner {
    /// Destroys `tenant`: Applications (cascading), direct-mode objects, Secrets, SCC,
    /// AppProject, LiteLLM key, Gitea user, namespaces the provisioner created, state and
    /// user info.
    pub async fn destroy(&self, tenant: &Tenant) -> Result<Report> {
        let per_tenant = self.settings.gitea.mode == crate::features::GiteaMode::PerTenant;
        let gitea = if per_tenant {
            None
        } else {
            Some(self.require_gitea()?)
        };
        let llm = self.require_llm()?;
        // Another order's guid deletes nothing.
        let stored = self.check_guid(tenant).await?;
        let mut run = Run::new(self, tenant, "destroy");
        // Names only depend on the tenant; the domain is a placeholder when undiscoverable.
        let domain = self
            .domain()
            .await
            .unwrap_or_else(|_| "unknown.invalid".into());
        let (litemaas_url, gitea_url) = (self.litemaas_url(), self.gitea_url());
        let ctx = RenderContext {
            tenant,
            settings: &self.settings,
            domain: &domain,
            litemaas_url: &litemaas_url,
            gitea_url: &gitea_url,
        };
        let c = &ctx;
        let ns = self.settings.control_namespace.clone();
        run.step("applications", async {
            let api = "argoproj.io/v1alpha1";
            let mut deleted = 0;
            // The child Applications (Argo CD cascades each), and an older version's
            // app-of-apps, whose cascade removes the same children.
            let mut names = wait::application_names(tenant);
            names.push(tenant.legacy_bootstrap_app());
            for name in &names {
                match self
                    .cluster
                    .delete(api, "Application", Some(&ns), name)
                    .await
                {
                    Ok(true) => deleted += 1,
                    Ok(false) => {}
                    // No Argo CD on this cluster (direct mode): no Application to wait for.
                    Err(e) if e.is_not_found() => return Ok(((), "Argo CD not served".into())),
                    Err(e) => return Err(e),
                }
            }
            let waited = wait::applications_gone(self, tenant).await?;
            Ok(((), format!("{deleted} deleted; {waited}")))
        })
        .await?;
        if self.mode == Mode::Direct {
            run.step("direct-objects", async {
                let objects = self.render_charts(c).await?;
                self.delete_all(objects.iter().rev()).await
            })
            .await?;
        }
        let placeholder = TenantState::placeholder();
        run.step(
            "secrets",
            self.delete_all(desired::tenant_secrets(c, &placeholder).iter()),
        )
        .await?;
        run.step("scc", self.delete_optional_kind(desired::scc(tenant)))
            .await?;
        run.step(
            "appproject",
            self.delete_optional_kind(desired::app_project(c)),
        )
        .await?;
        run.step("llm-key", async {
            let (n, foreign) = llm
                .delete_alias(&tenant.key_alias(), &tenant.username)
                .await?;
            let mut detail = format!("{n} key(s) deleted");
            if foreign > 0 {
                detail.push_str(&format!(", {foreign} not ours left alone"));
            }
            Ok(((), detail))
        })
        .await?;
        if per_tenant {
            // The whole instance goes, the tenant's user with it.
            run.step("gitea-instance", self.destroy_gitea_instance(tenant))
                .await?;
        }
        if let Some(gitea) = gitea {
            run.step("gitea-user", async {
                // Only the user the state proves we created.
                let detail = match gitea.user_id(&tenant.username).await? {
                    Some(id) if !self.owns_gitea_user(tenant, stored.as_ref(), id).await? => {
                        "not created by us, kept"
                    }
                    Some(_) if gitea.purge_user(&tenant.username).await? => "purged",
                    _ => "absent",
                };
                Ok(((), detail.to_string()))
            })
            .await?;
        }
        if self.settings.showroom.enabled {
            run.step("showroom", self.destroy_showroom(tenant)).await?;
        }
        let had_identity = stored
            .as_ref()
            .is_some_and(|s| !s.keycloak_user_id.is_empty());
        if self.settings.identity.enabled || had_identity {
            run.step(
                "identity",
                self.destroy_identity(tenant, stored.as_ref(), &domain),
            )
            .await?;
        }
        run.step("namespaces", self.delete_created_namespaces(tenant))
            .await?;
        run.step(
            "state",
            self.delete_all([desired::state_secret(c, &placeholder)].iter()),
        )
        .await?;
        run.step(
            "userinfo",
            self.delete_all(
                [
                    desired::userinfo(c),
                    desired::userinfo_secret(c, &placeholder),
                ]
                .iter(),
            ),
        )
        .await?;
        Ok(run.finish())
    }

    async fn delete_all<'a>(
        &self,
        objects: impl Iterator<Item = &'a serde_json::Value>,
    ) -> Result<((), String)> {
        let (mut deleted, mut absent) = (0, 0);
        for obj in objects {
            match self.cluster.delete_object(obj).await {
                Ok(true) => deleted += 1,
                Ok(false) => absent += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(((), format!("{deleted} deleted, {absent} absent")))
    }

    /// Deletes `obj`, whose kind the cluster may not serve at all (SCCs off OpenShift, the
    /// AppProject without Argo CD): then there is nothing to delete.
    async fn delete_optional_kind(&self, obj: serde_json::Value) -> Result<((), String)> {
        match self.delete_all([obj].iter()).await {
            Err(e) if e.is_not_found() => Ok(((), "kind not served".into())),
            other => other,
        }
    }

    /// Deletes only namespaces labelled as created by the provisioner for this tenant (and
    /// this order, when the label is there), and waits for them.
    async fn delete_created_namespaces(&self, tenant: &Tenant) -> Result<((), String)> {
        let mut ours = Vec::new();
        for ns in tenant.namespaces() {
            if let Some(obj) = self.cluster.get("v1", "Namespace", None, &ns).await?
                && obj["metadata"]["labels"][CREATED_BY_LABEL] == desired::FIELD_MANAGER
                && obj["metadata"]["labels"][TENANT_LABEL] == tenant.username.as_str()
                && obj["metadata"]["labels"][GUID_LABEL]
                    .as_str()
                    .is_none_or(|g| g == tenant.guid)
            {
                self.cluster.delete("v1", "Namespace", None, &ns).await?;
                ours.push(ns);
            }
        }
        if ours.is_empty() {
            return Ok(((), "none created by us".into()));
        }
        let waited = wait::namespaces_gone(self, &ours).await?;
        Ok(((), format!("{} deleted; {waited}", ours.len())))
    }
}
