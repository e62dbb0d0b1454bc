//! Namespaces the provisioner makes on demand for one optional part of a tenant
//! (`showroom-<u>`, `gitea-<u>`): created with the tenant's labels and limits, never
//! adopted (an existing one must carry our labels for this tenant and order), and on
//! destroy deleted only when ours.

use serde_json::Value;

use crate::desired::{
    self, CREATED_BY_LABEL, FIELD_MANAGER, GUID_LABEL, RenderContext, TENANT_LABEL,
};
use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::tenant::Tenant;
use crate::wait;

/// Labelled as created by the provisioner for this tenant and order.
pub(crate) fn is_ours(ns: &Value, t: &Tenant) -> bool {
    let labels = &ns["metadata"]["labels"];
    labels[CREATED_BY_LABEL] == FIELD_MANAGER
        && labels[TENANT_LABEL] == t.username.as_str()
        && labels[GUID_LABEL].as_str().is_none_or(|g| g == t.guid)
}

fn foreign(t: &Tenant, ns: &str) -> Error {
    Error::conflict(
        "username",
        format!(
            "namespace {ns} exists and was not created by this provisioner for {}; it is not adopted",
            t.username
        ),
    )
}

impl Provisioner {
    /// Preflight: `<component>-<u>` is absent or ours.
    pub(crate) async fn check_own_namespace(&self, t: &Tenant, component: &str) -> Result<()> {
        let ns = t.namespace(component);
        match self.cluster.get("v1", "Namespace", None, &ns).await? {
            Some(obj) if !is_ours(&obj, t) => Err(foreign(t, &ns)),
            _ => Ok(()),
        }
    }

    /// Creates `<component>-<u>` (or checks an existing one is ours) and applies it with
    /// its quota and limit range.
    pub(crate) async fn ensure_own_namespace(
        &self,
        c: &RenderContext<'_>,
        component: &str,
    ) -> Result<()> {
        let t = c.tenant;
        let ns = t.namespace(component);
        match self.cluster.get("v1", "Namespace", None, &ns).await? {
            Some(obj) if !is_ours(&obj, t) => return Err(foreign(t, &ns)),
            Some(_) => {}
            None => {
                self.cluster
                    .create(&desired::namespace(t, component))
                    .await?;
            }
        }
        self.cluster
            .apply(&desired::namespace(t, component))
            .await?;
        for obj in desired::namespace_limits(c, component) {
            self.cluster.apply(&obj).await?;
        }
        Ok(())
    }

    /// Deletes `<component>-<u>` when ours, and waits until it is gone.
    pub(crate) async fn delete_own_namespace(
        &self,
        t: &Tenant,
        component: &str,
    ) -> Result<((), String)> {
        let ns = t.namespace(component);
        match self.cluster.get("v1", "Namespace", None, &ns).await? {
            Some(obj) if is_ours(&obj, t) => {
                self.cluster.delete("v1", "Namespace", None, &ns).await?;
                let waited = wait::namespaces_gone(self, std::slice::from_ref(&ns)).await?;
                Ok(((), format!("{ns} deleted; {waited}")))
            }
            Some(_) => Ok(((), format!("{ns} not created by us, kept"))),
            None => Ok(((), format!("{ns} absent"))),
        }
    }
}
