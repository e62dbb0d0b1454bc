//! Keeps the whole conversation inside the model's context window.
//!
//! Before every LLM call the conversation is measured (`failure_analysis`'s pessimistic
//! token estimate) and, when it would not fit the window minus the answer reserve, the tool
//! results are cut by [`fit_tool_results`]: the newest result stays whole while it can, the
//! older ones share the rest fairly, each keeping its newest lines behind a visible
//! `[truncated: N lines omitted]` note. Prompts and assistant turns are never cut. The full
//! results stay in the run's history; only the copy sent is cut.
//!
//! A tool result reaches the model in one of two forms: a native `role: tool` message, or,
//! after a tool call the model wrote as text, a `role: user` message holding one framed
//! `<tool_output …>` block per call (models without native tool calling are the ones with
//! the smallest windows, so that form must be cut too). Both are split into [`Part`]s: the
//! text around the blocks and each block's opening and closing lines stay, the block
//! contents are what gets cut. The split is sound because the blocks come from
//! `failure_analysis::framing::frame_tool_output`, whose neutralising guarantees that no
//! `<tool_output` / `</tool_output` occurs inside a block's content: a log line cannot end
//! a block early and turn the rest of the log into text that is never cut (or that reads
//! as the agent's own words), and every cut block keeps its closing tag.

use failure_analysis::log_hygiene::{ContextBudget, estimate_tokens, fit_tool_results};
use serde_json::Value;

/// Opens a framed tool output (`crate::prompt::wrap_tool_output`).
const OPEN: &str = "<tool_output";
/// Closes a framed tool output.
const CLOSE: &str = "</tool_output>";

/// A piece of a message's content.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    /// Sent as is.
    Fixed(&'a str),
    /// A tool result: its opening line and closing tag (kept) and the content that may be cut.
    Result {
        head: &'a str,
        body: &'a str,
        tail: &'a str,
    },
}

/// The messages to send: `messages` with their tool results cut to fit `window_tokens`,
/// counting the offered `tools` as part of the prompt.
pub(crate) fn fit_conversation(
    window_tokens: usize,
    messages: &[Value],
    tools: &[Value],
) -> Vec<Value> {
    let budget = ContextBudget::new(window_tokens);
    let mut fixed: usize = tools.iter().map(|t| estimate_tokens(&t.to_string())).sum();
    let split = split_messages(messages);
    let mut results = Vec::new();
    for (message, parts) in messages.iter().zip(&split) {
        let Some(parts) = parts else {
            fixed += estimate_tokens(&message.to_string());
            continue;
        };
        // Everything but the cuttable bodies is fixed: the role, the call id, the framing
        // lines (kept so the data stays delimited) and the text around the blocks.
        let mut shell = message.clone();
        shell["content"] = Value::String(String::new());
        fixed += estimate_tokens(&shell.to_string());
        for part in parts {
            match part {
                Part::Fixed(text) => fixed += estimate_tokens(text),
                Part::Result { head, body, tail } => {
                    fixed += estimate_tokens(head) + estimate_tokens(tail);
                    results.push(body.to_string());
                }
            }
        }
    }
    if results.is_empty() {
        return messages.to_vec();
    }
    let report = match fit_tool_results(&budget, fixed, &mut results) {
        Ok(report) => report,
        Err(e) => {
            tracing::warn!(error = %e, "conversation does not fit the context window; sent as is");
            return messages.to_vec();
        }
    };
    if report.truncated.is_empty() {
        return messages.to_vec();
    }
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
    let mut bodies = results.into_iter();
    messages
        .iter()
        .zip(&split)
        .map(|(message, parts)| {
            let mut message = message.clone();
            if let Some(parts) = parts {
                let mut content = String::new();
                for part in parts {
                    match part {
                        Part::Fixed(text) => content.push_str(text),
                        Part::Result { head, body, tail } => {
                            content.push_str(head);
                            content.push_str(&bodies.next().unwrap_or_else(|| body.to_string()));
                            content.push_str(tail);
                        }
                    }
                }
                message["content"] = Value::String(content);
            }
            message
        })
        .collect()
}

/// The parts of each message that holds tool results; `None` for messages sent whole
/// (system, assistant, and the first user message, which is the prompt).
fn split_messages(messages: &[Value]) -> Vec<Option<Vec<Part<'_>>>> {
    let first_user = messages
        .iter()
        .position(|m| m.get("role").and_then(Value::as_str) == Some("user"));
    messages
        .iter()
        .enumerate()
        .map(|(i, message)| {
            let content = message.get("content").and_then(Value::as_str)?;
            match message.get("role").and_then(Value::as_str)? {
                "tool" => Some(tool_parts(content)),
                "user" if Some(i) != first_user => text_result_parts(content),
                _ => None,
            }
        })
        .collect()
}

