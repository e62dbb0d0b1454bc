//! The agent loop: prompt, LLM turn, tool calls, until the issue exists.
//!
//! Native `tool_calls` are used first; a call written as text is recovered by
//! [`crate::text_calls`]. The run ends as soon as the issue tool succeeded, on either path.
//! At most `max_iterations` LLM calls are made, the last one without tools, and the whole
//! run is bounded by a deadline. When the loop fails, a fallback issue from the hooks
//! may still be filed directly. A call the model copies out of a tool result or log is
//! refused ([`quoted`]).

mod budget;
mod calls;
mod instructions;
mod issue;
mod labels;
mod offer;
mod quoted;
mod settings;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use self::calls::CallContext;
pub use self::issue::{IssueRef, issue_ref};
pub use self::settings::LoopSettings;
use crate::error::RunError;
use crate::hooks::{Evidence, RunHooks};
use crate::llm::LlmClient;
use crate::mcp::{ToolInfo, ToolRegistry};
use crate::metrics::Metrics;
use crate::prompt::{self, IssueTool, PromptInput};
use crate::report::FailureReport;

mod dedup;
mod evidence;
mod fallback;
mod investigate;
mod logging;
mod own_call;
mod turn;

/// A successful run.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// Human-readable result (`Issue created: …`).
    pub result: String,
    /// The issue's URL, when the tool result had it.
    pub issue_url: Option<String>,
    /// The issue's number, when the tool result had it.
    pub issue_number: Option<u64>,
    /// LLM iterations used.
    pub iterations: u32,
    /// The pre-analysis summary (`null` without one).
    pub analysis: Value,
    /// The issue was filed by the fallback, not by the model.
    pub fallback: bool,
}

/// The agent: owns the clients, runs one loop per report.
pub struct Agent {
    pub(crate) registry: Arc<ToolRegistry>,
    pub(crate) llm: LlmClient,
    pub(crate) hooks: Arc<dyn RunHooks>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) settings: LoopSettings,
    /// The Gitea login the agent files as, once `get_me` told it (see `dedup`).
    pub(crate) own_login: tokio::sync::OnceCell<String>,
}

/// What an [`Agent`] is made of, named so the call site reads.
pub struct AgentParts {
    /// The supervised MCP sessions and their tools.
    pub registry: Arc<ToolRegistry>,
    /// The chat client.
    pub llm: LlmClient,
    /// Pre-analysis, redaction and fallback seams.
    pub hooks: Arc<dyn RunHooks>,
    /// Where runs, tool calls and tokens are counted.
    pub metrics: Arc<Metrics>,
    /// Loop limits and issue settings.
    pub settings: LoopSettings,
}

struct Run<'a> {
    report: &'a FailureReport,
    deadline: Instant,
    messages: Vec<Value>,
    seen: HashSet<String>,
    evidence: Evidence,
    analysis: Value,
    iteration: u32,
    /// Labels for the issue (those of `issue_labels` the repository has).
    labels: Vec<Value>,
    /// Prose or cut-off answers in a row (no tool call, native or written): a model that
    /// ignores the nudges will not file, so the run stops early and the fallback files.
    prose_streak: u32,
    /// The last answer had no tool call: the next call forces the issue tool.
    force_issue_tool: bool,
    /// The endpoint rejected `tool_choice` once; it is not sent again in this run.
    tool_choice_refused: bool,
    /// Tool calls quoted in the untrusted data the model was given (never executed).
    quoted: quoted::QuotedCalls,
}

/// Prose answers in a row after which the model is given up on (the first answer plus two
/// ignored nudges). A small local model repeats its prose forever, one slow call each.
const MAX_PROSE_TURNS: u32 = 3;

impl Agent {
    /// An agent over its parts.
    pub fn new(parts: AgentParts) -> Self {
        let AgentParts {
            registry,
            llm,
            hooks,
            metrics,
            settings,
        } = parts;
        Self {
            registry,
            llm,
            hooks,
            metrics,
            settings,
            own_login: tokio::sync::OnceCell::new(),
        }
    }

    /// The tool registry.
    pub fn registry(&self) -> &Arc<ToolRegistry> {
        &self.registry
    }

    /// The metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Handles one report: returns the created issue or why none was created.
    pub async fn run(&self, report: &FailureReport) -> Result<RunOutcome, RunError> {
        let _in_flight = self.metrics.run_started();
        let deadline = Instant::now() + self.settings.run_deadline;
        let mut run = Run {
            report,
            deadline,
            messages: Vec::new(),
            seen: HashSet::new(),
            evidence: Evidence::default(),
            analysis: Value::Null,
            iteration: 0,
            labels: Vec::new(),
            prose_streak: 0,
            force_issue_tool: false,
            tool_choice_refused: false,
            quoted: quoted::QuotedCalls::default(),
        };
        let result = match tokio::time::timeout_at(deadline, self.run_loop(&mut run)).await {
            Ok(result) => result,
            Err(_) => Err(RunError::Deadline(self.settings.run_deadline)),
        };
        // A call cut short by the deadline reports its own timeout; it is the deadline.
        let result = match result {
            Err(RunError::Llm(_)) if Instant::now() + Duration::from_millis(50) >= deadline => {
                Err(RunError::Deadline(self.settings.run_deadline))
            }
            other => other,
        };
        // Never silent: the fallback issue is filed on every failure, the deadline included
        // (it gets a short grace of its own, see `fallback`).
        let result = match result {
            Err(error) => self.fallback(&run, error).await,
            ok => ok,
        };
        let outcome = match &result {
            Ok(o) if o.fallback => "fallback_issue",
            Ok(_) => "issue_created",
            Err(e) => e.kind(),
        };
        self.metrics.run_finished(outcome, run.iteration);
        result
    }

