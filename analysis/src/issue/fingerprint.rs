//! De-duplication keys: which run an issue is about and which failure it describes, carried
//! in a hidden marker at the end of the issue body so they survive agent restarts (the agent
//! finds them again by searching the repository's open issues).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::IssueContext;
use crate::Classification;
use crate::static_regex;

/// The marker's prefix; also what the agent searches for among open issues.
pub const MARKER_PREFIX: &str = "failure-analysis:fingerprint";

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"<!-- failure-analysis:fingerprint v1 run=([0-9a-f]{16}) failure=([0-9a-f]{16}) -->",
    )
});
static RETRY_SUFFIX: LazyLock<Regex> = LazyLock::new(|| static_regex(r"-retry\d+$"));
static VOLATILE: LazyLock<Regex> = LazyLock::new(|| static_regex(r"[0-9a-f]{7,}|\d+"));

/// The two de-duplication keys of an issue, as 16 hex characters each.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The run: PipelineRun uid, else namespace + PipelineRun (or TaskRun, or pod without
    /// its `-retryN`). Retries of one run share it.
    pub run: String,
    /// The failure: namespace, pipeline and task, category, failing step and headline (with
    /// numbers and hashes blanked). The same breakage in another run shares it.
    pub failure: String,
}

/// Why two fingerprints denote the same issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// The same run (a retry, or the same report sent twice).
    SameRun,
    /// Another run with the same failure.
    SameFailure,
}

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..8])
}

impl Fingerprint {
    /// The fingerprint of a failure. Use the deterministic classification (not an LLM
    /// answer) so repeated reports of one failure agree.
    pub fn new(ctx: &IssueContext, classification: &Classification) -> Self {
        let ns = ctx.namespace.as_str();
        let run = match (
            &ctx.pipeline_run_uid,
            &ctx.pipeline_run,
            &ctx.task_run,
            &ctx.pod_name,
        ) {
            (Some(uid), _, _, _) if !uid.is_empty() => short_hash(&["uid", uid]),
            (_, Some(pr), _, _) => short_hash(&["pipelinerun", ns, pr]),
            (_, _, Some(tr), _) => short_hash(&["taskrun", ns, tr]),
            (_, _, _, Some(pod)) => short_hash(&["pod", ns, &RETRY_SUFFIX.replace(pod, "")]),
            _ => short_hash(&["namespace", ns]),
        };
        let headline = classification.headline.to_lowercase();
        let headline = VOLATILE.replace_all(&headline, "#");
        let failure = short_hash(&[
            ns,
            ctx.pipeline.as_deref().unwrap_or(""),
            ctx.pipeline_task.as_deref().unwrap_or(""),
            classification.category.as_str(),
            classification.failing_step.as_deref().unwrap_or(""),
            &headline,
        ]);
        Self { run, failure }
    }

    /// The hidden HTML comment that carries the fingerprint in an issue body.
    pub fn marker(&self) -> String {
        format!(
            "<!-- {MARKER_PREFIX} v1 run={} failure={} -->",
            self.run, self.failure
        )
    }

    /// The fingerprint in an issue body: the last marker, which is the footer the renderer
    /// wrote (any marker-like text from a log is neutralised before it gets into a body).
    pub fn parse(body: &str) -> Option<Self> {
        let caps = MARKER.captures_iter(body).last()?;
        Some(Self {
            run: caps.get(1)?.as_str().to_owned(),
            failure: caps.get(2)?.as_str().to_owned(),
        })
    }

    /// Whether an existing issue's fingerprint makes a new report a duplicate of it.
    pub fn duplicate_of(&self, existing: &Fingerprint) -> Option<DuplicateKind> {
        if self.run == existing.run {
            Some(DuplicateKind::SameRun)
        } else if self.failure == existing.failure {
            Some(DuplicateKind::SameFailure)
        } else {
            None
        }
    }
}
