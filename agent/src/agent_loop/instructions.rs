//! What the model is told, without the evidence: the system and task prompts (with
//! placeholder identifiers instead of the report's, and without the pre-analysis or an
//! attached log), the steering messages and the offered tools' descriptions and schemas.
//! A model-written issue that repeats these is vetted out (`failure_analysis::issue::vet`).

use serde_json::Value;

use crate::prompt::{self, IssueTool, PromptInput};
use crate::report::FailureReport;

/// The instruction texts of a run that offers `offered` (OpenAI tool form).
pub(super) fn texts(issue_tool: &IssueTool, offered: &[Value]) -> Vec<String> {
    let placeholder = FailureReport {
        namespace: "namespace".into(),
        pod_name: "pod".into(),
        ..Default::default()
    };
    let input = PromptInput {
        report: &placeholder,
        owner: "owner",
        repo: "repo",
        issue_tool,
        log_tool: "pods_log",
        pre_analysis: None,
    };
    let mut out = vec![
        prompt::system_prompt(),
        prompt::task_prompt(&input),
        prompt::nudge_create_issue(issue_tool),
        prompt::truncated(),
        prompt::final_iteration(),
        prompt::text_call_result("", issue_tool),
    ];
    for tool in offered {
        let function = &tool["function"];
        out.push(format!(
            "{} {} {}",
            function["name"].as_str().unwrap_or_default(),
            function["description"].as_str().unwrap_or_default(),
            function["parameters"]
        ));
    }
    out
}

/// The names of the offered tools.
pub(super) fn tool_names(offered: &[Value]) -> Vec<String> {
    offered
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
        .collect()
}
