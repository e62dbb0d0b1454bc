//! The issue a failure becomes: a specific title, the lab guide's four sections, a footer
//! with the run's identifiers and a hidden de-duplication marker. Untrusted text (LLM prose,
//! log lines) is sanitised and redacted on the way in, and the whole body once more.

mod fingerprint;
pub mod injected;
pub mod links;
pub mod required;
mod sanitize;
pub mod vet;
mod words;

use serde::{Deserialize, Serialize};

pub use fingerprint::{DuplicateKind, Fingerprint, MARKER_PREFIX};
pub use sanitize::{fence_for, flatten_prose, neutralise_mentions, sanitize_body};

use crate::Classification;
use crate::classify::TektonRefs;
use crate::redact::RedactionCounts;

/// Where the failure happened and what could be read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IssueContext {
    /// The namespace of the run.
    pub namespace: String,
    /// The failed pod.
    pub pod_name: Option<String>,
    /// The container analysed.
    pub container: Option<String>,
    /// `tekton.dev/pipeline`.
    pub pipeline: Option<String>,
    /// `tekton.dev/pipelineRun`.
    pub pipeline_run: Option<String>,
    /// The PipelineRun uid (the best de-duplication key).
    pub pipeline_run_uid: Option<String>,
    /// `tekton.dev/taskRun`.
    pub task_run: Option<String>,
    /// `tekton.dev/pipelineTask`.
    pub pipeline_task: Option<String>,
    /// The retry number of the pod.
    pub retry: Option<u32>,
    /// The git revision that was built, when the caller sent it.
    #[serde(default)]
    pub git_revision: Option<String>,
    /// Remarks for the reader, e.g. that the caller's container did not exist.
    pub notes: Vec<String>,
    /// What could not be read (e.g. "pod logs: the pod was deleted").
    pub unavailable: Vec<String>,
}

impl IssueContext {
    /// A context from the request and the Tekton labels of the pod (or TaskRun).
    pub fn new(namespace: &str, pod_name: Option<&str>, refs: &TektonRefs) -> Self {
        Self {
            namespace: namespace.to_owned(),
            pod_name: pod_name.map(str::to_owned),
            pipeline: refs.pipeline.clone(),
            pipeline_run: refs.pipeline_run.clone(),
            task_run: refs.task_run.clone(),
            pipeline_task: refs.pipeline_task.clone(),
            retry: refs.retry,
            pipeline_run_uid: refs.pipeline_run_uid.clone(),
            ..Default::default()
        }
    }
}

/// Who wrote the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisSource {
    /// The LLM's structured answer.
    Llm,
    /// The deterministic pre-analysis, because no LLM answer was usable.
    Fallback,
}

/// Rendering settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Title prefix; `None` uses the pipeline name (or "pipeline").
    pub title_prefix: Option<String>,
    /// Longest title, in characters.
    pub max_title_chars: usize,
    /// Longest body, in characters (the footer is always kept).
    pub max_body_chars: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            title_prefix: None,
            max_title_chars: 120,
            max_body_chars: 30_000,
        }
    }
}

/// What to render.
#[derive(Debug, Clone, Copy)]
pub struct IssueDraft<'a> {
    /// The analysis (LLM answer or the classification itself).
    pub analysis: &'a Classification,
    /// Where it happened.
    pub context: &'a IssueContext,
    /// The de-duplication keys (from the deterministic classification).
    pub fingerprint: &'a Fingerprint,
    /// A log excerpt to include (already cut by the log hygiene).
    pub log_excerpt: Option<&'a str>,
    /// Who wrote the analysis.
    pub source: AnalysisSource,
    /// For a fallback: why the LLM analysis is missing.
    pub fallback_reason: Option<&'a str>,
}

/// A ready-to-file issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedIssue {
    /// The title, one line.
    pub title: String,
    /// The Markdown body, sanitised, ending with the fingerprint marker.
    pub body: String,
    /// The fingerprint in the marker.
    pub fingerprint: Fingerprint,
    /// Secrets redacted while rendering (there should be none left by then).
    pub redactions: RedactionCounts,
    /// Who wrote the analysis.
    pub source: AnalysisSource,
}

