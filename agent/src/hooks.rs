//! Seams where log hygiene and deterministic analysis plug into a run.
//!
//! The agent loop calls these at fixed points: before the first LLM call (pre-analysis),
//! on every tool result before the model sees it (redaction), on the issue body before it
//! is filed (marker), and when the loop failed without an issue (fallback issue filed
//! directly through the issue tool). The defaults do nothing, so the agent works without
//! the `failure-analysis` crate; an implementation over it replaces [`NoHooks`].

use failure_analysis::issue::links::LinkPolicy;
use serde_json::Value;

use crate::error::RunError;
use crate::report::FailureReport;

/// A deterministic analysis computed before the model runs.
#[derive(Clone, Debug, Default)]
pub struct PreAnalysis {
    /// Text appended to the task prompt.
    pub context: String,
    /// Structured result returned as `analysis` in the API response.
    pub summary: Value,
}

/// An issue to file without the model.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueDraft {
    /// Issue title.
    pub title: String,
    /// Issue body (markdown).
    pub body: String,
}

/// What a run gathered: the investigation before the loop, then the log tool results.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Results of log tool calls, in order (already redacted).
    pub logs: Vec<String>,
    /// The pod as `pods_get` returned it (`None`: gone or unreadable).
    pub pod: Option<Value>,
    /// The TaskRun (from the request or the pod's `tekton.dev/taskRun` label).
    pub task_run: Option<Value>,
    /// Events of the pod (a JSON array).
    pub events: Option<Value>,
    /// The container whose log was read: `{container, requested, used_requested, note, previous}`.
    pub container: Value,
    /// What could not be read (said in the issue).
    pub unavailable: Vec<String>,
    /// Results of extra tool servers' evidence tools (already redacted); the issue names
    /// each one it used.
    pub extra: Vec<ExtraEvidence>,
}

/// One result of an extra server's evidence tool.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtraEvidence {
    /// The server's name.
    pub server: String,
    /// The tool's exposed name.
    pub tool: String,
    /// The result text (redacted, bounded).
    pub text: String,
}

/// What a model wrote for a new issue, with what the agent vets it against.
#[derive(Clone, Copy, Debug)]
pub struct ModelIssue<'a> {
    /// The title as the model wrote it.
    pub title: &'a str,
    /// The body as the model wrote it.
    pub body: &'a str,
    /// The texts the model was given as instructions (prompts without the evidence, the
    /// steering messages, the offered tools' descriptions and schemas).
    pub instructions: &'a [String],
    /// The names of the tools the model was offered.
    pub tool_names: &'a [String],
    /// The hosts links may point to.
    pub links: &'a LinkPolicy,
}

/// An open issue that already covers a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Duplicate {
    /// Its number.
    pub number: u64,
    /// Its URL, when the listing had it.
    pub url: Option<String>,
    /// The comment recording the new occurrence.
    pub comment: String,
    /// `same_run` or `same_failure`.
    pub kind: String,
}

/// Hooks called by the agent loop. All methods have do-nothing defaults.
pub trait RunHooks: Send + Sync {
    /// Analysis before the first LLM call.
    fn pre_analysis(&self, _report: &FailureReport) -> Option<PreAnalysis> {
        None
    }

    /// Analysis before the first LLM call, with what the investigation gathered. The
    /// default ignores the evidence.
    fn analyse(&self, report: &FailureReport, _evidence: &Evidence) -> Option<PreAnalysis> {
        self.pre_analysis(report)
    }

    /// The open issue (from `open_issues`, as the issue listing tool returned them) that this
    /// report duplicates, if any.
    fn duplicate(
        &self,
        _report: &FailureReport,
        _evidence: &Evidence,
        _open_issues: &[Value],
    ) -> Option<Duplicate> {
        None
    }

    /// Cuts a log tool result to what the model needs (error lines with context, the tail,
    /// a visible truncation note); called before [`RunHooks::redact`].
    fn cut_log(&self, log: String) -> String {
        log
    }

    /// Cleans a tool result (e.g. removes secrets) before the model or an issue sees it.
    fn redact(&self, text: String) -> String {
        text
    }

    /// Adjusts a model-written issue body before it is filed (e.g. sanitises it and adds a
    /// de-duplication marker). Fallback drafts are filed as the hooks rendered them.
    fn issue_body(&self, _report: &FailureReport, _evidence: &Evidence, body: String) -> String {
        body
    }

    /// Adjusts a model-written issue title before it is filed (e.g. replaces an empty or
    /// generic one by a title about the failure).
    fn issue_title(&self, _report: &FailureReport, _evidence: &Evidence, title: String) -> String {
        title
    }

    /// The issue to file from what a model wrote: vetted, completed and marked with where
    /// each part came from. The default applies [`RunHooks::issue_title`] and
    /// [`RunHooks::issue_body`]. The agent then redacts the title and limits the links of
    /// both itself, whatever the hooks did.
    fn model_issue(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        issue: ModelIssue<'_>,
    ) -> IssueDraft {
        IssueDraft {
            title: self.issue_title(report, evidence, issue.title.to_string()),
            body: self.issue_body(report, evidence, issue.body.to_string()),
        }
    }

    /// An issue to file directly when the loop ended with `error` and no issue.
    fn fallback_issue(
        &self,
        _report: &FailureReport,
        _evidence: &Evidence,
        _error: &RunError,
    ) -> Option<IssueDraft> {
        None
    }
}

/// The default hooks: no pre-analysis, no redaction, no fallback.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl RunHooks for NoHooks {}
