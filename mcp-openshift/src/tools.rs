//! Tool implementations, grouped by domain, and the dispatcher from tool name to handler.
//!
//! Each handler returns `Ok(ToolOutput)` or `Err(message)`; the message is the full text of
//! the `isError` result, in upstream's `failed to <verb> …: <reason>` form.

mod capped_read;
mod cluster_info;
mod config_view;
mod log_scan;
mod pod_logs;
mod pods;
mod resources;
mod tekton;

use serde_json::{Map, Value};

use crate::args::Args;
use crate::cluster::Cluster;
use crate::config::{ListOutput, OutputLimits};
use crate::error::KubeError;
use crate::kube_api::{Kube, ResourceInfo, TABLE_ACCEPT};
use crate::output::{self, Table};

pub use log_scan::{LogFilter, LogScan, filter_log};

/// What a tool call sees: the client for the caller's identity and the server settings.
pub struct ToolCtx<'a> {
    /// Client for this call's identity.
    pub kube: Kube,
    /// The configured cluster (default namespace, kubeconfig view).
    pub cluster: &'a Cluster,
    /// How lists are rendered.
    pub list_output: ListOutput,
    /// How much of a log or a command's output a call may read.
    pub limits: OutputLimits,
}

impl ToolCtx<'_> {
    /// The namespace argument, or the configured default.
    pub fn namespace(&self, arg: Option<String>) -> String {
        arg.unwrap_or_else(|| self.cluster.default_namespace().to_string())
    }
}

/// A successful tool result.
#[derive(Debug, Default)]
pub struct ToolOutput {
    /// The text content.
    pub text: String,
    /// Optional structured content.
    pub structured: Option<Value>,
}

impl From<String> for ToolOutput {
    fn from(text: String) -> Self {
        Self {
            text,
            structured: None,
        }
    }
}

/// Result of a handler.
pub type ToolResult = Result<ToolOutput, String>;

/// Prefix an error with what failed.
pub(crate) fn fail(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Run the tool `name`; `None` when no such tool exists.
pub async fn call(name: &str, args: &Map<String, Value>, ctx: &ToolCtx<'_>) -> Option<ToolResult> {
    let a = Args::new(args);
    let r = match name {
        "configuration_view" => config_view::view(ctx, &a),
        "events_list" => cluster_info::events_list(ctx, &a).await,
        "namespaces_list" => cluster_info::namespaces_list(ctx, &a).await,
        "projects_list" => cluster_info::projects_list(ctx).await,
        "nodes_log" => cluster_info::nodes_log(ctx, &a).await,
        "nodes_stats_summary" => cluster_info::nodes_stats_summary(ctx, &a).await,
        "nodes_top" => cluster_info::nodes_top(ctx, &a).await,
        "pods_list" => pods::list_all(ctx, &a).await,
        "pods_list_in_namespace" => pods::list_in_namespace(ctx, &a).await,
        "pods_get" => pods::get(ctx, &a).await,
        "pods_delete" => pods::delete(ctx, &a).await,
        "pods_log" => pod_logs::pods_log(ctx, &a).await,
        "pods_exec" => pods::exec(ctx, &a).await,
        "pods_run" => pods::run(ctx, &a).await,
        "pods_top" => pods::top(ctx, &a).await,
        "resources_list" => resources::list(ctx, &a).await,
        "resources_get" => resources::get(ctx, &a).await,
        "resources_create_or_update" => resources::create_or_update(ctx, &a).await,
        "resources_delete" => resources::delete(ctx, &a).await,
        "resources_scale" => resources::scale(ctx, &a).await,
        "tekton_pipelinerun_logs" => tekton::pipelinerun_logs(ctx, &a).await,
        "tekton_taskrun_logs" => tekton::taskrun_logs(ctx, &a).await,
        "tekton_pipelinerun_lifecycle" => tekton::pipelinerun_lifecycle(ctx, &a).await,
        "tekton_pipeline_start" => tekton::start(ctx, &a, "Pipeline").await,
        "tekton_task_start" => tekton::start(ctx, &a, "Task").await,
        "tekton_taskrun_restart" => tekton::taskrun_restart(ctx, &a).await,
        _ => return None,
    };
    Some(r)
}

/// Selectors and scope of one list call.
pub(crate) struct ListQuery<'a> {
    pub namespace: Option<&'a str>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
}

/// List a kind and render it as configured; returns text and structured items.
pub(crate) async fn list_rendered(
    ctx: &ToolCtx<'_>,
    ri: &ResourceInfo,
    q: &ListQuery<'_>,
) -> Result<(String, Value), KubeError> {
    let path = format!(
        "{}{}",
        ri.collection(q.namespace),
        crate::kube_api::query(&[
            ("labelSelector", q.label_selector.clone()),
            ("fieldSelector", q.field_selector.clone())
        ])
    );
    match ctx.list_output {
        ListOutput::Yaml => {
            let list = ctx.kube.get_json(&path).await?;
            let mut items = list["items"].as_array().cloned().unwrap_or_default();
            items.iter_mut().for_each(output::strip_managed_fields);
            Ok((
                output::list_yaml(&list),
                serde_json::json!({ "items": items }),
            ))
        }
        ListOutput::Table => {
            let text = ctx
                .kube
                .send(http::Method::GET, &path, TABLE_ACCEPT, None)
                .await?;
            let body: Value = serde_json::from_str(&text).map_err(|e| {
                KubeError::msg(format!("unexpected answer from the API server: {e}"))
            })?;
            let table = if body["kind"] == "Table" {
                Table::from_server_table(&body, &ri.api_version(), &ri.kind)
            } else {
                Table::from_plain_list(&body, &ri.api_version(), &ri.kind, jiff::Timestamp::now())
            };
            let items: Vec<Value> = table
                .rows
                .iter()
                .map(|r| {
                    Value::Object(
                        table
                            .headers
                            .iter()
                            .cloned()
                            .zip(r.iter().map(|c| Value::String(c.clone())))
                            .collect(),
                    )
                })
                .collect();
            Ok((table.render(), serde_json::json!({ "items": items })))
        }
    }
}