/// A specific title: `<prefix>: <headline>`, one line, mentions neutralised, bounded.
pub fn title(analysis: &Classification, ctx: &IssueContext, opts: &RenderOptions) -> String {
    let prefix = opts
        .title_prefix
        .clone()
        .or_else(|| ctx.pipeline.clone())
        .unwrap_or_else(|| "pipeline".into());
    let headline = if analysis.headline.trim().is_empty() {
        format!("{} failure", analysis.category.as_str())
    } else {
        analysis.headline.clone()
    };
    let raw = flatten_prose(&format!("{prefix}: {headline}"));
    let clean = neutralise_mentions(&crate::redact::redact(&raw).text).replace(['<', '>'], "");
    match clean.char_indices().nth(opts.max_title_chars) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

/// Renders the issue. See the module doc for the layout.
pub fn render(draft: &IssueDraft<'_>, opts: &RenderOptions) -> RenderedIssue {
    let a = draft.analysis;
    let ctx = draft.context;
    let mut body = String::new();
    if draft.source == AnalysisSource::Fallback {
        let why = draft
            .fallback_reason
            .map(flatten_prose)
            .unwrap_or_else(|| "no LLM analysis".into());
        body.push_str(&format!(
            "> **Automatic report.** Filed from the deterministic pre-analysis because the LLM analysis was not available ({why}).\n\n"
        ));
    }
    body.push_str("### Cluster/namespace location\n\n");
    body.push_str(&location(ctx));
    body.push_str("\n### Summary of the problem\n\n");
    body.push_str(&flatten_prose(&a.summary));
    body.push_str("\n\n");
    if !a.probable_cause.trim().is_empty() {
        body.push_str(&format!(
            "**Probable cause:** {}\n\n",
            flatten_prose(&a.probable_cause)
        ));
    }
    body.push_str("### Detailed error/code\n\n");
    // Lines of the log that address the agent (an injected tool call, a note to "the AI")
    // are evidence of an attempt, never text to file: counted, not quoted.
    let (evidence, mut withheld) = injected::withhold(&a.evidence.join("\n"));
    let evidence = evidence.trim_end().to_string();
    let log_excerpt = draft.log_excerpt.map(|l| {
        let (kept, n) = injected::withhold(l);
        withheld += n;
        kept
    });
    let has_log = log_excerpt.as_deref().is_some_and(|l| !l.trim().is_empty());
    if evidence.is_empty() && !has_log {
        body.push_str("_No error lines could be read (see the location section)._\n\n");
    }
    if !evidence.is_empty() {
        push_code(&mut body, &evidence);
    }
    if let Some(log) = log_excerpt.as_deref().filter(|l| !l.trim().is_empty()) {
        let room = opts
            .max_body_chars
            .saturating_sub(body.chars().count() + 2_000);
        let step = ctx.container.as_deref().unwrap_or("the failed container");
        body.push_str(&format!("Log excerpt of `{step}`:\n\n"));
        push_code(&mut body, &tail_chars(log, room));
    }
    if withheld > 0 {
        body.push_str(&format!(
            "_{withheld} line(s) of the log address the agent instead of describing the build (instructions or tool calls: a prompt-injection attempt); they are not quoted._\n\n"
        ));
    }
    body.push_str("### Possible solutions\n\n");
    for (i, fix) in a.suggested_fixes.iter().enumerate() {
        body.push_str(&format!("{}. {}\n", i + 1, flatten_prose(fix)));
    }
    if a.suggested_fixes.is_empty() {
        body.push_str("1. Read the log excerpt above for the first error and fix its cause.\n");
    }
    let (mut body, redactions) = sanitize_body(&body, opts.max_body_chars);
    body.push_str(&footer(draft));
    RenderedIssue {
        title: title(a, ctx, opts),
        body,
        fingerprint: draft.fingerprint.clone(),
        redactions,
        source: draft.source,
    }
}

/// An identifier as shown in the body: Kubernetes names are validated by the agent, but a
/// stray backtick or angle bracket must not break the Markdown around it.
fn plain_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '/'))
        .take(253)
        .collect()
}

