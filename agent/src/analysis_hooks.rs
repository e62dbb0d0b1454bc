//! [`RunHooks`] over the `failure-analysis` crate: secrets are redacted from every tool
//! result before the model or an issue sees it, a log tail sent with the report is
//! classified before the first LLM call, model-written issue bodies are sanitised and get
//! the de-duplication fingerprint marker (the lab guide's sections a weak model left out,
//! and a title about the failure, are completed from the pre-analysis), and when the model could not file the issue a
//! deterministic one is rendered from the logs the run gathered. With the evidence of the
//! investigation (pod, TaskRun, events, the validated container), the classification uses
//! the statuses too, the issue names the run, and open issues with the same marker are found.

use std::time::Duration;

use failure_analysis::classify::{TektonRefs, pod_from_task_run, tekton_refs};
use failure_analysis::issue::required::{required_facts, title_with_headline};
use failure_analysis::issue::vet::{Problem, Reference, steps_and_exit_codes, vet_body, vet_title};
use failure_analysis::issue::{
    DuplicateKind, occurrence_comment, render, sanitize_body, title as rendered_title,
};
use failure_analysis::log_hygiene::{ExcerptOptions, excerpt};
use failure_analysis::redact::redact;
use failure_analysis::{
    AnalysisSource, Classification, FailureInput, Fingerprint, IssueContext, RenderOptions,
    classify,
};
use serde_json::Value;

use crate::error::RunError;
use crate::hooks::{Duplicate, Evidence, IssueDraft, ModelIssue, PreAnalysis, RunHooks};
use crate::report::FailureReport;

mod completion;

/// Another run with the same failure is a duplicate only while the issue is this recent.
pub const SAME_FAILURE_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The production hooks.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnalysisHooks;

fn container_used(report: &FailureReport, evidence: &Evidence) -> Option<String> {
    evidence.container["container"]
        .as_str()
        .map(String::from)
        .or_else(|| report.container_name.clone())
}

fn context(report: &FailureReport, evidence: &Evidence) -> IssueContext {
    let shape = evidence
        .pod
        .clone()
        .or_else(|| evidence.task_run.as_ref().map(pod_from_task_run));
    let mut refs = shape.as_ref().map(tekton_refs).unwrap_or_default();
    if refs.pipeline_run.is_none() {
        refs.pipeline_run = report.pipeline_run.clone();
    }
    if refs.task_run.is_none() {
        refs.task_run = report.task_run.clone();
    }
    refs.pipeline_run_uid = report
        .pipeline_run_uid
        .clone()
        .or_else(|| {
            evidence
                .task_run
                .as_ref()
                .and_then(|t| tekton_refs(t).pipeline_run_uid)
        })
        .or(refs.pipeline_run_uid);
    let mut ctx = IssueContext::new(
        &report.namespace,
        Some(&report.pod_name),
        &TektonRefs { ..refs },
    );
    ctx.container = container_used(report, evidence);
    ctx.git_revision = report.git_revision.clone();
    ctx.unavailable = evidence.unavailable.clone();
    if let Some(note) = evidence.container["note"].as_str() {
        ctx.notes.push(note.to_string());
    }
    ctx
}

/// The log the run read (the investigation's first), else the report's `log_tail`; cut to
/// its excerpt and redacted.
fn gathered_log(report: &FailureReport, evidence: &Evidence) -> Option<String> {
    let raw = evidence
        .logs
        .first()
        .cloned()
        .or_else(|| report.log_tail.clone())?;
    Some(redact(&excerpt(&raw, &ExcerptOptions::default()).text).text)
}

fn classify_run(report: &FailureReport, evidence: &Evidence, log: &str) -> Classification {
    let container = container_used(report, evidence);
    classify(&FailureInput {
        pod: evidence.pod.as_ref(),
        task_run: evidence.task_run.as_ref(),
        container: container.as_deref(),
        events: evidence.events.as_ref(),
        log,
    })
}

fn analysed(
    report: &FailureReport,
    evidence: &Evidence,
) -> (Classification, IssueContext, Option<String>) {
    let log = gathered_log(report, evidence);
    let classification = classify_run(report, evidence, log.as_deref().unwrap_or_default());
    (classification, context(report, evidence), log)
}

fn recent(issue: &Value, window: Duration) -> bool {
    let Some(at) = issue["updated_at"]
        .as_str()
        .or(issue["created_at"].as_str())
    else {
        return true;
    };
    match at.parse::<jiff::Timestamp>() {
        Ok(at) => jiff::Timestamp::now().duration_since(at).unsigned_abs() <= window,
        Err(_) => true,
    }
}

