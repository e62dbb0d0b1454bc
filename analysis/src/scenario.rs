//! The data format of the scenario suite: one folder per case under `tests/scenarios/`, each
//! with a `case.yaml` holding the failure report, the cluster fixture (pods, TaskRuns, events,
//! logs), the Gitea fixture, the scripted LLM turns and the expected outcome.
//!
//! This module only describes and loads cases. The deterministic part of every expectation
//! (`expect.classification`, `expect.container`) is checked by this crate's own tests; the
//! end-to-end runner that drives the agent against the emulators reads the rest.

mod load;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use load::{load_case, load_cases};

use crate::Category;
use crate::issue::AnalysisSource;

/// One scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioCase {
    /// Equal to the folder name.
    pub name: String,
    /// What the case is about, for the pass/fail table.
    pub description: String,
    /// Classes the case covers (`lab`, `injection`, `llm-failure`, …).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The `POST /report-failure` body.
    pub request: FailureReport,
    /// More reports sent after the first (retries, repeats), in order.
    #[serde(default)]
    pub followups: Vec<FailureReport>,
    /// The cluster as the Kubernetes emulator should serve it.
    pub cluster: ClusterFixture,
    /// The Gitea repository and its existing issues.
    #[serde(default)]
    pub gitea: GiteaFixture,
    /// What the LLM emulator answers.
    pub llm: LlmScript,
    /// The expected outcome.
    pub expect: Expectation,
    /// The folder the case was loaded from (not in the file).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// A failure report as Tekton (or a test) posts it. Unknown fields are kept in `extra` so a
/// case can send what an old or odd caller sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FailureReport {
    /// Namespace of the failed run.
    pub namespace: String,
    /// The failed pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    /// The container the caller believes failed (often wrong: `step-buildah`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// The PipelineRun name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_run: Option<String>,
    /// The PipelineRun uid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_run_uid: Option<String>,
    /// The TaskRun name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_run: Option<String>,
    /// Other fields, sent as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Kubernetes objects (as the API returns them) and container logs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterFixture {
    /// Pods.
    #[serde(default)]
    pub pods: Vec<Value>,
    /// TaskRuns (`tekton.dev/v1`).
    #[serde(default)]
    pub task_runs: Vec<Value>,
    /// PipelineRuns (`tekton.dev/v1`).
    #[serde(default)]
    pub pipeline_runs: Vec<Value>,
    /// Events (`v1`).
    #[serde(default)]
    pub events: Vec<Value>,
    /// Other objects (namespaces, Secrets, ConfigMaps) a hostile log may try to get deleted.
    #[serde(default)]
    pub objects: Vec<Value>,
    /// Container logs.
    #[serde(default)]
    pub logs: Vec<LogFixture>,
}

/// The log of one container: exactly one of `text`, `file` (relative to the case folder) or
/// `generate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFixture {
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The previous container's log (after a restart).
    #[serde(default)]
    pub previous: bool,
    /// The log itself.
    #[serde(default)]
    pub text: Option<String>,
    /// A file holding the log.
    #[serde(default)]
    pub file: Option<String>,
    /// A log built at load time (huge logs are not stored).
    #[serde(default)]
    pub generate: Option<GeneratedLog>,
}

/// `prefix`, then `filler` repeated until the log reaches `bytes`, then `suffix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedLog {
    /// Lines at the start.
    #[serde(default)]
    pub prefix: String,
    /// A line (or lines) repeated; a line number is appended to each copy.
    pub filler: String,
    /// Target size in bytes (at most 100 MB).
    pub bytes: usize,
    /// Lines at the end.
    #[serde(default)]
    pub suffix: String,
}

/// The Gitea side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiteaFixture {
    /// The configured owner (`MCP_GITEA_USER`).
    pub owner: String,
    /// The configured repository (`MCP_GITEA_REPO`).
    pub repo: String,
    /// Labels the repository has.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Issues present before the run (a restart after an earlier report).
    #[serde(default)]
    pub existing_issues: Vec<ExistingIssue>,
}

impl Default for GiteaFixture {
    fn default() -> Self {
        Self {
            owner: "user57".into(),
            repo: "mcp".into(),
            labels: Vec::new(),
            existing_issues: Vec::new(),
        }
    }
}

/// An issue already in the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExistingIssue {
    /// Issue number.
    pub number: u64,
    /// Title.
    pub title: String,
    /// Body (may carry a fingerprint marker).
    pub body: String,
    /// `open` or `closed`.
    #[serde(default = "open")]
    pub state: String,
}

fn open() -> String {
    "open".into()
}

/// How the LLM emulator behaves. With `mode: scripted`, `turns` and `fallback` are exactly the
/// testbed LLM emulator's script (`testbed::llm::Script`): serialise this struct without
/// `mode` and load it with `Script::from_json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmScript {
    /// The behaviour.
    pub mode: LlmMode,
    /// For `scripted`: one turn per chat completion call, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<LlmTurn>,
    /// For `scripted`: the answer once no turn is left (the emulator's default is a plain
    /// text answer, which makes the agent fall back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<LlmTurn>,
}

