//! Deterministic failure analysis for the pipeline-failure agent.
//!
//! Everything here is pure and synchronous: the agent feeds it Kubernetes objects (as JSON),
//! log text and its own configuration, and gets back text that is safe to show an LLM or to
//! publish in an issue. Nothing in this crate talks to the network.
//!
//! The pipeline, in the order the agent uses it:
//! 1. [`log_hygiene`]: strip terminal escapes and invisible characters, keep the tail and the
//!    error lines with context, cap by a token budget ([`log_hygiene::excerpt`]); share a
//!    conversation budget fairly between tool results ([`log_hygiene::fit_tool_results`]).
//! 2. [`redact`]: remove secrets, counting them by [`SecretKind`] ([`redact::redact`]).
//! 3. [`mod@classify`]: pick the failed container of a pod, read the Tekton labels, and classify
//!    the failure from statuses, events and log patterns into a [`Classification`].
//! 4. [`framing`]: wrap untrusted tool output in delimiters the data cannot forge.
//! 5. [`issue`]: render the analysis into the issue title and body, with a de-duplication
//!    [`Fingerprint`] marker; a fallback renderer for runs without an LLM answer.
//! 6. [`scenario`]: the data format of the scenario suite under `tests/scenarios/`.
//!
//! [`prepare_tool_output`] chains steps 1, 2 and 4 for one tool result.
//!
//! ```
//! use failure_analysis::classify::{select_container, tekton_refs};
//! use failure_analysis::framing::frame_tool_output;
//! use failure_analysis::issue::{render, AnalysisSource, IssueDraft, RenderOptions};
//! use failure_analysis::log_hygiene::{excerpt, ExcerptOptions};
//! use failure_analysis::redact::redact;
//! use failure_analysis::{classify, Category, FailureInput, Fingerprint, IssueContext};
//! use serde_json::json;
//!
//! let pod = json!({
//!     "metadata": {"name": "build-agent-mtkhb0-build-pod-retry2", "labels": {
//!         "tekton.dev/pipeline": "build-agent", "tekton.dev/pipelineRun": "build-agent-mtkhb0",
//!         "tekton.dev/taskRun": "build-agent-mtkhb0-build", "tekton.dev/pipelineTask": "build"}},
//!     "spec": {"containers": [{"name": "step-build"}]},
//!     "status": {"containerStatuses": [{"name": "step-build",
//!         "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
//! });
//! let log = "STEP 4/7: COPY requirements.txt .\n\
//!     Error: building at STEP \"COPY requirements.txt .\": checking on sources under \
//!     \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory\n\
//!     GITEA_TOKEN=8c1f6a2b9d3e4f5061728394a5b6c7d8e9f00112\n";
//!
//! let sel = select_container(&pod, Some("step-buildah"));
//! assert_eq!(sel.container.as_deref(), Some("step-build"));
//!
//! let clean = redact(&excerpt(log, &ExcerptOptions::default()).text);
//! assert_eq!(clean.counts.total(), 1);
//! let framed = frame_tool_output("pods_log", &clean.text);
//! assert!(!framed.contains("8c1f6a2b"));
//!
//! let pre = classify(&FailureInput {
//!     pod: Some(&pod),
//!     container: sel.container.as_deref(),
//!     log: &clean.text,
//!     ..Default::default()
//! });
//! assert_eq!(pre.category, Category::BuildCopyMissingFile);
//!
//! let mut ctx = IssueContext::new("agent-user57", Some("build-agent-mtkhb0-build-pod-retry2"), &tekton_refs(&pod));
//! ctx.container = sel.container.clone();
//! ctx.notes.extend(sel.note.clone());
//! let fp = Fingerprint::new(&ctx, &pre);
//! let issue = render(
//!     &IssueDraft {
//!         analysis: &pre,
//!         context: &ctx,
//!         fingerprint: &fp,
//!         log_excerpt: Some(&clean.text),
//!         source: AnalysisSource::Fallback,
//!         fallback_reason: Some("LLM unreachable"),
//!     },
//!     &RenderOptions::default(),
//! );
//! assert_eq!(issue.title, "build-agent: buildah COPY failed, requirements.txt not found");
//! assert!(issue.body.contains("### Possible solutions"));
//! assert_eq!(Fingerprint::parse(&issue.body), Some(fp));
//! ```
#![warn(missing_docs)]

pub mod classify;
mod error;
pub mod framing;
pub mod issue;
pub mod log_hygiene;
mod prepare;
pub mod redact;
pub mod scenario;

/// Compiles a pattern written in this crate's source. A failure is a programming error that
/// the unit tests catch on first use, never a reaction to input.
pub(crate) fn static_regex(pattern: &str) -> regex::Regex {
    #[allow(clippy::expect_used)]
    regex::Regex::new(pattern).expect("static pattern compiles")
}

pub use classify::{Category, Classification, Confidence, FailureInput, analysis_schema, classify};
pub use error::Error;
pub use issue::{
    AnalysisSource, Fingerprint, IssueContext, IssueDraft, RenderOptions, RenderedIssue,
};
pub use prepare::{PreparedOutput, prepare_tool_output};
pub use redact::{Redacted, RedactionCounts, SecretKind};
