//! Deterministic pre-analysis: classify a failure from the pod's container statuses, its
//! events and its log, before (and without) any LLM.
//!
//! Signals are tried from the most to the least certain: the kubelet's own reasons (image
//! pull, config errors, CrashLoopBackOff, OOMKilled, deadlines), then log patterns of known
//! tools (git, buildah, pip/npm/cargo, test runners), then the bare exit code.

mod answer;
mod exit_code;
mod log_findings;
mod logs;
mod mcp_output;
pub mod pod;
mod status;
mod tekton;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use answer::{ALL_CATEGORIES, analysis_schema};
pub use mcp_output::{parse_events, parse_object};
pub use pod::{ContainerSelection, ContainerView, containers, failed_container, select_container};
pub use tekton::{TektonRefs, pod_from_task_run, retry_number, tekton_refs};

/// What kind of failure it is. Serialised in snake_case (`build_copy_missing_file`); an
/// unrecognised name (from an LLM answer) reads as `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Category {
    /// A container was killed for exceeding its memory limit.
    OomKilled,
    /// A container keeps crashing and the kubelet backs off restarting it.
    CrashLoopBackOff,
    /// The registry refused the image pull (credentials, pull secret).
    ImagePullAuth,
    /// The image or tag does not exist.
    ImagePullNotFound,
    /// The registry could not be reached or the image name is invalid.
    ImagePullRegistry,
    /// A ConfigMap (or a key in it) referenced by the pod is missing.
    MissingConfigMap,
    /// A Secret (or a key in it) referenced by the pod is missing.
    MissingSecret,
    /// Another `CreateContainerConfigError` / `CreateContainerError`.
    ContainerConfig,
    /// Exit code 127: a command or executable was not found.
    CommandNotFound,
    /// Exit code 126: a command was found but could not be executed.
    NotExecutable,
    /// Exit code 137 without OOMKilled: killed by SIGKILL.
    Killed,
    /// Exit code 143: stopped by SIGTERM.
    Terminated,
    /// The pod, TaskRun or PipelineRun ran out of time.
    DeadlineExceeded,
    /// An image build's COPY/ADD named a file missing from the build context.
    BuildCopyMissingFile,
    /// An image build's RUN instruction exited non-zero.
    BuildRunFailed,
    /// Another image build failure (no Containerfile, bad instruction).
    BuildFailed,
    /// pip, npm or cargo could not resolve or install dependencies.
    DependencyInstall,
    /// Tests ran and some failed.
    TestFailure,
    /// git could not authenticate to the repository.
    GitAuth,
    /// The requested branch, tag or commit does not exist.
    GitRevisionNotFound,
    /// Another git clone or fetch failure (repository missing, network).
    GitClone,
    /// A non-zero exit code with no more specific signal (exit 1 and others).
    NonZeroExit,
    /// Nothing recognisable; the LLM (or a human) has to look.
    #[serde(other)]
    Unknown,
}

impl Category {
    /// The snake_case name, as serialised.
    pub fn as_str(self) -> &'static str {
        use Category::*;
        match self {
            OomKilled => "oom_killed",
            CrashLoopBackOff => "crash_loop_back_off",
            ImagePullAuth => "image_pull_auth",
            ImagePullNotFound => "image_pull_not_found",
            ImagePullRegistry => "image_pull_registry",
            MissingConfigMap => "missing_config_map",
            MissingSecret => "missing_secret",
            ContainerConfig => "container_config",
            CommandNotFound => "command_not_found",
            NotExecutable => "not_executable",
            Killed => "killed",
            Terminated => "terminated",
            DeadlineExceeded => "deadline_exceeded",
            BuildCopyMissingFile => "build_copy_missing_file",
            BuildRunFailed => "build_run_failed",
            BuildFailed => "build_failed",
            DependencyInstall => "dependency_install",
            TestFailure => "test_failure",
            GitAuth => "git_auth",
            GitRevisionNotFound => "git_revision_not_found",
            GitClone => "git_clone",
            NonZeroExit => "non_zero_exit",
            Unknown => "unknown",
        }
    }
}

/// How sure the classifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Only weak hints.
    Low,
    /// An exit code or a generic pattern.
    Medium,
    /// An explicit kubelet reason or a tool's specific error message.
    High,
}

/// The structured analysis of one failure. The classifier fills it deterministically; an LLM
/// answer can be parsed into the same shape (missing fields default) and rendered the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// What kind of failure.
    pub category: Category,
    /// The failing container (a Tekton step is `step-<name>`), when known.
    #[serde(default)]
    pub failing_step: Option<String>,
    /// A short phrase for the issue title, e.g. "buildah COPY failed, requirements.txt not found".
    #[serde(default)]
    pub headline: String,
    /// One or two sentences on what happened.
    #[serde(default)]
    pub summary: String,
    /// Verbatim lines (status, events, log) that show it; already redacted.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Why it most likely happened.
    #[serde(default)]
    pub probable_cause: String,
    /// Concrete fixes, most likely first.
    #[serde(default)]
    pub suggested_fixes: Vec<String>,
    /// How sure the analysis is.
    #[serde(default = "low")]
    pub confidence: Confidence,
}

fn low() -> Confidence {
    Confidence::Low
}

