//! The fallback: when the loop failed (LLM down, budget spent, model never filed the issue),
//! the hooks may supply an issue draft, which is filed directly through the issue tool.

use serde_json::Map;
use std::time::Duration;

use tokio::time::Instant;

use super::issue::issue_ref;
use super::{Agent, Run, RunOutcome, detect_issue_tool};
use crate::error::RunError;
use crate::prompt::{self, IssueTool};

/// Time the fallback issue may take when the run deadline has already passed.
const FALLBACK_GRACE: Duration = Duration::from_secs(10);

impl Agent {
    /// Files the hooks' fallback issue for `error`, or returns `error` when there is none
    /// or filing it failed too.
    pub(super) async fn fallback(
        &self,
        run: &Run<'_>,
        error: RunError,
    ) -> Result<RunOutcome, RunError> {
        let Some(draft) = self.hooks.fallback_issue(run.report, &run.evidence, &error) else {
            return Err(error);
        };
        let Some(issue_tool) = detect_issue_tool(&self.registry.tools()) else {
            return Err(error);
        };
        let mut args = Map::new();
        if issue_tool == IssueTool::IssueWrite {
            args.insert("method".into(), "create".into());
        }
        args.insert("owner".into(), self.settings.owner.clone().into());
        args.insert("repo".into(), self.settings.repo.clone().into());
        args.insert("title".into(), draft.title.into());
        let body = super::evidence::name_evidence(&draft.body, &run.evidence);
        args.insert("body".into(), body.into());
        if issue_tool == IssueTool::IssueWrite && !run.labels.is_empty() {
            args.insert("labels".into(), run.labels.clone().into());
        }
        // After the run deadline the issue still gets a short window of its own.
        let remaining = run.deadline.saturating_duration_since(Instant::now());
        let timeout = self
            .settings
            .tool_timeout
            .min(remaining.max(FALLBACK_GRACE));
        match self.registry.call(issue_tool.name(), args, timeout).await {
            Ok(output) if !output.is_error => {
                tracing::warn!(error = %error, "model run failed; filed the fallback issue");
                let issue = issue_ref(&output.text).unwrap_or_default();
                Ok(RunOutcome {
                    result: prompt::success_result(
                        issue.url.as_deref(),
                        issue.number,
                        &output.text,
                    ),
                    issue_url: issue.url,
                    issue_number: issue.number,
                    iterations: run.iteration,
                    analysis: super::with_source(&run.analysis, "fallback"),
                    fallback: true,
                })
            }
            Ok(output) => {
                tracing::error!(result = %failure_analysis::redact::redact(&output.text).text, "fallback issue was refused");
                Err(error)
            }
            Err(e) => {
                tracing::error!(error = %e, "fallback issue could not be filed");
                Err(error)
            }
        }
    }
}
