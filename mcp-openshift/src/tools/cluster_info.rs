//! Cluster-level read tools: events, namespaces, projects, node logs, stats and top.

use serde_json::{Value, json};

use super::core_kinds::core_kind;
use super::listing::{ListQuery, finish, list_rendered};
use super::log_scan::cap_log;
use super::metrics_api::{metrics_items, require_metrics_api};
use super::paging::{ListShape, with_kind};
use super::{ToolContext, ToolResult};
use crate::args::Args;
use crate::error::Context;
use crate::kube_api::{ResourceInfo, enc, query};
use crate::output::{simplify_event, yaml};

pub(super) async fn events_list(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let ns = a.opt_str("namespace").context("failed to list events")?;
    let what = match &ns {
        Some(ns) => format!("failed to list events in namespace {ns}"),
        None => "failed to list events in all namespaces".to_string(),
    };
    let fs = a.opt_str("fieldSelector").context(&what)?;
    let shape = ListShape::from_args(a).context(&what)?;
    let ri = core_kind("Event", "events", true);
    let [limit, cont] = shape.query_pairs();
    let list = ctx
        .kube
        .get_json(&format!(
            "{}{}",
            ri.collection(ns.as_deref()),
            query(&[("fieldSelector", fs), limit, cont])
        ))
        .await
        .context(&what)?;
    let raw = list["items"].as_array().cloned().unwrap_or_default();
    let (text, mut structured) =
        if let Some(shaped) = shape.render("events", &with_kind(raw.clone(), "Event")) {
            shaped
        } else if raw.is_empty() {
            ("# No events found".to_string(), json!({ "items": [] }))
        } else {
            let events: Vec<Value> = raw.iter().map(simplify_event).collect();
            (
                format!(
                    "# The following events (YAML format) were found:\n{}",
                    yaml(&Value::Array(events.clone()))
                ),
                json!({ "items": events }),
            )
        };
    let (text, structured) = finish(ctx, text, &mut structured, &list);
    Ok(shape.output(text, structured))
}

pub(super) async fn namespaces_list(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list namespaces";
    let q = ListQuery {
        namespace: None,
        label_selector: None,
        field_selector: a.opt_str("fieldSelector").context(what)?,
        shape: ListShape::from_args(a).context(what)?,
    };
    let (text, structured) = list_rendered(ctx, &core_kind("Namespace", "namespaces", false), &q)
        .await
        .context(what)?;
    Ok(q.shape.output(text, structured))
}

pub(super) async fn projects_list(ctx: &ToolContext<'_>, _: &Args<'_>) -> ToolResult {
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
        shape: ListShape::default(),
    };
    let (text, _) = list_rendered(ctx, &ri, &q).await.context(what)?;
    Ok(text.into())
}

pub(super) async fn nodes_log(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let name = a.req_str("name").context("failed to get node log")?;
    let what = format!("failed to get node log for {name}");
    let q = a.req_str("query").context(&what)?;
    let tail = a.opt_int("tailLines").context(&what)?.filter(|t| *t > 0);
    ctx.kube
        .get_json(&format!("/api/v1/nodes/{}", enc(&name)))
        .await
        .context(&what)?;
    let path = format!(
        "/api/v1/nodes/{}/proxy/logs{}",
        enc(&name),
        query(&[
            ("query", Some(q)),
            ("tailLines", tail.map(|t| t.to_string()))
        ])
    );
    let text = ctx.kube.get_text(&path).await.context(&what)?;
    if text.is_empty() {
        return Ok(format!(
            "The node {name} has not logged any message yet or the log file is empty"
        )
        .into());
    }
    Ok(cap_log(&text).into())
}

pub(super) async fn nodes_stats_summary(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .context("failed to get node stats summary")?;
    let what = format!("failed to get node stats summary for {name}");
    ctx.kube
        .get_json(&format!("/api/v1/nodes/{}", enc(&name)))
        .await
        .context(&what)?;
    let text = ctx
        .kube
        .get_text(&format!("/api/v1/nodes/{}/proxy/stats/summary", enc(&name)))
        .await
        .context(&what)?;
    Ok(text.into())
}

pub(super) async fn nodes_top(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get nodes top";
    let name = a.opt_str("name").context(what)?;
    let selector = a.opt_str("label_selector").context(what)?;
    require_metrics_api(ctx, what).await?;
    let items = metrics_items(
        ctx,
        "/apis/metrics.k8s.io/v1beta1/nodes",
        name.as_deref(),
        selector,
    )
    .await
    .context(what)?;
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
