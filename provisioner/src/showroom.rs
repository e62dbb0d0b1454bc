//! The lab guide (platform-contract.md §2): namespace `showroom-<u>` (created, never
//! adopted, labelled like the tenant's others), the Secret `showroom-userdata` whose
//! `user_data.yml` carries every attribute the guide's pages use (passwords included,
//! hence a Secret), and `charts/showroom` rendered by helm from the operator's charts
//! folder and applied (not an Argo CD Application: nothing in the tenant's repository can
//! change the guide). Destroy deletes the namespace when it is ours.

use serde_json::{Value, json};

use crate::desired::{self, FIELD_MANAGER, GUID_LABEL, RenderContext, TENANT_LABEL};
use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::state::TenantState;
use crate::tenant::Tenant;

/// The guide's component name: its namespace is `showroom-<u>`.
pub const COMPONENT: &str = "showroom";
/// The Secret with `user_data.yml`.
pub const USER_DATA_SECRET: &str = "showroom-userdata";

/// The attributes the guide uses, in a fixed order (plain values and passwords alike:
/// this goes to a Secret only). `password` is the OpenShift login's when identity is on.
pub fn guide_attributes(c: &RenderContext<'_>, s: &TenantState) -> Vec<(&'static str, String)> {
    let t = c.tenant;
    let password = if c.settings.identity.enabled {
        s.keycloak_password.clone()
    } else {
        String::new()
    };
    let mut attrs = vec![
        ("user", t.username.clone()),
        ("password", password),
        ("guid", t.guid.clone()),
    ];
    attrs.extend(
        desired::public_attributes(c)
            .into_iter()
            .filter(|(k, _)| *k != "user"),
    );
    attrs.extend([
        ("librechat_password", s.librechat_password.clone()),
        ("gitea_password", s.gitea_password.clone()),
    ]);
    attrs
}

/// The Secret `showroom-userdata` in `showroom-<u>` (key `user_data.yml`).
pub fn user_data_secret(c: &RenderContext<'_>, s: &TenantState) -> Value {
    use base64::Engine;
    let t = c.tenant;
    let map: serde_json::Map<String, Value> = guide_attributes(c, s)
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let yaml = serde_saphyr::to_string(&Value::Object(map)).unwrap_or_default();
    let mut obj = json!({ "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": { "name": USER_DATA_SECRET, "namespace": t.namespace(COMPONENT),
            "labels": { TENANT_LABEL: t.username, GUID_LABEL: t.guid,
                "app.kubernetes.io/managed-by": FIELD_MANAGER } },
        "data": { "user_data.yml": base64::engine::general_purpose::STANDARD.encode(yaml) } });
    obj["metadata"]["labels"]["app"] = json!("showroom");
    obj
}

/// The chart values: the username, the domain and the content; never a secret.
pub fn chart_values(c: &RenderContext<'_>) -> Value {
    let s = &c.settings.showroom;
    json!({ "tenant": { "username": c.tenant.username },
        "deployer": { "domain": c.domain },
        "content": { "repoUrl": s.content_repo, "repoRef": s.content_ref,
            "userDataSecret": USER_DATA_SECRET } })
}

impl Provisioner {
    /// The guide: namespace (created or ours), its limits, the user data Secret, and the
    /// rendered chart, every object of which must be in `showroom-<u>`.
    pub(crate) async fn ensure_showroom(
        &self,
        c: &RenderContext<'_>,
        state: &TenantState,
    ) -> Result<((), String)> {
        let t = c.tenant;
        let ns = t.namespace(COMPONENT);
        self.ensure_own_namespace(c, COMPONENT).await?;
        let mut objects = vec![user_data_secret(c, state)];
        let rendered = self.helm.template("showroom", &chart_values(c)).await?;
        for obj in &rendered {
            if obj["metadata"]["namespace"].as_str() != Some(ns.as_str()) {
                return Err(Error::Helm(format!(
                    "charts/showroom rendered {} outside {ns}",
                    crate::cluster::describe(obj)
                )));
            }
        }
        let n = rendered.len();
        objects.extend(rendered);
        for obj in &objects {
            self.cluster.apply(obj).await?;
        }
        Ok((
            (),
            format!(
                "{n} guide objects applied; {}",
                desired::guide_url(t, c.domain)
            ),
        ))
    }

    /// Preflight: `showroom-<u>` must be absent or ours.
    pub(crate) async fn check_showroom(&self, t: &Tenant) -> Result<()> {
        self.check_own_namespace(t, COMPONENT).await
    }

    /// Destroy: the guide's namespace (and everything in it) when it is ours.
    pub(crate) async fn destroy_showroom(&self, t: &Tenant) -> Result<((), String)> {
        self.delete_own_namespace(t, COMPONENT).await
    }
}
