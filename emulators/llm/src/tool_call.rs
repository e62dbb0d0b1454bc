//! [`ToolCallSpec`]: one tool call a scripted reply emits (name, arguments sent as given,
//! call id), used both for native `tool_calls` and for calls written into the text.

use serde::Deserialize;
use serde_json::Value;

/// One tool call to emit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCallSpec {
    /// The function name.
    pub name: String,
    /// The arguments. A JSON string is sent verbatim (to emit malformed or
    /// double-encoded arguments); anything else is serialised.
    #[serde(default = "empty_object")]
    pub arguments: Value,
    /// The call id; generated (`call_…`) when absent. `Some("")` sends an empty id.
    #[serde(default)]
    pub id: Option<String>,
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

impl ToolCallSpec {
    /// A call of `name` with `arguments`.
    pub fn new(name: impl Into<String>, arguments: Value) -> Self {
        Self {
            name: name.into(),
            arguments,
            id: None,
        }
    }

    /// Sets the call id.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The `function.arguments` string as sent on the wire.
    pub fn arguments_string(&self) -> String {
        match &self.arguments {
            Value::String(raw) => raw.clone(),
            other => other.to_string(),
        }
    }
}
