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
//! 3. [`classify`]: pick the failed container of a pod, read the Tekton labels, and classify
//!    the failure from statuses, events and log patterns into a [`Classification`].
//! 4. [`framing`]: wrap untrusted tool output in delimiters the data cannot forge.
//! 5. [`issue`]: render the analysis into the issue title and body, with a de-duplication
//!    [`Fingerprint`] marker; a fallback renderer for runs without an LLM answer.
//! 6. [`scenario`]: the data format of the scenario suite under `tests/scenarios/`.
#![warn(missing_docs)]

pub mod classify;
mod error;
pub mod framing;
pub mod issue;
pub mod log_hygiene;
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
pub use redact::{Redacted, RedactionCounts, SecretKind};
