//! Seams where log hygiene and deterministic analysis plug into a run.
//!
//! The agent loop calls these at fixed points: before the first LLM call (pre-analysis),
//! on every tool result before the model sees it (redaction), on the issue body before it
//! is filed (marker), and when the loop failed without an issue (fallback issue filed
//! directly through the issue tool). The defaults do nothing, so the agent works without
//! the `failure-analysis` crate; an implementation over it replaces [`NoHooks`].

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

/// What a run gathered, for the fallback issue.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Results of log tool calls, in order (already redacted).
    pub logs: Vec<String>,
}

/// Hooks called by the agent loop. All methods have do-nothing defaults.
pub trait RunHooks: Send + Sync {
    /// Analysis before the first LLM call.
    fn pre_analysis(&self, _report: &FailureReport) -> Option<PreAnalysis> {
        None
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
