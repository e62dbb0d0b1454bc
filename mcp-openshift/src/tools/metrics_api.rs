//! The `metrics.k8s.io` reads both `top` tools (nodes and pods) make: whether the API is
//! served at all, and the usage objects of a collection.

use serde_json::Value;

use super::ToolContext;
use crate::error::{Cause, KubeError, ToolError};
use crate::kube_api::{enc, query};

/// Refuses a `top` tool with `what` when the cluster serves no metrics API (as upstream).
pub(crate) async fn require_metrics_api(
    ctx: &ToolContext<'_>,
    what: &str,
) -> Result<(), ToolError> {
    if !ctx
        .kube
        .has_group_version("metrics.k8s.io", "v1beta1")
        .await
    {
        return Err(ToolError::failed(what, Cause::MetricsApiUnavailable));
    }
    Ok(())
}

/// The metrics objects in the collection `base`: the one `name`d, else all matching
/// `selector`.
pub(crate) async fn metrics_items(
    ctx: &ToolContext<'_>,
    base: &str,
    name: Option<&str>,
    selector: Option<String>,
) -> Result<Vec<Value>, KubeError> {
    Ok(match name {
        Some(n) => vec![ctx.kube.get_json(&format!("{base}/{}", enc(n))).await?],
        None => ctx
            .kube
            .get_json(&format!("{base}{}", query(&[("labelSelector", selector)])))
            .await?["items"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    })
}