impl RunHooks for AnalysisHooks {
    fn pre_analysis(&self, report: &FailureReport) -> Option<PreAnalysis> {
        self.analyse(report, &Evidence::default())
    }

    fn analyse(&self, report: &FailureReport, evidence: &Evidence) -> Option<PreAnalysis> {
        if evidence.pod.is_none()
            && evidence.task_run.is_none()
            && gathered_log(report, evidence).is_none()
        {
            return None;
        }
        let (classification, ctx, _) = analysed(report, evidence);
        let mut context = failure_analysis::framing::frame_pre_analysis(&classification);
        for note in ctx
            .notes
            .iter()
            .chain(ctx.unavailable.iter().map(|u| u as &String))
        {
            context.push_str(&format!("\nNote: {note}"));
        }
        let mut summary = serde_json::to_value(&classification).unwrap_or_default();
        if let Value::Object(map) = &mut summary {
            if !evidence.container.is_null() {
                map.insert("container".into(), evidence.container.clone());
            }
            if !evidence.unavailable.is_empty() {
                map.insert("unavailable".into(), evidence.unavailable.clone().into());
            }
        }
        Some(PreAnalysis { context, summary })
    }

    fn duplicate(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        open: &[Value],
    ) -> Option<Duplicate> {
        let (classification, ctx, _) = analysed(report, evidence);
        let mine = Fingerprint::new(&ctx, &classification);
        let (issue, kind) = open
            .iter()
            .filter(|i| i["state"].as_str().is_none_or(|s| s == "open"))
            .filter_map(|i| {
                let theirs = Fingerprint::parse(i["body"].as_str()?)?;
                match mine.duplicate_of(&theirs)? {
                    DuplicateKind::SameFailure if !recent(i, SAME_FAILURE_WINDOW) => None,
                    kind => Some((i, kind)),
                }
            })
            .min_by_key(|(i, kind)| (*kind != DuplicateKind::SameRun, i["number"].as_u64()))?;
        Some(Duplicate {
            number: issue["number"].as_u64().or(issue["index"].as_u64())?,
            url: issue["html_url"].as_str().map(String::from),
            comment: occurrence_comment(&ctx, kind),
            kind: serde_json::to_value(kind).ok()?.as_str()?.to_string(),
        })
    }

    fn cut_log(&self, log: String) -> String {
        let opts = ExcerptOptions {
            tail_lines: 200,
            ..ExcerptOptions::default()
        };
        excerpt(&log, &opts).text
    }

    fn redact(&self, text: String) -> String {
        redact(&text).text
    }

    fn issue_body(&self, report: &FailureReport, evidence: &Evidence, body: String) -> String {
        let (classification, ctx, log) = analysed(report, evidence);
        let fingerprint = Fingerprint::new(&ctx, &classification);
        let max = RenderOptions::default().max_body_chars;
        let (clean, _) = sanitize_body(&redact(&body).text, max);
        // The sections the model left out, from the same rendering as the fallback issue
        // (given the room the model's text left).
        let opts = RenderOptions {
            max_body_chars: max.saturating_sub(clean.chars().count()).max(6_000),
            ..RenderOptions::default()
        };
        let rendered = render(
            &failure_analysis::IssueDraft {
                analysis: &classification,
                context: &ctx,
                fingerprint: &fingerprint,
                log_excerpt: log.as_deref(),
                source: AnalysisSource::Llm,
                fallback_reason: None,
            },
            &opts,
        );
        let clean = completion::complete_body(&clean, &rendered.body);
        let mut unread = String::new();
        if !ctx.unavailable.is_empty() {
            unread = format!(
                "\n\n_Could not be read when this issue was filed: {}._",
                ctx.unavailable.join("; ")
            );
        }
        format!("{clean}{unread}\n\n{}", fingerprint.marker())
    }

    fn issue_title(&self, report: &FailureReport, evidence: &Evidence, title: String) -> String {
        if !completion::is_generic_title(&title) {
            return title;
        }
        let (classification, ctx, _) = analysed(report, evidence);
        completion::specific_title(
            &title,
            &rendered_title(&classification, &ctx, &RenderOptions::default()),
        )
    }

