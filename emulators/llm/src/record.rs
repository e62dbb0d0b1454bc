//! What the emulator remembers about each chat request, so tests can assert on what
//! an agent really sent (prompt, tool list, tool results, headers).

use axum::http::HeaderMap;
use serde_json::Value;

/// One chat completion request as received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The path (`/v1/chat/completions` or `/chat/completions`).
    pub path: String,
    /// `model`, if present.
    pub model: Option<String>,
    /// `messages` (empty if absent).
    pub messages: Vec<Value>,
    /// `tools` (empty if absent).
    pub tools: Vec<Value>,
    /// `tool_choice`, if present.
    pub tool_choice: Option<Value>,
    /// Whether `stream: true` was asked.
    pub stream: bool,
    /// The whole body (`Null` if it was not JSON).
    pub body: Value,
    /// Request headers, lower-case names; `authorization` is masked to its last 4
    /// characters so secrets never end up in test output.
    pub headers: Vec<(String, String)>,
    /// Who the key belonged to (None when it was missing or unknown).
    pub caller: Option<super::Caller>,
    /// The index of the scripted turn that answered (None: fallback or rejected).
    pub turn: Option<usize>,
    /// The HTTP status answered.
    pub status: u16,
}

impl RecordedRequest {
    /// Builds a record from the parsed body and headers.
    pub(crate) fn new(path: &str, body: Value, headers: &HeaderMap) -> Self {
        let list = |name: &str| {
            body.get(name)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        Self {
            path: path.to_string(),
            model: body
                .get("model")
                .and_then(Value::as_str)
                .map(str::to_string),
            messages: list("messages"),
            tools: list("tools"),
            tool_choice: body.get("tool_choice").cloned(),
            stream: body.get("stream").and_then(Value::as_bool) == Some(true),
            headers: headers
                .iter()
                .map(|(name, value)| {
                    let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    let shown = if name == axum::http::header::AUTHORIZATION
                        || name.as_str().ends_with("api-key")
                    {
                        mask(&text)
                    } else {
                        text
                    };
                    (name.as_str().to_string(), shown)
                })
                .collect(),
            body,
            caller: None,
            turn: None,
            status: 0,
        }
    }

    /// The first header value named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The names of the tools offered.
    pub fn tool_names(&self) -> Vec<String> {
        super::predicate::tool_names(&self.body)
            .map(str::to_string)
            .collect()
    }

    /// The last message, if any.
    pub fn last_message(&self) -> Option<&Value> {
        self.messages.last()
    }

    /// The text of every message with `role`, in order.
    pub fn texts_of(&self, role: &str) -> Vec<String> {
        self.messages
            .iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some(role))
            .map(super::predicate::message_text)
            .collect()
    }
}

fn mask(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("***{tail}")
}
