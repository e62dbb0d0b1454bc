//! Prompts (`prompts/list`, `prompts/get`): guided workflows a user picks in their client.
//!
//! Two are built in, each gathering what it needs through this server's own tools with the
//! caller's identity, so the model starts from the facts: `cluster-health-check` (core
//! toolset) and `pipeline-troubleshoot` (tekton toolset). Operators add their own in the
//! config file as `[[prompts]]` (name, title, description, arguments, messages with
//! `{{argument}}` placeholders); one with a built-in's name replaces it.

use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::{Map, Value, json};

use crate::args::Args;
use crate::error::ConfigError;
use crate::tools::{TOOLS, ToolContext};

/// Most bytes of one gathered section (its end is kept: errors come last).
const SECTION_BYTES: usize = 12 * 1024;

use serve_common::prompt_templates::Speaker;
pub use serve_common::prompt_templates::{ArgumentConfig, MessageConfig, PromptConfig};

/// Check operator prompts when the config is loaded: names, roles, messages.
pub fn validate(prompts: &[PromptConfig]) -> Result<(), ConfigError> {
    serve_common::prompt_templates::validate(prompts).map_err(|reason| ConfigError::Invalid {
        field: "prompts",
        reason,
    })
}

fn role(s: Speaker) -> Role {
    match s {
        Speaker::User => Role::User,
        Speaker::Assistant => Role::Assistant,
    }
}

/// Why `prompts/get` cannot answer: the JSON-RPC invalid-params error's message.
#[derive(Debug, PartialEq)]
pub struct PromptError(pub String);

/// The prompts one server offers.
#[derive(Debug, Clone, Default)]
pub struct Prompts {
    custom: Vec<PromptConfig>,
    builtin: Vec<&'static str>,
    context_default: Option<String>,
}

impl Prompts {
    /// The built-ins whose toolset is enabled, then the operator's (replacing a built-in of
    /// the same name). `context_default` is set when tools take a `context` argument.
    pub fn new(
        toolsets: &[String],
        custom: &[PromptConfig],
        context_default: Option<String>,
    ) -> Self {
        let mut builtin = Vec::new();
        if toolsets.iter().any(|t| t == "core") {
            builtin.push(HEALTH);
        }
        if toolsets.iter().any(|t| t == "tekton") {
            builtin.push(PIPELINE);
        }
        builtin.retain(|b| !custom.iter().any(|c| c.name == *b));
        Self {
            custom: custom.to_vec(),
            builtin,
            context_default,
        }
    }

    /// What `prompts/list` shows.
    pub fn list(&self) -> Vec<Prompt> {
        let mut out: Vec<Prompt> = self
            .builtin
            .iter()
            .map(|b| builtin_spec(b, self.context_default.as_deref()))
            .collect();
        out.extend(self.custom.iter().map(|c| {
            let args = c
                .arguments
                .iter()
                .map(|a| {
                    let mut arg = PromptArgument::new(&a.name).with_required(a.required);
                    if let Some(d) = &a.description {
                        arg = arg.with_description(d);
                    }
                    arg
                })
                .collect();
            let mut p = Prompt::new(&c.name, c.description.clone(), Some(args));
            if let Some(t) = &c.title {
                p = p.with_title(t);
            }
            p
        }));
        out
    }

    /// Whether a prompt of that name is offered.
    pub fn has(&self, name: &str) -> bool {
        self.builtin.contains(&name) || self.custom.iter().any(|c| c.name == name)
    }

    /// `prompts/get`: the operator's template filled in, or a built-in's gathered report.
    pub async fn get(
        &self,
        name: &str,
        args: &Map<String, Value>,
        ctx: &ToolContext<'_>,
    ) -> Result<GetPromptResult, PromptError> {
        if let Some(c) = self.custom.iter().find(|c| c.name == name) {
            return fill(c, args);
        }
        match name {
            n if n == HEALTH && self.builtin.contains(&HEALTH) => health(args, ctx).await,
            n if n == PIPELINE && self.builtin.contains(&PIPELINE) => pipeline(args, ctx).await,
            _ => Err(PromptError(format!("unknown prompt {name:?}"))),
        }
    }
}

const HEALTH: &str = "cluster-health-check";
const PIPELINE: &str = "pipeline-troubleshoot";

fn builtin_spec(name: &str, context_default: Option<&str>) -> Prompt {
    let (title, description, mut args) = if name == HEALTH {
        (
            "Cluster health check",
            "Check the health of the cluster or one namespace: pods that are failing or waiting, and recent warning events, gathered with your identity, then assessed.",
            vec![
                PromptArgument::new("namespace").with_description(
                    "Only this namespace (all namespaces the caller can list when omitted)",
                ),
                PromptArgument::new("check_events")
                    .with_description("\"false\" to skip warning events (default \"true\")"),
            ],
        )
    } else {
        (
            "Troubleshoot a PipelineRun",
            "Find why a Tekton PipelineRun failed: its status, the logs of its steps and its events are gathered, then the failed task and step, the error and a fix are asked for.",
            vec![
                PromptArgument::new("name")
                    .with_description("The PipelineRun")
                    .with_required(true),
                PromptArgument::new("namespace")
                    .with_description("Its namespace (the default namespace when omitted)"),
            ],
        )
    };
    if let Some(d) = context_default {
        args.push(PromptArgument::new("context").with_description(format!(
            "Kubeconfig context to gather from ({d} when omitted)"
        )));
    }
    Prompt::new(name, Some(description), Some(args)).with_title(title)
}