    fn model_issue(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        issue: ModelIssue<'_>,
    ) -> IssueDraft {
        let (classification, ctx, log) = analysed(report, evidence);
        let shape = evidence
            .pod
            .clone()
            .or_else(|| evidence.task_run.as_ref().map(pod_from_task_run))
            .unwrap_or(Value::Null);
        let container = container_used(report, evidence);
        let (steps, exit_codes) = steps_and_exit_codes(&shape, container.as_deref());
        let reference = Reference {
            analysis: &classification,
            log: log.as_deref(),
            steps: &steps,
            exit_codes: &exit_codes,
            instructions: issue.instructions,
            tool_names: issue.tool_names,
        };
        let opts = RenderOptions::default();
        let vetted_title = vet_title(issue.title, &reference, issue.links);
        let generic = Problem::NoFact;
        let title_problem = vetted_title
            .problem
            .clone()
            .or_else(|| completion::is_generic_title(&vetted_title.text).then_some(generic));
        let title = match &title_problem {
            None => vetted_title.text,
            // The model's words stay; the headline names what they left out.
            Some(Problem::MissingFacts(_)) => {
                tracing::info!("added the pre-analysis headline to the model's issue title");
                title_with_headline(
                    &vetted_title.text,
                    &classification.headline,
                    opts.max_title_chars,
                )
            }
            Some(why) => {
                // The model's title is not logged (model output); why it went is.
                tracing::info!(reason = %why.describe(), "replaced the model's issue title by the pre-analysis one");
                rendered_title(&classification, &ctx, &opts)
            }
        };
        let vetted = vet_body(issue.body, &reference);
        if !vetted.dropped.is_empty() || !vetted.contradictions.is_empty() {
            tracing::info!(
                dropped = vetted.dropped.len(),
                contradictions = vetted.contradictions.len(),
                "vetted the model's issue body against the pre-analysis"
            );
        }
        let fingerprint = Fingerprint::new(&ctx, &classification);
        let max = opts.max_body_chars;
        let (clean, _) = sanitize_body(&redact(&vetted.text).text, max);
        let rendered = render(
            &failure_analysis::IssueDraft {
                analysis: &classification,
                context: &ctx,
                fingerprint: &fingerprint,
                log_excerpt: log.as_deref(),
                source: AnalysisSource::Llm,
                fallback_reason: None,
            },
            &RenderOptions {
                max_body_chars: max.saturating_sub(clean.chars().count()).max(6_000),
                ..RenderOptions::default()
            },
        );
        let body = completion::compose(
            &clean,
            &rendered.body,
            &completion::Provenance {
                title: title_problem.as_ref(),
                dropped: &vetted.dropped,
                contradicted: !vetted.contradictions.is_empty(),
                facts: &required_facts(&classification, log.as_deref()).body,
            },
        );
        let mut unread = String::new();
        if !ctx.unavailable.is_empty() {
            unread = format!(
                "\n\n_Could not be read when this issue was filed: {}._",
                ctx.unavailable.join("; ")
            );
        }
        IssueDraft {
            title,
            body: format!("{body}{unread}\n\n{}", fingerprint.marker()),
        }
    }

    fn fallback_issue(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        error: &RunError,
    ) -> Option<IssueDraft> {
        // Only file without the model when there is something to file.
        if evidence.pod.is_none()
            && evidence.task_run.is_none()
            && gathered_log(report, evidence).is_none()
        {
            return None;
        }
        let (classification, ctx, log) = analysed(report, evidence);
        let fingerprint = Fingerprint::new(&ctx, &classification);
        // Never the model's own words: a weak model's prose (echoed prompt, entities) would
        // reach the issue through the banner unvetted.
        let reason = match error {
            RunError::NoIssue(_) => "the model finished without creating an issue".to_string(),
            RunError::ModelOutput(_) => "the model's output was unusable".to_string(),
            other => other.to_string(),
        };
        let issue = render(
            &failure_analysis::IssueDraft {
                analysis: &classification,
                context: &ctx,
                fingerprint: &fingerprint,
                log_excerpt: log.as_deref(),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn same_failure_only_within_the_window() {
        let now = jiff::Timestamp::now();
        let old = now
            .checked_sub(jiff::SignedDuration::from_hours(48))
            .unwrap_or(now);
        assert!(recent(
            &json!({"updated_at": now.to_string()}),
            SAME_FAILURE_WINDOW
        ));
        assert!(!recent(
            &json!({"updated_at": old.to_string()}),
            SAME_FAILURE_WINDOW
        ));
        assert!(recent(&json!({}), SAME_FAILURE_WINDOW));
    }
}
