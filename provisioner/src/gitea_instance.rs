//! A Gitea of the tenant's own (`gitea.mode: perTenant`, platform-contract.md §3): the
//! Gitea operator's `pfe.rhpds.com/v1 Gitea` named `gitea` in `gitea-<u>` (a namespace
//! we create), its admin password generated once into the tenant's state and handed over
//! in the Secret `gitea-admin` (key `adminPassword`) that the CR names - never in the CR;
//! then a wait for the operator's status flags (`userSetupComplete`, and `giteaRoute` or
//! `giteaHostname`), whose URL the Gitea user, repository and token steps then use.
//! Destroy deletes the CR, then the namespace.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::config::{GiteaAccess, Secret};
use crate::desired::{FIELD_MANAGER, GUID_LABEL, RenderContext, TENANT_LABEL};
use crate::error::{Error, Result};
use crate::gitea::Gitea;
use crate::provisioner::Provisioner;
use crate::state::TenantState;
use crate::tenant::Tenant;

/// The namespace's component: `gitea-<u>`.
pub const COMPONENT: &str = "gitea";
/// The CR's API version.
pub const GITEA_API: &str = "pfe.rhpds.com/v1";
/// The CR's name.
pub const CR_NAME: &str = "gitea";
/// The Secret with the admin password.
pub const ADMIN_SECRET: &str = "gitea-admin";

/// The in-cluster URL of the tenant's instance (its Service `gitea` on 3000).
pub fn internal_url(t: &Tenant) -> String {
    t.gitea_instance_url()
}

fn labels(t: &Tenant) -> Value {
    json!({ TENANT_LABEL: t.username, GUID_LABEL: t.guid,
        "app.kubernetes.io/managed-by": FIELD_MANAGER })
}

/// The Secret `gitea-admin` (key `adminPassword`).
pub fn admin_secret(t: &Tenant, s: &TenantState) -> Value {
    use base64::Engine;
    json!({ "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": { "name": ADMIN_SECRET, "namespace": t.namespace(COMPONENT), "labels": labels(t) },
        "data": { "adminPassword":
            base64::engine::general_purpose::STANDARD.encode(&s.gitea_admin_password) } })
}

/// The Gitea operator's CR: no password in it, only the Secret's name.
pub fn gitea_cr(c: &RenderContext<'_>) -> Value {
    let (t, g) = (c.tenant, &c.settings.gitea);
    json!({ "apiVersion": GITEA_API, "kind": "Gitea",
        "metadata": { "name": CR_NAME, "namespace": t.namespace(COMPONENT), "labels": labels(t) },
        "spec": {
            "giteaImage": g.image, "giteaImageTag": g.image_tag,
            "giteaVolumeSize": g.volume_size, "postgresqlVolumeSize": g.postgresql_volume_size,
            "giteaSsl": g.ssl,
            "giteaAdminUser": g.admin_user,
            "giteaAdminPasswordSecretName": ADMIN_SECRET,
            "giteaAdminEmail": format!("{}@example.com", g.admin_user),
            "giteaDisableRegistration": true,
            "giteaCreateUsers": false,
            "giteaMigrateRepositories": false,
        } })
}

/// The instance's URL from the CR's status, once the operator reports it ready.
fn ready_url(cr: &Value, ssl: bool) -> Option<String> {
    let status = &cr["status"];
    if status["userSetupComplete"] != true {
        return None;
    }
    if let Some(route) = status["giteaRoute"]
        .as_str()
        .filter(|r| r.starts_with("http"))
    {
        return Some(route.trim_end_matches('/').to_string());
    }
    let host = status["giteaHostname"].as_str().filter(|h| !h.is_empty())?;
    Some(format!("{}://{host}", if ssl { "https" } else { "http" }))
}

impl Provisioner {
    /// The tenant's Gitea: namespace, admin Secret, CR, then the wait for the operator.
    /// Returns the admin client of the instance and its URL.
    pub(crate) async fn ensure_gitea_instance(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
    ) -> Result<((Gitea, String), String)> {
        let t = c.tenant;
        self.ensure_own_namespace(c, COMPONENT).await?;
        self.cluster.apply(&admin_secret(t, state)).await?;
        self.cluster.apply(&gitea_cr(c)).await?;
        let ns = t.namespace(COMPONENT);
        let (poll, deadline) = self.wait_bounds();
        let started = Instant::now();
        let url = loop {
            let cr = self
                .cluster
                .get(GITEA_API, "Gitea", Some(&ns), CR_NAME)
                .await?;
            if let Some(url) = cr
                .as_ref()
                .and_then(|cr| ready_url(cr, c.settings.gitea.ssl))
            {
                break url;
            }
            let waited = started.elapsed();
            if waited >= deadline {
                return Err(Error::Timeout {
                    what: format!("Gitea {ns}/{CR_NAME} status.userSetupComplete and its route"),
                    waited,
                });
            }
            let left = deadline.saturating_sub(waited);
            tracing::info!(tenant = %t.username, left_s = left.as_secs(), "waiting for Gitea {ns}/{CR_NAME} (status.userSetupComplete)");
            tokio::time::sleep(poll.min(left).max(Duration::from_millis(10))).await;
        };
        let gitea = Gitea::new(GiteaAccess {
            url: url.clone(),
            admin_user: c.settings.gitea.admin_user.clone(),
            admin_password: Some(Secret::new(state.gitea_admin_password.clone())),
            admin_token: None,
        })?;
        let detail = format!(
            "{ns}/{CR_NAME} ready at {url} after {:?}",
            started.elapsed()
        );
        Ok(((gitea, url), detail))
    }

    /// Destroy: the CR (the operator removes the instance), then `gitea-<u>` when ours.
    pub(crate) async fn destroy_gitea_instance(&self, t: &Tenant) -> Result<((), String)> {
        let ns = t.namespace(COMPONENT);
        let deleted = match self
            .cluster
            .delete(GITEA_API, "Gitea", Some(&ns), CR_NAME)
            .await
        {
            Ok(d) => d,
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(e),
        };
        let ((), detail) = self.delete_own_namespace(t, COMPONENT).await?;
        let cr = if deleted { "Gitea deleted" } else { "no Gitea" };
        Ok(((), format!("{cr}; {detail}")))
    }
}
