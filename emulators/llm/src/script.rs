//! Scripts: what the emulated model answers, turn by turn.
//!
//! A [`Script`] is an ordered list of [`Turn`]s. For every chat request the emulator picks
//! the first turn not yet used whose optional [`Predicate`] matches the request, and
//! replays its [`Reply`]. A turn marked `repeat` is never used up. When no turn matches,
//! the script's `fallback` reply is used (by default a plain text answer), so an agent
//! loop always terminates.
//!
//! Scripts are plain data, so scenario suites can be written as YAML or JSON files:
//!
//! ```yaml
//! turns:
//!   - when: { has_tool: pods_log }
//!     tool_calls:
//!       - { name: pods_log, arguments: { namespace: agent-user1, name: build-pod } }
//!   - when: { last_tool_result_contains: "COPY failed" }
//!     text_tool_calls:
//!       form: pythonic
//!       calls: [ { name: create_issue, arguments: { owner: user1, repo: mcp, title: t } } ]
//!   - fault: { rate_limited: { retry_after_secs: 1 } }
//!   - text: "The build failed because requirements.txt is missing."
//! fallback: { text: "Nothing more to do." }
//! ```

use serde::Deserialize;
use serde_json::Value;

use super::error::ScriptError;
use super::fault::Fault;
use super::predicate::Predicate;
use super::text_forms::TextForm;
pub use super::tool_call::ToolCallSpec;

/// The reply used when a script has no matching turn left (and no `fallback` of its own).
pub const DEFAULT_FALLBACK_TEXT: &str = "I have nothing more to add.";

/// An ordered list of turns plus the reply used once none matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The turns, tried in order.
    #[serde(default)]
    pub turns: Vec<Turn>,
    /// What to answer when no unused turn matches.
    #[serde(default = "default_fallback")]
    pub fallback: Turn,
}

fn default_fallback() -> Turn {
    Turn::text(DEFAULT_FALLBACK_TEXT)
}

impl Default for Script {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Script {
    /// A script of `turns` with the default fallback.
    pub fn new(turns: impl IntoIterator<Item = Turn>) -> Self {
        Self {
            turns: turns.into_iter().collect(),
            fallback: default_fallback(),
        }
    }

    /// Replaces the fallback turn (e.g. with a fault, to make unexpected calls visible).
    pub fn with_fallback(mut self, fallback: Turn) -> Self {
        self.fallback = fallback;
        self
    }

    /// Parses a script written in YAML (the shape shown in the module docs).
    pub fn from_yaml(text: &str) -> Result<Self, ScriptError> {
        let value: Value =
            serde_saphyr::from_str(text).map_err(|err| ScriptError::Yaml(err.to_string()))?;
        serde_json::from_value(value).map_err(|err| ScriptError::Shape(err.to_string()))
    }

    /// Parses a script written in JSON.
    pub fn from_json(text: &str) -> Result<Self, ScriptError> {
        serde_json::from_str(text).map_err(|err| ScriptError::Shape(err.to_string()))
    }

    /// Reads a script file; `.json` files are parsed as JSON, anything else as YAML.
    pub fn from_file(path: &std::path::Path) -> Result<Self, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if path.extension().is_some_and(|ext| ext == "json") {
            Self::from_json(&text)
        } else {
            Self::from_yaml(&text)
        }
    }
}

/// One scripted model answer, with the conditions under which it is used.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "TurnDoc")]
pub struct Turn {
    /// Used only for requests matching this predicate.
    pub when: Option<Predicate>,
    /// What the model answers.
    pub reply: Reply,
    /// Overrides the natural `finish_reason` (`stop`, or `tool_calls` for native calls).
    pub finish_reason: Option<FinishReason>,
    /// Text content sent alongside native tool calls.
    pub content: Option<String>,
    /// Waits this long before answering (slow backends, client timeouts).
    pub delay_ms: u64,
    /// A repeated turn is never used up.
    pub repeat: bool,
    /// Overrides the estimated token counts.
    pub usage: Option<UsageSpec>,
    /// When streaming, stop after this many `data:` events, without `[DONE]` (a
    /// connection lost mid-answer).
    pub cut_stream_after: Option<usize>,
    /// With `cut_stream_after`: an error event (`data: {"error": …}`, as LiteLLM sends
    /// when the backend fails mid-stream) with this message ends the stream.
    pub stream_error: Option<String>,
}

impl Turn {
    fn of(reply: Reply) -> Self {
        Self {
            when: None,
            reply,
            finish_reason: None,
            content: None,
            delay_ms: 0,
            repeat: false,
            usage: None,
            cut_stream_after: None,
            stream_error: None,
        }
    }

    /// A plain text answer (`finish_reason: stop`).
    pub fn text(content: impl Into<String>) -> Self {
        Self::of(Reply::Text(content.into()))
    }

    /// Native tool calls, several in one turn when more than one is given.
    /// `Turn::tool_calls([("pods_log", json!({"namespace": "a", "name": "b"}))])`
    pub fn tool_calls<N: Into<String>>(calls: impl IntoIterator<Item = (N, Value)>) -> Self {
        Self::of(Reply::ToolCalls(
            calls
                .into_iter()
                .map(|(name, arguments)| ToolCallSpec::new(name, arguments))
                .collect(),
        ))
    }

