//! The objects a Tenant's readiness depends on, watched so a change wakes its Tenant at
//! once instead of at the next poll: Argo CD Applications (control namespace), ToolHive
//! MCPServers and Deployments. Each is mapped back to its Tenant by the `lab.mcp/tenant`
//! label, else by its namespace (`<component>-<username>`), else by its Application name.
//! Kinds the cluster does not serve are not watched.

use kube::Client;
use kube::api::{DynamicObject, GroupVersionKind};
use kube::discovery::Discovery;
use kube::runtime::reflector::Store;

use super::crd::Tenant;
use crate::desired::TENANT_LABEL;
use crate::tenant::COMPONENTS;

/// Application name prefixes, longest first (`librechat-config-` before `librechat-`).
const APP_PREFIXES: [&str; 5] = [
    "librechat-config-",
    "mcp-openshift-",
    "mcp-gitea-",
    "librechat-",
    "agent-",
];

/// The watched kinds the cluster serves, each with the namespace to watch (none: all).
pub async fn watched(client: &Client, control_ns: &str) -> Vec<(GroupVersionKind, Option<String>)> {
    let wanted = [
        (
            gvk("argoproj.io", "v1alpha1", "Application"),
            Some(control_ns.to_string()),
        ),
        (gvk("toolhive.stacklok.dev", "v1alpha1", "MCPServer"), None),
        (gvk("apps", "v1", "Deployment"), None),
    ];
    let discovery = match Discovery::new(client.clone())
        .filter(&["argoproj.io", "toolhive.stacklok.dev", "apps"])
        .run()
        .await
    {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "discovery failed; children not watched (polling only)");
            return Vec::new();
        }
    };
    wanted
        .into_iter()
        .filter(|(g, _)| discovery.resolve_gvk(g).is_some())
        .collect()
}

/// The Tenant (its name, which is its username) a child belongs to, if it is known.
pub fn tenant_of(obj: &DynamicObject, control_ns: &str, store: &Store<Tenant>) -> Option<String> {
    let meta = &obj.metadata;
    let candidate = meta
        .labels
        .as_ref()
        .and_then(|l| l.get(TENANT_LABEL).cloned())
        .or_else(|| {
            let ns = meta.namespace.as_deref()?;
            if ns == control_ns {
                let name = meta.name.as_deref()?;
                APP_PREFIXES
                    .iter()
                    .find_map(|p| name.strip_prefix(p))
                    .map(str::to_string)
            } else {
                COMPONENTS
                    .iter()
                    .find_map(|c| ns.strip_prefix(&format!("{c}-")))
                    .map(str::to_string)
            }
        })?;
    // Only Tenants that exist: other namespaces of the same shape are not ours.
    store
        .get(&kube::runtime::reflector::ObjectRef::new(&candidate))
        .map(|_| candidate)
}

/// `GroupVersionKind` shorthand.
fn gvk(group: &str, version: &str, kind: &str) -> GroupVersionKind {
    GroupVersionKind::gvk(group, version, kind)
}