fn location(ctx: &IssueContext) -> String {
    let mut out = String::new();
    let ns = plain_id(&ctx.namespace);
    let target = match &ctx.pod_name {
        Some(pod) => format!("{ns}/{}", plain_id(pod)),
        None => ns,
    };
    out.push_str(&format!("`{target}`"));
    if let Some(c) = &ctx.container {
        out.push_str(&format!(" (container `{}`)", plain_id(c)));
    }
    out.push('\n');
    let mut refs = Vec::new();
    for (label, value) in [
        ("Pipeline", &ctx.pipeline),
        ("PipelineRun", &ctx.pipeline_run),
        ("TaskRun", &ctx.task_run),
        ("Task", &ctx.pipeline_task),
        ("revision", &ctx.git_revision),
    ] {
        if let Some(v) = value {
            refs.push(format!("{label} `{}`", plain_id(v)));
        }
    }
    if let Some(r) = ctx.retry {
        refs.push(format!("retry {r}"));
    }
    if !refs.is_empty() {
        out.push_str(&format!("\n- {}\n", refs.join(" · ")));
    }
    for n in &ctx.notes {
        out.push_str(&format!("- Note: {}\n", flatten_prose(n)));
    }
    for u in &ctx.unavailable {
        out.push_str(&format!("- Could not be read: {}\n", flatten_prose(u)));
    }
    out
}

fn push_code(body: &mut String, content: &str) {
    let fence = fence_for(content);
    body.push_str(&format!(
        "{fence}text\n{}\n{fence}\n\n",
        content.trim_end_matches('\n')
    ));
}

/// The last `max` characters of `text`, starting at a line boundary.
fn tail_chars(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_owned();
    }
    let skip = total - max;
    let start = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
    let rest = &text[start..];
    let rest = rest.split_once('\n').map_or(rest, |(_, after)| after);
    format!("[truncated: {skip} characters omitted]\n{rest}")
}

fn footer(draft: &IssueDraft<'_>) -> String {
    let ctx = draft.context;
    let a = draft.analysis;
    let mut ids = vec![format!("namespace `{}`", plain_id(&ctx.namespace))];
    for (label, value) in [
        ("PipelineRun", &ctx.pipeline_run),
        ("PipelineRun uid", &ctx.pipeline_run_uid),
        ("TaskRun", &ctx.task_run),
        ("pod", &ctx.pod_name),
        ("container", &ctx.container),
    ] {
        if let Some(v) = value {
            ids.push(format!("{label} `{}`", plain_id(v)));
        }
    }
    let source = match draft.source {
        AnalysisSource::Llm => "LLM analysis",
        AnalysisSource::Fallback => "automatic pre-analysis (no LLM)",
    };
    format!(
        "\n---\n{}\n\nCategory `{}` · confidence {} · {source} · filed by the pipeline-failure agent\n\n{}\n",
        ids.join(" · "),
        a.category.as_str(),
        serde_json::to_value(a.confidence)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        draft.fingerprint.marker()
    )
}

/// A short comment for a new occurrence of an already-reported failure.
pub fn occurrence_comment(ctx: &IssueContext, kind: DuplicateKind) -> String {
    let what = match kind {
        DuplicateKind::SameRun => "Reported again for the same run",
        DuplicateKind::SameFailure => "The same failure happened in another run",
    };
    let mut ids = Vec::new();
    for (label, value) in [
        ("PipelineRun", &ctx.pipeline_run),
        ("TaskRun", &ctx.task_run),
        ("pod", &ctx.pod_name),
    ] {
        if let Some(v) = value {
            ids.push(format!("{label} `{v}`"));
        }
    }
    let body = format!(
        "{what} in namespace `{}`: {}.\n",
        ctx.namespace,
        ids.join(", ")
    );
    sanitize_body(&body, 2_000).0
}

#[cfg(test)]
mod tests;
