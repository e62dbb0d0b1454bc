//! Cluster-level read tools: events, namespaces, projects, node logs, stats and top.

use serde_json::Value;

use super::pods::core_kind;
use super::{ListQuery, ToolCtx, ToolResult, fail, list_rendered};
use crate::args::Args;
use crate::error::KubeError;
use crate::kube_api::{ResourceInfo, enc, query};
use crate::output::{simplify_event, yaml};

pub(super) async fn events_list(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let ns = a
        .opt_str("namespace")
        .map_err(|e| fail("failed to list events", e))?;
    let what = match &ns {
        Some(ns) => format!("failed to list events in namespace {ns}"),
        None => "failed to list events in all namespaces".to_string(),
    };
    let fs = a.opt_str("fieldSelector").map_err(|e| fail(&what, e))?;
    let ri = core_kind("Event", "events", true);
    let list = ctx
        .kube
        .get_json(&format!(
            "{}{}",
            ri.collection(ns.as_deref()),
            query(&[("fieldSelector", fs)])
        ))
        .await
        .map_err(|e| fail(&what, e))?;
    let events: Vec<Value> = list["items"]
        .as_array()
        .map(|i| i.iter().map(simplify_event).collect())
        .unwrap_or_default();
    if events.is_empty() {
        return Ok("# No events found".to_string().into());
    }
    Ok(format!(
        "# The following events (YAML format) were found:\n{}",
        yaml(&Value::Array(events))
    )
    .into())
}

pub(super) async fn namespaces_list(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list namespaces";
    let q = ListQuery {
        namespace: None,
        label_selector: None,
        field_selector: a.opt_str("fieldSelector").map_err(|e| fail(what, e))?,
    };
    let (text, _) = list_rendered(ctx, &core_kind("Namespace", "namespaces", false), &q)
        .await
        .map_err(|e| fail(what, e))?;
    Ok(text.into())
}

pub(super) async fn projects_list(ctx: &ToolCtx<'_>) -> ToolResult {
    let what = "failed to list projects";
    let ri = ResourceInfo {
        group: "project.openshift.io".into(),
        version: "v1".into(),
        kind: "Project".into(),
        plural: "projects".into(),
        namespaced: false,
    };
    let q = ListQuery {
        namespace: None,
        label_selector: None,
        field_selector: None,
    };
    let (text, _) = list_rendered(ctx, &ri, &q)
        .await
        .map_err(|e| fail(what, e))?;
    Ok(text.into())
}

pub(super) async fn nodes_log(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .map_err(|e| fail("failed to get node log", e))?;
    let what = format!("failed to get node log for {name}");
    let q = a.req_str("query").map_err(|e| fail(&what, e))?;
    let tail = a
        .opt_int("tailLines")
        .map_err(|e| fail(&what, e))?
        .filter(|t| *t > 0);
    ctx.kube
        .get_json(&format!("/api/v1/nodes/{}", enc(&name)))
        .await
        .map_err(|e| fail(&what, e))?;
    let path = format!(
        "/api/v1/nodes/{}/proxy/logs{}",
        enc(&name),
        query(&[
            ("query", Some(q)),
            ("tailLines", tail.map(|t| t.to_string()))
        ])
    );
    let text = ctx.kube.get_text(&path).await.map_err(|e| fail(&what, e))?;
    if text.is_empty() {
        return Ok(format!(
            "The node {name} has not logged any message yet or the log file is empty"
        )
        .into());
    }
    Ok(super::filter_log(
        &text,
        &super::LogFilter {
            grep: None,
            max_bytes: super::pod_logs::MAX_LOG_BYTES,
        },
    )
    .into())
}

pub(super) async fn nodes_stats_summary(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .map_err(|e| fail("failed to get node stats summary", e))?;
    let what = format!("failed to get node stats summary for {name}");
    ctx.kube
        .get_json(&format!("/api/v1/nodes/{}", enc(&name)))
        .await
        .map_err(|e| fail(&what, e))?;
    let text = ctx
        .kube
        .get_text(&format!("/api/v1/nodes/{}/proxy/stats/summary", enc(&name)))
        .await
        .map_err(|e| fail(&what, e))?;
    Ok(text.into())
}

pub(super) async fn nodes_top(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get nodes top";
    let name = a.opt_str("name").map_err(|e| fail(what, e))?;
    let selector = a.opt_str("label_selector").map_err(|e| fail(what, e))?;
    require_metrics_api(ctx, what).await?;
    let items = metrics_items(
        ctx,
        "/apis/metrics.k8s.io/v1beta1/nodes",
        name.as_deref(),
        selector,
    )
    .await
    .map_err(|e| fail(what, e))?;
    let mut table = crate::output::Table {
        headers: ["NAME", "CPU(cores)", "MEMORY(bytes)"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for nm in &items {
        table.rows.push(vec![
            nm["metadata"]["name"].as_str().unwrap_or_default().into(),
            nm["usage"]["cpu"].as_str().unwrap_or_default().into(),
            nm["usage"]["memory"].as_str().unwrap_or_default().into(),
        ]);
    }
    Ok(table.render().into())
}

/// Refuses a `top` tool with `what` when the cluster serves no metrics API (as upstream).
pub(super) async fn require_metrics_api(ctx: &ToolCtx<'_>, what: &str) -> Result<(), String> {
    if !ctx
        .kube
        .has_group_version("metrics.k8s.io", "v1beta1")
        .await
    {
        return Err(fail(what, "metrics API is not available"));
    }
    Ok(())
}

/// The metrics objects in the collection `base`: the one `name`d, else all matching
/// `selector`. Both `top` tools (nodes and pods) read their usage so.
pub(super) async fn metrics_items(
    ctx: &ToolCtx<'_>,
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
