//! Keeps the whole conversation inside the model's context window.
//!
//! Before every LLM call the conversation is measured (`failure_analysis`'s pessimistic
//! token estimate) and, when it would not fit the window minus the answer reserve, the tool
//! results are cut by [`fit_tool_results`]: the newest result stays whole while it can, the
//! older ones share the rest fairly, each keeping its newest lines behind a visible
//! `[truncated: N lines omitted]` note. Prompts and assistant turns are never cut. The full
//! results stay in the run's history; only the copy sent is cut.

use failure_analysis::log_hygiene::{ContextBudget, estimate_tokens, fit_tool_results};
use serde_json::Value;

/// The messages to send: `messages` with their tool results cut to fit `window_tokens`,
/// counting the offered `tools` as part of the prompt.
pub(crate) fn fit_conversation(
    window_tokens: usize,
    messages: &[Value],
    tools: &[Value],
) -> Vec<Value> {
    let budget = ContextBudget::new(window_tokens);
    let mut fixed: usize = tools.iter().map(|t| estimate_tokens(&t.to_string())).sum();
    let mut heads = Vec::new();
    let mut results = Vec::new();
    for message in messages {
        match tool_content(message) {
            Some(content) => {
                // Everything but the content is fixed: the role, the call id, the framing
                // line that opens a tool output (kept so the data stays delimited).
                let mut shell = message.clone();
                shell["content"] = Value::String(String::new());
                fixed += estimate_tokens(&shell.to_string());
                let (head, body) = split_head(content);
                fixed += estimate_tokens(head);
                heads.push(head.to_string());
                results.push(body.to_string());
            }
            None => fixed += estimate_tokens(&message.to_string()),
        }
    }
    let report = match fit_tool_results(&budget, fixed, &mut results) {
        Ok(report) => report,
        Err(e) => {
            tracing::warn!(error = %e, "conversation does not fit the context window; sent as is");
            return messages.to_vec();
        }
    };
    if !report.truncated.is_empty() {
        let cut: Vec<String> = report
            .truncated
            .iter()
            .map(|t| format!("#{} {}→{}", t.index + 1, t.original_tokens, t.kept_tokens))
            .collect();
        tracing::info!(
            window_tokens,
            total_tokens = report.total_tokens,
            "✂️  Context budget: cut tool results {}",
            cut.join(", ")
        );
    }
    let mut fitted = heads.into_iter().zip(results);
    messages
        .iter()
        .map(|message| {
            let mut message = message.clone();
            if tool_content(&message).is_some()
                && let Some((head, body)) = fitted.next()
            {
                message["content"] = Value::String(format!("{head}{body}"));
            }
            message
        })
        .collect()
}

fn tool_content(message: &Value) -> Option<&str> {
    if message.get("role").and_then(Value::as_str) != Some("tool") {
        return None;
    }
    message.get("content").and_then(Value::as_str)
}

/// Splits off the `<tool_output …>` opening line (with its newline), which must survive a
/// cut that keeps the newest lines; `("", content)` for anything else.
fn split_head(content: &str) -> (&str, &str) {
    if content.starts_with("<tool_output")
        && let Some(end) = content.find('\n')
    {
        return content.split_at(end + 1);
    }
    ("", content)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tool(id: &str, text: &str) -> Value {
        json!({"role": "tool", "tool_call_id": id, "content": crate::prompt::wrap_tool_output("pods_log", text)})
    }

    #[test]
    fn small_conversations_are_sent_unchanged() {
        let messages = vec![
            json!({"role": "user", "content": "hi"}),
            tool("a", "one line"),
        ];
        assert_eq!(fit_conversation(32_768, &messages, &[]), messages);
    }

    #[test]
    fn older_results_are_cut_with_a_note_and_keep_their_framing() {
        let big: String = (0..3000).map(|i| format!("old line {i}\n")).collect();
        let messages = vec![
            json!({"role": "system", "content": "system"}),
            tool("a", &big),
            tool("b", &big),
            tool("c", "newest result"),
        ];
        let fitted = fit_conversation(4_000, &messages, &[]);
        let total: usize = fitted.iter().map(|m| estimate_tokens(&m.to_string())).sum();
        assert!(total <= 4_000, "{total}");
        for old in &fitted[1..3] {
            let text = old["content"].as_str().unwrap_or_default();
            assert!(
                text.starts_with("<tool_output tool=\"pods_log\">\n[truncated: "),
                "{text:.80}"
            );
            assert!(text.ends_with("</tool_output>"));
        }
        assert_eq!(fitted[3], messages[3]);
        assert_eq!(fitted[0], messages[0]);
    }
}