    /// Native tool calls given in full (ids, raw argument strings).
    pub fn tool_call_specs(calls: impl IntoIterator<Item = ToolCallSpec>) -> Self {
        Self::of(Reply::ToolCalls(calls.into_iter().collect()))
    }

    /// Tool calls written into the text content the way some models emit them.
    pub fn text_tool_calls<N: Into<String>>(
        form: TextForm,
        calls: impl IntoIterator<Item = (N, Value)>,
    ) -> Self {
        Self::of(Reply::TextToolCalls {
            form,
            calls: calls
                .into_iter()
                .map(|(name, arguments)| ToolCallSpec::new(name, arguments))
                .collect(),
            before: String::new(),
            after: String::new(),
        })
    }

    /// A failure instead of an answer.
    pub fn fault(fault: Fault) -> Self {
        Self::of(Reply::Fault(fault))
    }

    /// Restricts the turn to requests matching `predicate`.
    pub fn when(mut self, predicate: Predicate) -> Self {
        self.when = Some(predicate);
        self
    }

    /// Sets the `finish_reason` (e.g. `length` for a truncated answer).
    pub fn finish_reason(mut self, reason: FinishReason) -> Self {
        self.finish_reason = Some(reason);
        self
    }

    /// Sets text content next to native tool calls.
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// Delays the answer.
    pub fn delay_ms(mut self, millis: u64) -> Self {
        self.delay_ms = millis;
        self
    }

    /// Makes the turn reusable.
    pub fn repeat(mut self) -> Self {
        self.repeat = true;
        self
    }

    /// Ends a streamed answer after `events` events, without `[DONE]`.
    pub fn cut_stream_after(mut self, events: usize) -> Self {
        self.cut_stream_after = Some(events);
        self
    }

    /// Ends a streamed answer after `events` events with an in-stream error event.
    pub fn stream_error_after(mut self, events: usize, message: impl Into<String>) -> Self {
        self.cut_stream_after = Some(events);
        self.stream_error = Some(message.into());
        self
    }

    /// Sets explicit token counts.
    pub fn usage(mut self, prompt_tokens: u64, completion_tokens: u64) -> Self {
        self.usage = Some(UsageSpec {
            prompt_tokens,
            completion_tokens,
        });
        self
    }
}

/// What a turn answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Assistant text.
    Text(String),
    /// Native `tool_calls` (one or several, in parallel).
    ToolCalls(Vec<ToolCallSpec>),
    /// Tool calls embedded in the content text.
    TextToolCalls {
        /// How the calls are written.
        form: TextForm,
        /// The calls.
        calls: Vec<ToolCallSpec>,
        /// Prose before the calls.
        before: String,
        /// Prose after the calls.
        after: String,
    },
    /// An HTTP error or a broken response.
    Fault(Fault),
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A complete answer.
    Stop,
    /// The output hit `max_tokens`.
    Length,
    /// The model called tools.
    ToolCalls,
    /// The answer was filtered.
    ContentFilter,
}

impl FinishReason {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::ContentFilter => "content_filter",
        }
    }
}

/// Explicit token counts for a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageSpec {
    /// Tokens in the prompt.
    pub prompt_tokens: u64,
    /// Tokens in the answer.
    pub completion_tokens: u64,
}

/// The serialised form of a turn: exactly one of `text`, `tool_calls`,
/// `text_tool_calls`, `fault`, plus options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TurnDoc {
    #[serde(default)]
    when: Option<Predicate>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallSpec>>,
    #[serde(default)]
    text_tool_calls: Option<TextToolCallsDoc>,
    #[serde(default)]
    fault: Option<Fault>,
    #[serde(default)]
    finish_reason: Option<FinishReason>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    repeat: bool,
    #[serde(default)]
    usage: Option<UsageSpec>,
    #[serde(default)]
    cut_stream_after: Option<usize>,
    #[serde(default)]
    stream_error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextToolCallsDoc {
    form: TextForm,
    calls: Vec<ToolCallSpec>,
    #[serde(default)]
    before: String,
    #[serde(default)]
    after: String,
}

impl TryFrom<TurnDoc> for Turn {
    type Error = String;

    fn try_from(doc: TurnDoc) -> Result<Self, Self::Error> {
        let mut replies = Vec::new();
        if let Some(text) = doc.text {
            replies.push(Reply::Text(text));
        }
        if let Some(calls) = doc.tool_calls {
            replies.push(Reply::ToolCalls(calls));
        }
        if let Some(t) = doc.text_tool_calls {
            replies.push(Reply::TextToolCalls {
                form: t.form,
                calls: t.calls,
                before: t.before,
                after: t.after,
            });
        }
        if let Some(fault) = doc.fault {
            replies.push(Reply::Fault(fault));
        }
        if replies.len() != 1 {
            return Err(format!(
                "a turn needs exactly one of `text`, `tool_calls`, `text_tool_calls`, `fault` (found {})",
                replies.len()
            ));
        }
        let reply = replies.remove(0);
        Ok(Self {
            when: doc.when,
            reply,
            finish_reason: doc.finish_reason,
            content: doc.content,
            delay_ms: doc.delay_ms,
            repeat: doc.repeat,
            usage: doc.usage,
            cut_stream_after: doc.cut_stream_after,
            stream_error: doc.stream_error,
        })
    }
}