/// LLM emulator behaviours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LlmMode {
    /// Answer with the script (faults such as `budget_exceeded` or `malformed_json` are
    /// script turns).
    Scripted,
    /// Connection refused: nothing listens at `LITELLM_URL`.
    Down,
}

/// One scripted answer, in the emulator's turn shape: exactly one of `text`, `tool_calls`,
/// `text_tool_calls`, `fault`, plus options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmTurn {
    /// Use this turn only for requests matching this predicate (emulator syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Value>,
    /// A plain text answer (may hold a tool call written as text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Native tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ScriptedToolCall>>,
    /// Tool calls written in a text form (`json`, `python_tag`, `pythonic`; emulator syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_tool_calls: Option<Value>,
    /// A failure instead of an answer (`{budget_exceeded: {}}`, `malformed_json`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Value>,
    /// Text sent alongside native tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Overrides `finish_reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Never used up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
}

impl LlmTurn {
    /// The tool calls of the turn, native or written as text (`text_tool_calls.calls`).
    pub fn calls(&self) -> Vec<ScriptedToolCall> {
        let native = self.tool_calls.iter().flatten().cloned();
        let text = self
            .text_tool_calls
            .as_ref()
            .and_then(|t| t.get("calls"))
            .and_then(|c| serde_json::from_value::<Vec<ScriptedToolCall>>(c.clone()).ok())
            .unwrap_or_default();
        native.chain(text).collect()
    }

    /// How many of the four reply kinds the turn has (a valid turn has exactly one).
    pub fn reply_kinds(&self) -> usize {
        [
            self.text.is_some(),
            self.tool_calls.is_some(),
            self.text_tool_calls.is_some(),
            self.fault.is_some(),
        ]
        .iter()
        .filter(|k| **k)
        .count()
    }
}

/// A native tool call in a scripted turn. The issue tool is written `issue_write` (method
/// `create`); a runner against a legacy server maps it to `create_issue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedToolCall {
    /// Tool name.
    pub name: String,
    /// Arguments object.
    #[serde(default)]
    pub arguments: Value,
}

/// The expected outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The deterministic classification of the fixture (checked by this crate's tests);
    /// absent when the report is rejected before any analysis.
    #[serde(default)]
    pub classification: Option<ExpectedClassification>,
    /// The container the agent must read (checked by this crate's tests).
    #[serde(default)]
    pub container: Option<ExpectedContainer>,
    /// Whether an issue exists for the report afterwards (filed now, or found as duplicate).
    pub issue_filed: bool,
    /// Issues in the repository after all reports (duplicates must not add any).
    #[serde(default)]
    pub issues_total: Option<usize>,
    /// The existing issue (number) the report is a duplicate of; its fingerprint marker must
    /// match the report's (checked by this crate's tests).
    #[serde(default)]
    pub duplicate_of: Option<u64>,
    /// Who wrote the issue's analysis.
    #[serde(default)]
    pub analysis_source: Option<AnalysisSource>,
    /// HTTP status of the (first) response.
    pub http_status: u16,
    /// Response fields that must be equal (JSON pointer without the leading `/`, e.g.
    /// `status`, `analysis/source`).
    #[serde(default)]
    pub response: BTreeMap<String, Value>,
    /// Substrings of the response body.
    #[serde(default)]
    pub response_contains: Vec<String>,
    /// Substrings of the issue title.
    #[serde(default)]
    pub title_contains: Vec<String>,
    /// Substrings of the issue body.
    #[serde(default)]
    pub body_contains: Vec<String>,
    /// Strings the issue body must not contain.
    #[serde(default)]
    pub body_not_contains: Vec<String>,
    /// Tools the agent must have called.
    #[serde(default)]
    pub tools_called: Vec<String>,
    /// Tools the agent must not have called.
    #[serde(default)]
    pub tools_not_called: Vec<String>,
    /// Secrets from the fixture that must appear nowhere: not in the issue, the response,
    /// or any request sent to the LLM.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// No create/update/delete call reached the cluster.
    #[serde(default = "yes")]
    pub no_destructive_calls: bool,
    /// Facts an LLM judge checks in the issue when the suite runs against a real model.
    #[serde(default)]
    pub facts: Vec<String>,
}

fn yes() -> bool {
    true
}

/// The deterministic classification expected from the fixture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedClassification {
    /// Category.
    pub category: Category,
    /// Failing container.
    #[serde(default)]
    pub failing_step: Option<String>,
    /// Substrings of the headline.
    #[serde(default)]
    pub headline_contains: Vec<String>,
}

/// The expected container choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedContainer {
    /// The container to read.
    pub used: String,
    /// Whether it differs from the request (the response must say so).
    #[serde(default)]
    pub replaced: bool,
}

#[cfg(test)]
mod tests;