    async fn run_loop(&self, run: &mut Run<'_>) -> Result<RunOutcome, RunError> {
        let tools = self.registry.tools();
        if tools.is_empty() {
            return Err(RunError::NoTools);
        }
        let issue_tool = detect_issue_tool(&tools).ok_or(RunError::NoIssueTool)?;
        self.investigate(run).await;
        self.gather_extra(run).await;
        let pre = self.hooks.analyse(run.report, &run.evidence);
        run.analysis = pre
            .as_ref()
            .map(|p| p.summary.clone())
            .unwrap_or(Value::Null);
        let input = PromptInput {
            report: run.report,
            owner: &self.settings.owner,
            repo: &self.settings.repo,
            issue_tool: &issue_tool,
            log_tool: "pods_log",
            pre_analysis: pre.as_ref(),
        };
        if let Some(done) = self.deduplicate(run, &issue_tool).await {
            return Ok(done);
        }
        run.labels = self.issue_labels().await;
        let labels = run.labels.clone();
        let task = prompt::task_prompt(&input);
        let log_tail = run.report.log_tail.as_deref().map(prompt::framed_log_tail);
        self.record_quoted(run, log_tail);
        self.record_quoted(run, pre.as_ref().map(|p| p.context.clone()));
        logging::run_start(&self.settings, self.llm.model(), &task, &tools);
        run.messages = vec![
            json!({"role": "system", "content": prompt::system_prompt()}),
            json!({"role": "user", "content": task}),
        ];
        if let Some(extra) = evidence::extra_message(&run.evidence) {
            self.record_quoted(run, Some(extra.clone()));
            run.messages.push(json!({"role": "user", "content": extra}));
        }
        let offered_all: Vec<Value> = tools
            .iter()
            .filter(|t| t.visible)
            .map(|t| offer::offered(t, &issue_tool))
            .collect();
        let told = instructions::texts(&issue_tool, &offered_all);
        let tool_names = instructions::tool_names(&offered_all);
        let max = self.settings.max_iterations;
        for iteration in 1..=max {
            run.iteration = iteration;
            let tools: Vec<ToolInfo> = self
                .registry
                .tools()
                .into_iter()
                .filter(|t| t.visible)
                .collect();
            let last = iteration == max;
            let offered: Vec<Value> = if last {
                Vec::new()
            } else {
                tools
                    .iter()
                    .map(|t| offer::offered(t, &issue_tool))
                    .collect()
            };
            if last && max > 1 {
                run.messages
                    .push(json!({"role": "user", "content": prompt::final_iteration()}));
            }
            let started = std::time::Instant::now();
            let sent = budget::fit_conversation(
                self.settings.context_window_tokens,
                &run.messages,
                &offered,
            );
            let choice = self.tool_choice(run, &issue_tool, &offered);
            run.force_issue_tool = false;
            let turn = self
                .llm
                .chat_with_choice(&sent, &offered, choice.as_ref(), run.deadline)
                .await?;
            if turn.tool_choice_refused {
                run.tool_choice_refused = true;
            }
            self.metrics.llm_call(
                started.elapsed().as_secs_f64(),
                turn.prompt_tokens,
                turn.completion_tokens,
            );
            logging::turn(iteration, max, &turn);
            let ctx = CallContext {
                registry: &self.registry,
                tools: &tools,
                issue_tool: &issue_tool,
                log_tool: "pods_log",
                owner: &self.settings.owner,
                repo: &self.settings.repo,
                report: run.report,
                hooks: self.hooks.as_ref(),
                metrics: &self.metrics,
                timeout: self.settings.tool_timeout,
                concurrency: self.settings.tool_concurrency,
                labels: &labels,
                instructions: &told,
                tool_names: &tool_names,
                links: &self.settings.links,
            };
            if let Some(outcome) = self.step(run, &ctx, turn, last).await? {
                return Ok(outcome);
            }
        }
        Err(RunError::MaxIterations(max))
    }

    /// The `tool_choice` of the next call: the issue tool, forced in the OpenAI form, when
    /// the last answer had no tool call (a weak model that always picks prose under
    /// `auto` is then constrained to a call the guardrails check); none otherwise.
    fn tool_choice(
        &self,
        run: &Run<'_>,
        issue_tool: &IssueTool,
        offered: &[Value],
    ) -> Option<Value> {
        let forced = self.settings.force_issue_tool
            && run.force_issue_tool
            && !run.tool_choice_refused
            && offered
                .iter()
                .any(|t| t["function"]["name"] == issue_tool.name());
        forced.then(|| json!({"type": "function", "function": {"name": issue_tool.name()}}))
    }
}

/// The issue tool by capability, whichever server offers it: current `issue_write`, else
/// legacy `create_issue` (under its own name: a namespaced one belongs to a later server).
pub fn detect_issue_tool(tools: &[ToolInfo]) -> Option<IssueTool> {
    let has = |name: &str| tools.iter().any(|t| t.name == name && t.tool == name);
    if has("issue_write") {
        Some(IssueTool::IssueWrite)
    } else if has("create_issue") {
        Some(IssueTool::CreateIssue)
    } else {
        None
    }
}

/// The analysis summary with `source` (`llm` or `fallback`): who wrote the issue.
pub(crate) fn with_source(analysis: &Value, source: &str) -> Value {
    let mut analysis = match analysis {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    analysis.insert("source".into(), source.into());
    Value::Object(analysis)
}

pub(crate) fn preview(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
