//! Tool implementations and their handler table.
//!
//! Tool files (one per group, each a leaf that imports no other tool file): `cluster_info`,
//! `config_view`, `pod_logs`, `pods`, `resources`, `tekton`. [`TOOLS`] names every tool once
//! with its handler; the catalog joins each entry with its spec (see the README, "Adding a
//! tool").
//!
//! Pieces several tools share live in modules named for what they are: `apply` (server-side
//! apply with this server's field manager), `metrics_api` (the `metrics.k8s.io` reads of the
//! `top` tools), `log_scan` (log filtering and caps), `containers` (which container a call
//! means), `core_kinds` (built-in kinds without discovery), `listing` (rendered lists) and
//! `capped_read` (bounded command output).
//!
//! Each handler returns `Ok(ToolOutput)` or a [`ToolError`] whose text is the whole `isError`
//! result, in upstream's `failed to <verb> …: <reason>` form.

mod apply;
mod capped_read;
mod cluster_info;
mod config_view;
mod containers;
mod core_kinds;
mod helm;
mod listing;
mod log_scan;
mod manifests;
mod metrics_api;
mod paging;
mod pod_logs;
mod pods;
mod resources;
mod tekton;

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::args::Args;
use crate::cluster::Cluster;
use crate::config::{ListOutput, OutputLimits};
use crate::error::{ArgError, ToolError};
use crate::kube_api::Kube;

pub use log_scan::{LogFilter, LogScan, filter_log};

/// What a tool call sees: the client for the caller's identity and the server settings.
pub struct ToolContext<'a> {
    /// Client for this call's identity.
    pub kube: Kube,
    /// The configured cluster (default namespace, kubeconfig view): the one the call's
    /// `context` argument chose.
    pub cluster: &'a Cluster,
    /// Every context of the server, when it has several.
    pub contexts: Option<&'a crate::cluster::contexts::Contexts>,
    /// How lists are rendered.
    pub list_output: ListOutput,
    /// How much of a log or a command's output a call may read.
    pub limits: OutputLimits,
    /// What `helm_install` may run.
    pub helm: crate::config::HelmSettings,
}

impl ToolContext<'_> {
    /// The namespace argument, or the configured default.
    pub fn namespace(&self, arg: Option<String>) -> String {
        arg.unwrap_or_else(|| self.cluster.default_namespace().to_string())
    }

    /// The `name` (required) and `namespace` (else the default) arguments of a tool that
    /// addresses one namespaced object, read in that order.
    pub fn name_and_namespace(&self, a: &Args<'_>) -> Result<(String, String), ArgError> {
        let name = a.req_str("name")?;
        Ok((name, self.namespace(a.opt_str("namespace")?)))
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
pub type ToolResult = Result<ToolOutput, ToolError>;

/// The running call of one handler.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = ToolResult> + Send + 'a>>;

/// A tool's handler: the call's context and arguments in, the result out.
pub type ToolHandler = for<'a> fn(&'a ToolContext<'a>, &'a Args<'a>) -> ToolFuture<'a>;

/// One tool's name and handler: an entry of [`TOOLS`].
#[derive(Clone, Copy)]
pub struct ToolDef {
    /// The tool's name, as in its spec (`catalog/tools.json`).
    pub name: &'static str,
    /// Runs the tool.
    pub run: ToolHandler,
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef").field("name", &self.name).finish()
    }
}

/// A [`ToolDef`] for an `async fn(&ToolContext, &Args) -> ToolResult`.
macro_rules! tool {
    ($name:literal, $handler:expr) => {
        ToolDef {
            name: $name,
            run: |ctx, args| Box::pin($handler(ctx, args)),
        }
    };
}

/// Every tool this server implements: its name (as in its spec) and its handler. The one
/// place a tool is named in Rust; the catalog joins each entry with its spec.
pub const TOOLS: &[ToolDef] = &[
    tool!("helm_install", helm::install),
    tool!("helm_list", helm::list),
    tool!("helm_uninstall", helm::uninstall),
    tool!("configuration_contexts_list", |c, _| std::future::ready(
        config_view::contexts_list(c)
    )),
    tool!("configuration_view", |c, a| std::future::ready(
        config_view::view(c, a)
    )),
    tool!("events_list", cluster_info::events_list),
    tool!("namespaces_list", cluster_info::namespaces_list),
    tool!("projects_list", cluster_info::projects_list),
    tool!("nodes_log", cluster_info::nodes_log),
    tool!("nodes_stats_summary", cluster_info::nodes_stats_summary),
    tool!("nodes_top", cluster_info::nodes_top),
    tool!("pods_list", pods::list_all),
    tool!("pods_list_in_namespace", pods::list_in_namespace),
    tool!("pods_get", pods::get),
    tool!("pods_delete", pods::delete),
    tool!("pods_log", pod_logs::pods_log),
    tool!("pods_exec", pods::exec),
    tool!("pods_run", pods::run),
    tool!("pods_top", pods::top),
    tool!("resources_list", resources::list),
    tool!("resources_get", resources::get),
    tool!("resources_create_or_update", resources::create_or_update),
    tool!("resources_delete", resources::delete),
    tool!("resources_scale", resources::scale),
    tool!("tekton_pipelinerun_logs", tekton::pipelinerun_logs),
    tool!("tekton_taskrun_logs", tekton::taskrun_logs),
    tool!(
        "tekton_pipelinerun_lifecycle",
        tekton::pipelinerun_lifecycle
    ),
    tool!("tekton_pipeline_start", |c, a| tekton::start(
        c, a, "Pipeline"
    )),
    tool!("tekton_task_start", |c, a| tekton::start(c, a, "Task")),
    tool!("tekton_taskrun_restart", tekton::taskrun_restart),
];
