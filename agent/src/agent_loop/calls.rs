//! Executes the tool calls of one model turn: checks each call (known and allowed tool,
//! schema, not a repeat, issue tool used only to create), runs the valid ones on their
//! MCP servers with bounded concurrency, and turns every outcome into the text the model
//! reads next. Results keep the order of the calls.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Map, Value};

use failure_analysis::issue::links::{LinkPolicy, limit_links};
use failure_analysis::issue::vet::public_title;

use super::issue::{IssueRef, issue_ref};
use crate::arguments;
use crate::config::{PinSource, ServerRole};
use crate::hooks::{Evidence, ExtraEvidence, ModelIssue, RunHooks};
use crate::mcp::{ToolInfo, ToolRegistry};
use crate::metrics::Metrics;
use crate::prompt::{self, IssueTool};
use crate::report::FailureReport;

/// A call the model asked for, natively or in text.
pub(crate) struct PendingCall {
    pub name: String,
    /// Parsed arguments, or why they could not be parsed.
    pub arguments: Result<Value, String>,
}

/// What came of one call.
pub(crate) struct CallOutcome {
    pub name: String,
    /// Arguments as sent (or as received, when refused), for the log.
    pub arguments: Value,
    /// The tool message for the model.
    pub message: String,
    /// Set when this call created the issue.
    pub issue: Option<IssueRef>,
    /// Raw result text of a created issue.
    pub raw: String,
}

/// Everything a batch needs, borrowed from the run.
pub(crate) struct CallContext<'a> {
    pub registry: &'a ToolRegistry,
    pub tools: &'a [ToolInfo],
    pub issue_tool: &'a IssueTool,
    pub log_tool: &'a str,
    pub owner: &'a str,
    pub repo: &'a str,
    pub report: &'a FailureReport,
    pub hooks: &'a dyn RunHooks,
    pub metrics: &'a Metrics,
    pub timeout: Duration,
    pub concurrency: usize,
    /// Labels for the issue (the configured ones the repository has).
    pub labels: &'a [Value],
    /// What the model was told (prompts without the evidence, tool descriptions), to
    /// recognise it echoed in an issue.
    pub instructions: &'a [String],
    /// The names of the tools offered to the model.
    pub tool_names: &'a [String],
    /// The hosts links in the issue may point to.
    pub links: &'a LinkPolicy,
}

/// The issue-creating tools, by name: both are pinned, vetted and redacted alike, whichever
/// the agent detected as its own (`create_issue` may be offered beside `issue_write`).
pub(crate) fn issue_kind(name: &str) -> Option<IssueTool> {
    match name {
        "issue_write" => Some(IssueTool::IssueWrite),
        "create_issue" => Some(IssueTool::CreateIssue),
        _ => None,
    }
}

enum Checked {
    Ready(Map<String, Value>, String),
    Refused(Value, String),
}

pub(crate) async fn execute_batch(
    ctx: &CallContext<'_>,
    calls: Vec<PendingCall>,
    seen: &mut HashSet<String>,
    evidence: &mut Evidence,
) -> Vec<CallOutcome> {
    let mut batch_keys = HashSet::new();
    let gathered: &Evidence = evidence;
    let checked: Vec<(String, Checked)> = calls
        .into_iter()
        .map(|call| {
            let checked = check(ctx, &call, gathered);
            let checked = match checked {
                Checked::Ready(args, key)
                    if seen.contains(&key) || !batch_keys.insert(key.clone()) =>
                {
                    ctx.metrics.tool_call(&call.name, "repeated");
                    Checked::Refused(Value::Object(args), prompt::repeated_call(&call.name))
                }
                other => other,
            };
            (call.name, checked)
        })
        .collect();
    let results: Vec<_> = futures::stream::iter(checked)
        .map(|(name, checked)| async move {
            match checked {
                Checked::Ready(args, key) => {
                    let result = ctx.registry.call(&name, args.clone(), ctx.timeout).await;
                    (
                        name,
                        Value::Object(args),
                        Some((key, result)),
                        String::new(),
                    )
                }
                Checked::Refused(args, message) => (name, args, None, message),
            }
        })
        .buffered(ctx.concurrency.max(1))
        .collect()
        .await;
    results
        .into_iter()
        .map(|(name, arguments, result, refusal)| match result {
            None => CallOutcome {
                name,
                arguments,
                message: refusal,
                issue: None,
                raw: String::new(),
            },
            Some((key, result)) => {
                let call = Executed {
                    name,
                    arguments,
                    key,
                    result,
                };
                finish(ctx, call, seen, evidence)
            }
        })
        .collect()
}

/// A checked call that went to its MCP server, with what came back.
struct Executed {
    name: String,
    /// Arguments as sent.
    arguments: Value,
    /// The repeat key, remembered in `seen` once the call succeeded.
    key: String,
    result: Result<crate::mcp::ToolOutput, crate::error::McpError>,
}