/// Everything the classifier looks at. All parts are optional: a pod that is gone leaves the
/// TaskRun, a TaskRun that is unknown leaves the log.
#[derive(Debug, Clone, Copy, Default)]
pub struct FailureInput<'a> {
    /// The Pod object as the API returns it (`metadata`, `spec`, `status`).
    pub pod: Option<&'a Value>,
    /// The TaskRun object; used when the pod is missing, and for its timeout reason.
    pub task_run: Option<&'a Value>,
    /// The container whose log is given (normally from [`select_container`]); when `None`,
    /// the failed container of the pod.
    pub container: Option<&'a str>,
    /// Events of the pod: a JSON array, or a list object with `items`.
    pub events: Option<&'a Value>,
    /// The container's log, best already cut by [`crate::log_hygiene::excerpt`] and redacted.
    pub log: &'a str,
}

/// One detector's result, before it becomes a [`Classification`].
#[derive(Debug, Clone)]
struct Finding {
    category: Category,
    headline: String,
    summary: String,
    cause: String,
    fixes: Vec<String>,
    evidence: Vec<String>,
    confidence: Confidence,
}

/// Most evidence lines kept, and their length.
const MAX_EVIDENCE: usize = 8;
const MAX_EVIDENCE_CHARS: usize = 300;

/// Logs longer than this are first cut by the default excerpt, so even a raw 50 MB log costs
/// one linear pass before the (per-line, many-pattern) detectors run.
const MAX_CLASSIFY_BYTES: usize = 1 << 20;

/// Classifies a failure. Never fails: with nothing recognisable the category is `unknown`.
pub fn classify(input: &FailureInput<'_>) -> Classification {
    let cut;
    let log = if input.log.len() > MAX_CLASSIFY_BYTES {
        cut =
            crate::log_hygiene::excerpt(input.log, &crate::log_hygiene::ExcerptOptions::default())
                .text;
        cut.as_str()
    } else {
        input.log
    };
    let synthetic;
    let pod = match (input.pod, input.task_run) {
        (Some(pod), _) => Some(pod),
        (None, Some(tr)) => {
            synthetic = pod_from_task_run(tr);
            Some(&synthetic)
        }
        (None, None) => None,
    };
    let views = pod.map(containers).unwrap_or_default();
    let target = input
        .container
        .and_then(|name| views.iter().find(|c| c.name == name))
        .or_else(|| {
            pod.and_then(failed_container)
                .and_then(|n| views.iter().find(|c| c.name == n))
        });
    let events = event_lines(input.events);
    let ctx = status::StatusContext {
        pod,
        task_run: input.task_run,
        target,
        all: &views,
        events: &events,
    };
    let finding = status::kubelet_reasons(&ctx)
        .or_else(|| logs::detect(log))
        .or_else(|| exit_code::exit_code(&ctx, log))
        .unwrap_or_else(|| unknown(target, log));
    let step = target
        .map(|c| c.name.clone())
        .or_else(|| input.container.map(str::to_owned));
    finish(finding, step)
}

fn finish(f: Finding, failing_step: Option<String>) -> Classification {
    let evidence = f
        .evidence
        .iter()
        .map(|l| clip(l.trim()))
        .filter(|l| !l.is_empty())
        .fold(Vec::new(), |mut acc: Vec<String>, l| {
            if !acc.contains(&l) && acc.len() < MAX_EVIDENCE {
                acc.push(l);
            }
            acc
        });
    let evidence = evidence
        .into_iter()
        .map(|l| crate::redact::redact(&l).text)
        .collect();
    Classification {
        category: f.category,
        failing_step,
        headline: f.headline,
        summary: f.summary,
        evidence,
        probable_cause: f.cause,
        suggested_fixes: f.fixes,
        confidence: f.confidence,
    }
}

fn clip(line: &str) -> String {
    match line.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

/// `reason: message` of each event (Warning first), for evidence and pattern matching.
fn event_lines(events: Option<&Value>) -> Vec<String> {
    let items = match events {
        Some(Value::Array(a)) => a.as_slice(),
        Some(v) => v
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        None => &[],
    };
    let mut lines: Vec<(bool, String)> = items
        .iter()
        .map(|e| {
            let s = |k: &str| mcp_output::event_field(e, k);
            (
                s("type") != "Warning",
                format!("{} {}: {}", s("type"), s("reason"), s("message")),
            )
        })
        .collect();
    lines.sort_by_key(|(normal, _)| *normal);
    lines.into_iter().map(|(_, l)| l).collect()
}

fn unknown(target: Option<&ContainerView>, log: &str) -> Finding {
    let last_error = log
        .lines()
        .rev()
        .find(|l| crate::log_hygiene::is_error_line(l));
    let name = target.map_or("the pod", |c| c.name.as_str());
    Finding {
        category: Category::Unknown,
        headline: format!("{name} failed, cause not recognised"),
        summary: format!("`{name}` failed, but its status and log match no known failure pattern."),
        cause: "Not determined automatically; see the log excerpt.".into(),
        fixes: vec![
            "Read the full log of the failing step for the first error.".into(),
            "Re-run the pipeline to rule out a transient failure.".into(),
        ],
        evidence: last_error.map(str::to_owned).into_iter().collect(),
        confidence: Confidence::Low,
    }
}

#[cfg(test)]
mod tests;
