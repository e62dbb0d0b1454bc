//! Writing tool calls into plain assistant text, in the shapes real models emit when
//! they ignore native tool calling or the serving stack has no parser for them
//! (Llama 3.x JSON, Llama 4 Python-style lists, Hermes/Qwen tags). Agents must parse
//! these, so the emulator must produce them exactly.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::tool_call::ToolCallSpec;

/// How tool calls are written into the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextForm {
    /// `{"name": "pods_log", "arguments": {…}}`, several separated by a blank line.
    Json,
    /// `{"name": "pods_log", "parameters": {…}}` (Llama 3.x).
    JsonParameters,
    /// A JSON object inside a ```` ```json ```` fence.
    Fenced,
    /// `<|python_tag|>{"name": …, "parameters": {…}}`, several separated by `; `.
    PythonTag,
    /// `[pods_log(namespace="a", name="b"), other(x=1)]` (Llama 4 pythonic).
    Pythonic,
    /// `<tool_call>{"name": …, "arguments": {…}}</tool_call>` (Hermes, Qwen).
    Hermes,
}

/// The assistant content carrying `calls` in `form`, between `before` and `after`.
pub fn render(form: TextForm, calls: &[ToolCallSpec], before: &str, after: &str) -> String {
    let body = match form {
        TextForm::Json => join(calls, "arguments", "\n\n"),
        TextForm::JsonParameters => join(calls, "parameters", "\n\n"),
        TextForm::Fenced => calls
            .iter()
            .map(|call| format!("```json\n{}\n```", json_object(call, "arguments")))
            .collect::<Vec<_>>()
            .join("\n\n"),
        TextForm::PythonTag => format!("<|python_tag|>{}", join(calls, "parameters", "; ")),
        TextForm::Pythonic => format!(
            "[{}]",
            calls
                .iter()
                .map(pythonic_call)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TextForm::Hermes => calls
            .iter()
            .map(|call| {
                format!(
                    "<tool_call>\n{}\n</tool_call>",
                    json_object(call, "arguments")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    [before, body.as_str(), after]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn join(calls: &[ToolCallSpec], key: &str, separator: &str) -> String {
    calls
        .iter()
        .map(|call| json_object(call, key))
        .collect::<Vec<_>>()
        .join(separator)
}

/// `{"name": …, "<key>": …}`; string arguments are kept as a string (as a model that
/// double-encodes would write them).
fn json_object(call: &ToolCallSpec, key: &str) -> String {
    let mut object = Map::new();
    object.insert("name".into(), Value::String(call.name.clone()));
    object.insert(key.into(), call.arguments.clone());
    Value::Object(object).to_string()
}

fn pythonic_call(call: &ToolCallSpec) -> String {
    let args = match &call.arguments {
        Value::Object(map) => map
            .iter()
            .map(|(name, value)| format!("{name}={}", python_literal(value)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        other => python_literal(other),
    };
    format!("{}({args})", call.name)
}

/// A Python literal for a JSON value (`True`, `None`, `"text"`, `[1, 2]`, `{"k": 1}`).
fn python_literal(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        // JSON string escapes are valid Python string escapes.
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call() -> ToolCallSpec {
        ToolCallSpec::new(
            "pods_log",
            json!({"namespace": "a", "name": "b", "tail": 10, "previous": false}),
        )
    }

    #[test]
    fn pythonic_uses_python_literals() {
        let text = render(TextForm::Pythonic, &[call()], "", "");
        assert_eq!(
            text,
            r#"[pods_log(namespace="a", name="b", tail=10, previous=False)]"#
        );
    }

    #[test]
    fn python_tag_joins_with_semicolons_and_uses_parameters() {
        let text = render(TextForm::PythonTag, &[call(), call()], "", "");
        assert!(text.starts_with("<|python_tag|>{\"name\":\"pods_log\",\"parameters\":"));
        assert_eq!(text.matches("; {").count(), 1);
    }

    #[test]
    fn fenced_wraps_each_object_with_prose_around() {
        let text = render(TextForm::Fenced, &[call()], "Let me look.", "Done.");
        assert!(text.starts_with("Let me look.\n```json\n{\"name\":\"pods_log\""));
        assert!(text.ends_with("\n```\nDone."));
    }
}