/// The outcome of an executed call: the tool message for the model (output cut, redacted
/// and wrapped, or why it failed), the issue it created, the log it read as evidence.
fn finish(
    ctx: &CallContext<'_>,
    call: Executed,
    seen: &mut HashSet<String>,
    evidence: &mut Evidence,
) -> CallOutcome {
    let Executed {
        name,
        arguments,
        key,
        result,
    } = call;
    let mut outcome = CallOutcome {
        name,
        arguments,
        message: String::new(),
        issue: None,
        raw: String::new(),
    };
    match result {
        Err(e) => {
            outcome.message = prompt::tool_failed(&outcome.name, &e.to_string());
        }
        Ok(output) => {
            let text = if outcome.name == ctx.log_tool {
                ctx.hooks.cut_log(output.text)
            } else {
                output.text
            };
            let text = ctx.hooks.redact(text);
            if output.is_error {
                outcome.message = prompt::tool_failed(&outcome.name, &text);
                return outcome;
            }
            seen.insert(key);
            if let Some(tool) = ctx
                .tools
                .iter()
                .find(|t| t.name == outcome.name && t.role == ServerRole::Evidence)
            {
                evidence.extra.push(ExtraEvidence {
                    server: tool.server.clone(),
                    tool: tool.name.clone(),
                    text: text.clone(),
                });
            }
            if outcome.name == ctx.log_tool {
                evidence.logs.push(text.clone());
            }
            if issue_kind(&outcome.name).is_some() {
                outcome.issue = Some(issue_ref(&text).unwrap_or_default());
                outcome.raw = text.clone();
            }
            outcome.message = prompt::wrap_tool_output(&outcome.name, &text);
        }
    }
    outcome
}

