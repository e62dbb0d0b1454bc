//! Server-side apply with this server's field manager (`kubernetes-mcp-server`, forced), as
//! `resources_create_or_update` and `pods_run` do it, and upstream's report of what was applied.

use http::Method;
use serde_json::Value;

use super::ToolContext;
use crate::error::KubeError;
use crate::kube_api::query;
use crate::output::{strip_managed_fields, yaml};

/// Field manager for everything this server applies (and the `managed-by` label of `pods_run`).
pub(crate) const FIELD_MANAGER: &str = "kubernetes-mcp-server";

/// Upstream's report of applied objects, shared by `resources_create_or_update` and
/// `pods_run` so both answer alike.
pub(crate) fn applied_text(applied: Vec<Value>) -> String {
    format!(
        "# The following resources (YAML) have been created or updated successfully\n{}",
        yaml(&Value::Array(applied))
    )
}

/// Server-side apply each object (field manager `kubernetes-mcp-server`, force), in order.
pub(crate) async fn apply_all(
    ctx: &ToolContext<'_>,
    docs: Vec<Value>,
) -> Result<Vec<Value>, KubeError> {
    let mut applied = Vec::new();
    for mut doc in docs {
        if let Some(o) = doc.as_object_mut() {
            o.remove("status");
        }
        let api_version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        let name = doc["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if api_version.is_empty() || kind.is_empty() || name.is_empty() {
            return Err(KubeError::msg(
                "every object needs apiVersion, kind and metadata.name",
            ));
        }
        let ri = ctx.kube.resolve(&api_version, &kind).await?;
        let ns = doc["metadata"]["namespace"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| ctx.cluster.default_namespace().to_string());
        if ri.namespaced {
            doc["metadata"]["namespace"] = ns.clone().into();
        }
        let path = format!(
            "{}{}",
            ri.object(Some(&ns), &name),
            query(&[
                ("fieldManager", Some(FIELD_MANAGER.into())),
                ("force", Some("true".into()))
            ])
        );
        let mut out = ctx
            .kube
            .send_json(Method::PATCH, &path, "application/apply-patch+yaml", &doc)
            .await?;
        strip_managed_fields(&mut out);
        if kind == "CustomResourceDefinition" {
            ctx.kube.reset_discovery();
        }
        applied.push(out);
    }
    Ok(applied)
}
