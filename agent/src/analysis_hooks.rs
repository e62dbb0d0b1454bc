//! [`RunHooks`] over the `failure-analysis` crate: secrets are redacted from every tool
//! result before the model or an issue sees it, a log tail sent with the report is
//! classified before the first LLM call, model-written issue bodies are sanitised and get
//! the de-duplication fingerprint marker, and when the model could not file the issue a
//! deterministic one is rendered from the logs the run gathered.

use failure_analysis::classify::TektonRefs;
use failure_analysis::issue::{render, sanitize_body};
use failure_analysis::redact::redact;
use failure_analysis::{
    AnalysisSource, Classification, FailureInput, Fingerprint, IssueContext, RenderOptions,
    classify,
};

use crate::error::RunError;
use crate::hooks::{Evidence, IssueDraft, PreAnalysis, RunHooks};
use crate::report::FailureReport;

/// The production hooks.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnalysisHooks;

fn context(report: &FailureReport) -> IssueContext {
    let refs = TektonRefs {
        pipeline_run: report.pipeline_run.clone(),
        task_run: report.task_run.clone(),
        pipeline_run_uid: report.pipeline_run_uid.clone(),
        ..Default::default()
    };
    let mut ctx = IssueContext::new(&report.namespace, Some(&report.pod_name), &refs);
    ctx.container = report.container_name.clone();
    ctx.git_revision = report.git_revision.clone();
    ctx
}

fn classify_log(report: &FailureReport, log: &str) -> Classification {
    classify(&FailureInput {
        container: report.container_name.as_deref(),
        log,
        ..Default::default()
    })
}

impl RunHooks for AnalysisHooks {
    fn pre_analysis(&self, report: &FailureReport) -> Option<PreAnalysis> {
        let log = redact(report.log_tail.as_deref()?).text;
        let classification = classify_log(report, &log);
        Some(PreAnalysis {
            context: failure_analysis::framing::frame_pre_analysis(&classification),
            summary: serde_json::to_value(&classification).unwrap_or_default(),
        })
    }

    fn redact(&self, text: String) -> String {
        redact(&text).text
    }

    fn issue_body(&self, report: &FailureReport, evidence: &Evidence, body: String) -> String {
        let log = evidence
            .logs
            .last()
            .map(String::as_str)
            .or(report.log_tail.as_deref())
            .unwrap_or_default();
        let fingerprint =
            Fingerprint::new(&context(report), &classify_log(report, &redact(log).text));
        let (clean, _) = sanitize_body(&body, RenderOptions::default().max_body_chars);
        format!("{clean}\n\n{}", fingerprint.marker())
    }

    fn fallback_issue(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        error: &RunError,
    ) -> Option<IssueDraft> {
        // Only file without the model when there is evidence to file.
        let log = evidence
            .logs
            .last()
            .cloned()
            .or_else(|| report.log_tail.as_ref().map(|l| redact(l).text))?;
        let classification = classify_log(report, &log);
        let ctx = context(report);
        let fingerprint = Fingerprint::new(&ctx, &classification);
        let reason = error.to_string();
        let issue = render(
            &failure_analysis::IssueDraft {
                analysis: &classification,
                context: &ctx,
                fingerprint: &fingerprint,
                log_excerpt: Some(&log),
                source: AnalysisSource::Fallback,
                fallback_reason: Some(&reason),
            },
            &RenderOptions::default(),
        );
        Some(IssueDraft {
            title: issue.title,
            body: issue.body,
        })
    }
}
