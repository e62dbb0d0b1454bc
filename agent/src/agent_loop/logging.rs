//! The per-run log lines the lab guide tells attendees to look for: the run start, one
//! block per iteration with the tool calls and a preview of their results, and the end.

use super::calls::CallOutcome;
use super::{LoopSettings, preview};
use crate::llm::ChatTurn;
use crate::mcp::ToolInfo;

pub(super) fn run_start(settings: &LoopSettings, model: &str, prompt: &str, tools: &[ToolInfo]) {
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    tracing::info!("🚀 Starting agent run...");
    tracing::info!(
        prompt_chars = prompt.len(),
        "   Prompt: {} chars",
        prompt.len()
    );
    tracing::info!(owner = %settings.owner, repo = %settings.repo, "   Gitea target: {}/{}", settings.owner, settings.repo);
    tracing::info!(model = %model, "   LLM model: {model}");
    tracing::info!(
        tools = names.len(),
        "   Available tools ({}): {names:?}",
        names.len()
    );
    tracing::info!(
        "Starting agent loop (max {} iterations)",
        settings.max_iterations
    );
}

pub(super) fn turn(iteration: u32, max: u32, turn: &ChatTurn) {
    let finish = turn.finish_reason.as_deref().unwrap_or("-");
    tracing::info!(
        iteration,
        finish_reason = finish,
        "┌─ Iteration {iteration}/{max}"
    );
    tracing::info!(
        iteration,
        "│  LLM finish reason: {finish}, tool calls: {}",
        turn.tool_calls.len()
    );
    if turn.tool_calls.is_empty() {
        tracing::info!(iteration, "│  Text: {}", preview(&turn.content, 150));
        // Whole answers, for diagnosing what a model wrote instead of a call (redacted
        // context in, so no secret can be in it).
        tracing::debug!(iteration, "│  Full text: {}", turn.content);
    }
}

pub(super) fn outcomes(outcomes: &[CallOutcome]) {
    for o in outcomes {
        let args = serde_json::to_string_pretty(&o.arguments).unwrap_or_default();
        tracing::info!(tool = %o.name, "│  🔧 Tool: {}", o.name);
        tracing::info!(tool = %o.name, "│     Arguments: {args}");
        tracing::info!(tool = %o.name, "│     Result: {}", preview(&o.message, 200));
    }
    tracing::info!("└─");
}