/// An operator's prompt filled in; a required argument that is missing is named.
fn fill(c: &PromptConfig, args: &Map<String, Value>) -> Result<GetPromptResult, PromptError> {
    let messages = serve_common::prompt_templates::fill(c, |n| args.get(n).and_then(Value::as_str))
        .map_err(PromptError)?
        .into_iter()
        .map(|(who, text)| PromptMessage::new_text(role(who), text))
        .collect();
    let mut r = GetPromptResult::new(messages);
    if let Some(d) = &c.description {
        r = r.with_description(d);
    }
    Ok(r)
}

/// Run one of this server's tools for a prompt; its text, or what went wrong, as a section.
async fn section(ctx: &ToolContext<'_>, heading: &str, tool: &str, args: Value) -> String {
    let Some(def) = TOOLS.iter().find(|d| d.name == tool) else {
        return format!("## {heading}\n\n(tool {tool} is not available)\n");
    };
    let map = args.as_object().cloned().unwrap_or_default();
    let text = match (def.run)(ctx, &Args::new(&map)).await {
        Ok(out) => out.text,
        Err(e) => format!("could not be read: {e}"),
    };
    format!(
        "## {heading}\n\n```\n{}\n```\n",
        keep_end(&text, SECTION_BYTES)
    )
}

fn keep_end(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.trim_end().to_string();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[… {start} bytes cut …]\n{}", text[start..].trim_end())
}

fn arg(args: &Map<String, Value>, name: &str) -> Result<Option<String>, PromptError> {
    Args::new(args)
        .opt_str(name)
        .map_err(|e| PromptError(e.to_string()))
}

async fn health(
    args: &Map<String, Value>,
    ctx: &ToolContext<'_>,
) -> Result<GetPromptResult, PromptError> {
    let ns = arg(args, "namespace")?;
    let events = arg(args, "check_events")?.is_none_or(|v| v != "false");
    let scope = ns
        .as_deref()
        .map(|n| format!("namespace {n}"))
        .unwrap_or_else(|| "the cluster".into());
    let (tool, mut base) = match &ns {
        Some(n) => ("pods_list_in_namespace", json!({"namespace": n})),
        None => ("pods_list", json!({})),
    };
    let mut report = format!("# Health of {scope}\n\n");
    base["summary"] = json!(true);
    report.push_str(&section(ctx, "Pods by phase and reason", tool, base.clone()).await);
    base.as_object_mut().map(|m| m.remove("summary"));
    base["fieldSelector"] = json!("status.phase!=Running,status.phase!=Succeeded");
    report.push_str(&section(ctx, "Pods not running", tool, base).await);
    if events {
        let mut e = json!({"fieldSelector": "type=Warning", "limit": 20});
        if let Some(n) = &ns {
            e["namespace"] = json!(n);
        }
        report.push_str(&section(ctx, "Warning events (up to 20)", "events_list", e).await);
    }
    report.push_str("\nAssess the health of ");
    report.push_str(&scope);
    report.push_str(" from the facts above: list each problem with the objects it affects and its likely cause, most severe first, and say what to check or change next. Use the tools for anything the facts do not show.\n");
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, report)])
            .with_description(format!("Health check of {scope}")),
    )
}

async fn pipeline(
    args: &Map<String, Value>,
    ctx: &ToolContext<'_>,
) -> Result<GetPromptResult, PromptError> {
    let name =
        arg(args, "name")?.ok_or_else(|| PromptError("argument \"name\" is required".into()))?;
    let ns = ctx.namespace(arg(args, "namespace")?);
    let mut report = format!("# PipelineRun {name} in namespace {ns}\n\n");
    report.push_str(
        &section(
            ctx,
            "The PipelineRun",
            "resources_get",
            json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "name": name, "namespace": ns}),
        )
        .await,
    );
    report.push_str(
        &section(
            ctx,
            "Step logs (last lines)",
            "tekton_pipelinerun_logs",
            json!({"name": name, "namespace": ns, "tail": 40}),
        )
        .await,
    );
    report.push_str(
        &section(
            ctx,
            "Events of the namespace",
            "events_list",
            json!({"namespace": ns, "fieldSelector": "type=Warning", "limit": 20}),
        )
        .await,
    );
    report.push_str("\nFrom the facts above, name the TaskRun and step that failed first, quote the error line, explain the cause in one or two sentences, and propose a concrete fix (the file or setting to change). Say what the facts do not show rather than guessing.\n");
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, report)])
            .with_description(format!("Troubleshooting PipelineRun {name}")),
    )
}

#[cfg(test)]
mod tests;
