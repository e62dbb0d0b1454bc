//! Conditions on a chat request that select which scripted turn answers it, so a
//! script can react to what the agent actually sent (which tools it offered, what a
//! tool returned) rather than only to the request's position.

use serde::Deserialize;
use serde_json::Value;

/// A condition on a chat request. In YAML: `{has_tool: pods_log}`,
/// `{last_tool_result_contains: "COPY failed"}`, `{all: [...]}`, `no_tools`, …
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Predicate {
    /// `tools` offers a function with this name.
    HasTool(String),
    /// `tools` is absent or empty (e.g. a loop forcing a final answer).
    NoTools,
    /// The conversation ends with tool results (the trailing run of `tool` messages,
    /// one per parallel call) and one of them contains this text.
    LastToolResultContains(String),
    /// The last message (any role) contains this text.
    LastMessageContains(String),
    /// Some message (any role) contains this text.
    AnyMessageContains(String),
    /// The last message has this role.
    LastRole(String),
    /// The request asks for this model.
    Model(String),
    /// `tool_choice` equals this JSON value (`"auto"`, `"required"`, an object, …).
    ToolChoice(Value),
    /// The request asks for streaming.
    Stream,
    /// All of these hold.
    All(Vec<Predicate>),
    /// At least one of these holds.
    Any(Vec<Predicate>),
    /// This does not hold.
    Not(Box<Predicate>),
}

impl Predicate {
    /// `tools` offers `name`.
    pub fn has_tool(name: impl Into<String>) -> Self {
        Self::HasTool(name.into())
    }

    /// One of the trailing tool results contains `text`.
    pub fn last_tool_result_contains(text: impl Into<String>) -> Self {
        Self::LastToolResultContains(text.into())
    }

    /// The last message contains `text`.
    pub fn last_message_contains(text: impl Into<String>) -> Self {
        Self::LastMessageContains(text.into())
    }

    /// Some message contains `text`.
    pub fn any_message_contains(text: impl Into<String>) -> Self {
        Self::AnyMessageContains(text.into())
    }

    /// Whether `request` (a chat completion body) satisfies the predicate.
    pub fn matches(&self, request: &Value) -> bool {
        let messages = request
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let last = messages.last();
        match self {
            Self::HasTool(name) => tool_names(request).any(|tool| tool == name),
            Self::NoTools => tool_names(request).next().is_none(),
            Self::LastToolResultContains(text) => messages
                .iter()
                .rev()
                .take_while(|message| role(message) == Some("tool"))
                .any(|message| message_text(message).contains(text.as_str())),
            Self::LastMessageContains(text) => {
                last.is_some_and(|message| message_text(message).contains(text.as_str()))
            }
            Self::AnyMessageContains(text) => messages
                .iter()
                .any(|message| message_text(message).contains(text.as_str())),
            Self::LastRole(wanted) => last.and_then(role) == Some(wanted.as_str()),
            Self::Model(model) => request.get("model").and_then(Value::as_str) == Some(model),
            Self::ToolChoice(choice) => request.get("tool_choice") == Some(choice),
            Self::Stream => request.get("stream").and_then(Value::as_bool) == Some(true),
            Self::All(all) => all.iter().all(|p| p.matches(request)),
            Self::Any(any) => any.iter().any(|p| p.matches(request)),
            Self::Not(inner) => !inner.matches(request),
        }
    }
}

fn role(message: &Value) -> Option<&str> {
    message.get("role").and_then(Value::as_str)
}

/// The names of the functions offered in `tools`.
pub(crate) fn tool_names(request: &Value) -> impl Iterator<Item = &str> {
    request
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.pointer("/function/name").and_then(Value::as_str))
}

/// The text of a message: a string content, or the text parts of a content array.
pub(crate) fn message_text(message: &Value) -> String {
    match message.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_result_text_is_searched_in_every_trailing_result() {
        let request = json!({"messages": [
            {"role": "user", "content": "COPY failed"},
            {"role": "assistant", "content": null, "tool_calls": []},
            {"role": "tool", "tool_call_id": "1", "content": "COPY failed"},
            {"role": "tool", "tool_call_id": "2", "content": [{"type": "text", "text": "events"}]},
        ]});
        assert!(Predicate::last_tool_result_contains("COPY").matches(&request));
        assert!(Predicate::last_tool_result_contains("events").matches(&request));
        let after_user = json!({"messages": [
            {"role": "tool", "tool_call_id": "1", "content": "COPY failed"},
            {"role": "user", "content": "and now?"},
        ]});
        assert!(!Predicate::last_tool_result_contains("COPY").matches(&after_user));
        assert!(Predicate::any_message_contains("COPY").matches(&after_user));
    }

    #[test]
    fn predicates_combine() {
        let request = json!({"model": "m", "stream": true, "tools": [
            {"type": "function", "function": {"name": "pods_log"}},
        ], "messages": [{"role": "user", "content": "x"}]});
        let both = Predicate::All(vec![Predicate::has_tool("pods_log"), Predicate::Stream]);
        assert!(both.matches(&request));
        assert!(!Predicate::Not(Box::new(both)).matches(&request));
        assert!(
            Predicate::Any(vec![Predicate::NoTools, Predicate::Model("m".into())])
                .matches(&request)
        );
        assert!(Predicate::LastRole("user".into()).matches(&request));
        assert!(!Predicate::NoTools.matches(&request));
    }
}