/// A native tool message: its framed blocks, or (an error the agent wrote) all of it.
fn tool_parts(content: &str) -> Vec<Part<'_>> {
    framed_parts(content).unwrap_or_else(|| {
        vec![Part::Result {
            head: "",
            body: content,
            tail: "",
        }]
    })
}

/// A user message carrying the results of text-form calls: each framed block is a result,
/// the text around them is fixed; `None` when it holds no block.
fn text_result_parts(content: &str) -> Option<Vec<Part<'_>>> {
    framed_parts(content)
}

/// The framed blocks of `content` (content cuttable, the rest fixed); `None` without any
/// complete block. A block's head is its first line; its content runs to the next
/// `</tool_output>`, which the framing guarantees is its own.
fn framed_parts(content: &str) -> Option<Vec<Part<'_>>> {
    let mut parts = Vec::new();
    let mut rest = content;
    while let Some(open) = rest.find(OPEN) {
        let block = &rest[open..];
        let (Some(head_end), Some(close)) = (block.find('\n'), block.find(CLOSE)) else {
            break;
        };
        if close < head_end {
            break;
        }
        let end = close + CLOSE.len();
        parts.push(Part::Fixed(&rest[..open]));
        parts.push(Part::Result {
            head: &block[..=head_end],
            body: &block[head_end + 1..close],
            tail: &block[close..end],
        });
        rest = &block[end..];
    }
    if parts.is_empty() {
        return None;
    }
    parts.push(Part::Fixed(rest));
    Some(parts)
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
    fn text_result(blocks: &[&str]) -> Value {
        let wrapped: Vec<String> = blocks
            .iter()
            .map(|b| crate::prompt::wrap_tool_output("pods_log", b))
            .collect();
        json!({"role": "user", "content": format!("Tool result:\n{}\n\nContinue with the issue.", wrapped.join("\n\n"))})
    }

    #[test]
    fn text_form_results_are_cut_inside_their_blocks_and_the_prompt_is_not() {
        let big: String = (0..3000).map(|i| format!("old line {i}\n")).collect();
        let prompt_log: String = (0..300).map(|i| format!("prompt line {i}\n")).collect();
        let messages = vec![
            json!({"role": "system", "content": "system"}),
            json!({"role": "user", "content": crate::prompt::wrap_tool_output("log_tail", &prompt_log)}),
            json!({"role": "assistant", "content": "```json\n{\"name\": \"pods_log\"}\n```"}),
            text_result(&[&big, &big]),
            json!({"role": "assistant", "content": "again"}),
            text_result(&["newest result"]),
        ];
        let fitted = fit_conversation(4_000, &messages, &[]);
        let total: usize = fitted.iter().map(|m| estimate_tokens(&m.to_string())).sum();
        assert!(total <= 4_000, "{total}");
        // The prompt, the assistant turns and the newest result are untouched.
        for i in [0, 1, 2, 4, 5] {
            assert_eq!(fitted[i], messages[i], "message {i}");
        }
        let cut = fitted[3]["content"].as_str().unwrap_or_default();
        assert!(
            cut.starts_with("Tool result:\n<tool_output tool=\"pods_log\">\n[truncated: "),
            "{cut:.80}"
        );
        assert!(
            cut.ends_with("</tool_output>\n\nContinue with the issue."),
            "{cut}"
        );
        // Both blocks keep their framing and their newest lines.
        assert_eq!(
            cut.matches("<tool_output tool=\"pods_log\">\n[truncated: ")
                .count(),
            2
        );
        assert_eq!(cut.matches("old line 2999\n</tool_output>").count(), 2);
        assert!(!cut.contains("old line 0\n"));
    }

    #[test]
    fn text_without_a_complete_block_is_not_a_result() {
        assert_eq!(text_result_parts("no blocks here"), None);
        assert_eq!(
            text_result_parts("<tool_output tool=\"x\">\nunclosed"),
            None
        );
        assert_eq!(
            text_result_parts("a <tool_output tool=\"x\">\nbody\n</tool_output> b"),
            Some(vec![
                Part::Fixed("a "),
                Part::Result {
                    head: "<tool_output tool=\"x\">\n",
                    body: "body\n",
                    tail: "</tool_output>"
                },
                Part::Fixed(" b"),
            ])
        );
    }
}
