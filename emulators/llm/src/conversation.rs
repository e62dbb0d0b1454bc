//! Checks on the shape of `messages`, as OpenAI's API makes them: known roles, and every
//! assistant `tool_calls` answered by one `tool` message per call id before the
//! conversation goes on. An agent that drops a tool result or invents an id gets the
//! 400 a strict provider would send, instead of passing a lenient test.

use std::collections::BTreeSet;

use serde_json::Value;

use super::error::LiteLlmError;

const ROLES: [&str; 6] = [
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// Validates `messages`; `strict_tools` enables the tool-call pairing rules.
pub(crate) fn check(messages: &[Value], strict_tools: bool) -> Result<(), LiteLlmError> {
    let mut pending: BTreeSet<String> = BTreeSet::new();
    for (index, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        if !ROLES.contains(&role) {
            return Err(LiteLlmError::bad_request(format!(
                "Invalid value for 'messages[{index}].role': '{role}'. Supported values are: {}.",
                ROLES.join(", ")
            ))
            .param(&format!("messages.[{index}].role")));
        }
        if !strict_tools {
            continue;
        }
        if role == "tool" {
            let id = message
                .get("tool_call_id")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !pending.remove(id) {
                return Err(LiteLlmError::bad_request(format!(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (messages[{index}].tool_call_id '{id}' matches none)."
                ))
                .param(&format!("messages.[{index}].tool_call_id")));
            }
            continue;
        }
        if !pending.is_empty() {
            return Err(missing(&pending));
        }
        if role == "assistant" {
            pending = message
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|call| call.get("id").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
        }
    }
    if pending.is_empty() {
        Ok(())
    } else {
        Err(missing(&pending))
    }
}

fn missing(pending: &BTreeSet<String>) -> LiteLlmError {
    LiteLlmError::bad_request(format!(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
        pending.iter().cloned().collect::<Vec<_>>().join(", ")
    ))
    .param("messages")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assistant(ids: &[&str]) -> Value {
        let calls: Vec<Value> = ids
            .iter()
            .map(|id| json!({"id": id, "type": "function", "function": {"name": "f", "arguments": "{}"}}))
            .collect();
        json!({"role": "assistant", "content": null, "tool_calls": calls})
    }

    fn tool(id: &str) -> Value {
        json!({"role": "tool", "tool_call_id": id, "content": "x"})
    }

    #[test]
    fn every_call_needs_its_result() {
        let user = json!({"role": "user", "content": "hi"});
        let ok = [
            user.clone(),
            assistant(&["a", "b"]),
            tool("b"),
            tool("a"),
            user.clone(),
        ];
        assert!(check(&ok, true).is_ok());
        let missing_one = [
            user.clone(),
            assistant(&["a", "b"]),
            tool("a"),
            user.clone(),
        ];
        assert!(
            check(&missing_one, true)
                .unwrap_err()
                .message
                .contains(": b")
        );
        let at_end = [user.clone(), assistant(&["a"])];
        assert!(check(&at_end, true).is_err());
        let orphan = [user.clone(), tool("z")];
        assert!(check(&orphan, true).unwrap_err().message.contains("'z'"));
        assert!(check(&orphan, false).is_ok());
    }

    #[test]
    fn unknown_roles_are_refused() {
        let bad = [json!({"role": "robot", "content": "x"})];
        assert!(check(&bad, false).unwrap_err().message.contains("'robot'"));
    }
}
