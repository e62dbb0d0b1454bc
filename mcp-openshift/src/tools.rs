//! Tool implementations and their handler table.
//!
//! Tool files (one per group, each a leaf that imports no other tool file): `cluster_info`,
//! `config_view`, `pod_logs`, `pods`, `resources`, `tekton`. Each exports `TOOLS`, its
//! [`ToolDef`]s (name and handler); [`handlers`] joins the groups and the catalog joins each
//! handler with its spec, so a tool is named once in Rust (see the README, "Adding a tool").
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
mod listing;
mod log_scan;
mod metrics_api;
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
    /// The configured cluster (default namespace, kubeconfig view).
    pub cluster: &'a Cluster,
    /// How lists are rendered.
    pub list_output: ListOutput,
    /// How much of a log or a command's output a call may read.
    pub limits: OutputLimits,
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

/// One tool's name and handler, as a tool file declares it in its `TOOLS` table.
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

/// Every tool this server implements, group by group.
pub fn handlers() -> impl Iterator<Item = &'static ToolDef> {
    [
        config_view::TOOLS,
        cluster_info::TOOLS,
        pods::TOOLS,
        pod_logs::TOOLS,
        resources::TOOLS,
        tekton::TOOLS,
    ]
    .into_iter()
    .flatten()
}

/// A [`ToolDef`] for an `async fn(&ToolContext, &Args) -> ToolResult`.
macro_rules! tool {
    ($name:literal, $handler:expr) => {
        $crate::tools::ToolDef {
            name: $name,
            run: |ctx, args| Box::pin($handler(ctx, args)),
        }
    };
}
pub(crate) use tool;