/// Checks one call; returns the arguments to send and the repeat key, or a refusal.
fn check(ctx: &CallContext<'_>, call: &PendingCall, evidence: &Evidence) -> Checked {
    let received = call.arguments.clone().unwrap_or(Value::Null);
    let Some(tool) = ctx.tools.iter().find(|t| t.name == call.name) else {
        ctx.metrics.tool_call(&call.name, "unknown");
        let valid: Vec<&str> = ctx.tools.iter().map(|t| t.name.as_str()).collect();
        return Checked::Refused(received, prompt::unknown_tool(&call.name, &valid));
    };
    let refuse = |message: String| {
        ctx.metrics.tool_call(&call.name, "invalid_arguments");
        Checked::Refused(received.clone(), prompt::tool_error(&call.name, &message))
    };
    let mut value = match &call.arguments {
        Ok(v) => v.clone(),
        Err(e) => return refuse(format!("{e}. {}", arguments::describe(&tool.input_schema))),
    };
    // Pinned arguments are the agent's, so a model that leaves them out is not refused for
    // it (small models do): they are filled in before the schema check, and set again after.
    if let Some(map) = value.as_object_mut() {
        prefill_pinned(ctx, tool, map);
    }
    let prepared = match arguments::prepare(value, &tool.input_schema) {
        Ok(p) => p,
        Err(e) => return refuse(e),
    };
    if !prepared.repairs.is_empty() {
        tracing::info!(tool = %call.name, repairs = ?prepared.repairs, "repaired tool arguments");
    }
    let mut args = prepared.arguments;
    if let Err(message) = pin_cluster_arguments(ctx, &tool.tool, &mut args) {
        return refuse(message);
    }
    for (argument, value) in server_pins(ctx, tool) {
        args.insert(argument, value.into());
    }
    if let Some(kind) = issue_kind(&call.name) {
        if kind == IssueTool::IssueWrite
            && args.get("method").and_then(Value::as_str) != Some("create")
        {
            return refuse("this agent may only use method \"create\" of issue_write".into());
        }
        // A new issue gets only what the agent decides: a weak model forced to the tool fills
        // in every field of its schema (a due date, a milestone, `state: closed`, …).
        let dropped: Vec<String> = args
            .keys()
            .filter(|k| !ISSUE_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !dropped.is_empty() {
            tracing::info!(tool = %call.name, ?dropped, "dropped arguments a new issue does not take from the model");
            args.retain(|k, _| ISSUE_FIELDS.contains(&k.as_str()));
        }
        // The repository is fixed by configuration, whatever the model wrote.
        args.insert("owner".into(), ctx.owner.into());
        args.insert("repo".into(), ctx.repo.into());
        // Labels are the agent's: only ones the repository has (unknown names would fail).
        if kind == IssueTool::IssueWrite {
            if ctx.labels.is_empty() {
                args.remove("labels");
            } else {
                args.insert("labels".into(), ctx.labels.to_vec().into());
            }
        }
        let text = |key: &str| {
            args.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (title, body) = (text("title"), text("body"));
        let draft = ctx.hooks.model_issue(
            ctx.report,
            evidence,
            ModelIssue {
                title: &title,
                body: &body,
                instructions: ctx.instructions,
                tool_names: ctx.tool_names,
                links: ctx.links,
            },
        );
        // Whatever the hooks did: the title is redacted like the body (repositories are
        // public), and links and images go only to the allowed hosts.
        args.insert("title".into(), public_title(&draft.title, ctx.links).into());
        let body = super::evidence::name_evidence(&draft.body, evidence);
        args.insert("body".into(), public_body(&body, ctx.links).into());
    }
    let key = format!("{}:{}", call.name, canonical(&Value::Object(args.clone())));
    Checked::Ready(args, key)
}

/// A body fit to file in a public repository: secrets redacted and links limited, up to the
/// de-duplication marker (kept byte for byte).
fn public_body(body: &str, links: &LinkPolicy) -> String {
    let (text, marker) = super::evidence::split_marker(body);
    let clean = failure_analysis::redact::redact(text).text;
    format!("{}{marker}", limit_links(&clean, links))
}

/// The arguments of an issue creation the agent sends; the others the model wrote are
/// dropped.
const ISSUE_FIELDS: &[&str] = &["method", "owner", "repo", "title", "body", "labels"];

/// The arguments the agent pins whatever the model wrote, filled in where missing.
fn prefill_pinned(ctx: &CallContext<'_>, info: &ToolInfo, args: &mut Map<String, Value>) {
    let tool = info.tool.as_str();
    let mut pinned: Vec<(&str, &str)> = Vec::new();
    if let Some(kind) = issue_kind(&info.name) {
        pinned.extend([("owner", ctx.owner), ("repo", ctx.repo)]);
        // The agent completes these (hooks), so a model that leaves them out is not refused.
        pinned.extend([("title", ""), ("body", "")]);
        if kind == IssueTool::IssueWrite {
            pinned.push(("method", "create"));
        }
    }
    if PINNED_NAMESPACE.contains(&tool) {
        pinned.push(("namespace", &ctx.report.namespace));
    }
    if matches!(tool, "pods_log" | "pods_get") {
        pinned.push(("name", &ctx.report.pod_name));
    }
    for (key, value) in pinned {
        args.entry(key).or_insert_with(|| value.into());
    }
    for (argument, value) in server_pins(ctx, info) {
        args.entry(argument).or_insert_with(|| value.into());
    }
}

/// The arguments the tool's server entry pins (`pin`), for the ones its schema declares.
fn server_pins(ctx: &CallContext<'_>, info: &ToolInfo) -> Vec<(String, String)> {
    let Some(server) = ctx.registry.server(&info.server) else {
        return Vec::new();
    };
    let declared = info
        .input_schema
        .get("properties")
        .and_then(Value::as_object);
    server
        .policy
        .pin
        .iter()
        .filter(|(argument, _)| declared.is_some_and(|p| p.contains_key(argument)))
        .map(|(argument, source)| {
            let value = match source {
                PinSource::Namespace => ctx.report.namespace.clone(),
                PinSource::Pod => ctx.report.pod_name.clone(),
                PinSource::Owner => ctx.owner.to_string(),
                PinSource::Repo => ctx.repo.to_string(),
            };
            (argument.clone(), value)
        })
        .collect()
}

/// The tools whose `namespace` is the reported run's.
const PINNED_NAMESPACE: &[&str] = &[
    "pods_log",
    "pods_get",
    "events_list",
    "resources_get",
    "resources_list",
    "pods_list_in_namespace",
];

/// Cluster reads stay on the reported run: the namespace (and, for the pod tools, the pod)
/// come from the validated request whatever the model wrote, and generic resource reads are
/// limited to Tekton objects (no Secrets, whatever a log asks for).
fn pin_cluster_arguments(
    ctx: &CallContext<'_>,
    tool: &str,
    args: &mut serde_json::Map<String, Value>,
) -> Result<(), String> {
    if !PINNED_NAMESPACE.contains(&tool) {
        return Ok(());
    }
    args.insert("namespace".into(), ctx.report.namespace.clone().into());
    if matches!(tool, "pods_log" | "pods_get") {
        args.insert("name".into(), ctx.report.pod_name.clone().into());
    }
    if matches!(tool, "resources_get" | "resources_list") {
        let api = args.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if !api.starts_with("tekton.dev/") {
            return Err(
                "this agent only reads Tekton objects (apiVersion tekton.dev/v1) with this tool"
                    .into(),
            );
        }
    }
    Ok(())
}

/// JSON with object keys sorted, so equal arguments give equal keys.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<_, _> =
                    map.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
                Value::Object(ordered.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}
