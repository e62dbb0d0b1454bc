//! Reading objects out of MCP tool results: kubernetes-mcp-server answers `pods_get` and
//! `resources_get` with YAML, `events_list` with a commented YAML list of capitalised maps,
//! and `resources_get` also with JSON `structuredContent`. The classifier wants JSON values.

use serde_json::Value;

/// Drops the leading `# …` comment lines the server puts before YAML.
fn strip_comments(text: &str) -> &str {
    let mut rest = text;
    while rest.trim_start().starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, after)| after);
    }
    rest
}

/// A list, or a map with a Kubernetes object's keys (an error text like `Error: x` also
/// parses as a YAML map, but is not an object).
fn is_object_like(v: &Value) -> bool {
    match v {
        Value::Array(_) => true,
        Value::Object(m) => ["kind", "apiVersion", "metadata", "items", "status"]
            .iter()
            .any(|k| m.contains_key(*k)),
        _ => false,
    }
}

/// Parses a Kubernetes object (or list) from a tool result: JSON, or YAML after leading
/// comment lines. `None` when the text is neither (an error message, an empty result).
pub fn parse_object(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    let parsed = match serde_json::from_str::<Value>(trimmed) {
        Ok(v) => v,
        Err(_) => {
            let body = strip_comments(trimmed);
            if body.trim().is_empty() {
                return None;
            }
            serde_saphyr::from_str(body).ok()?
        }
    };
    is_object_like(&parsed).then_some(parsed)
}

/// Parses an `events_list` result into a JSON array of events (empty for "# No events
/// found" or unreadable text). The classifier reads both the server's capitalised keys and
/// the API's own.
pub fn parse_events(text: &str) -> Value {
    match parse_object(text) {
        Some(Value::Array(items)) => Value::Array(items),
        Some(v) => match v.get("items") {
            Some(Value::Array(items)) => Value::Array(items.clone()),
            _ => Value::Array(Vec::new()),
        },
        None => Value::Array(Vec::new()),
    }
}

/// A field of an event in either spelling (`reason` or `Reason`).
pub(super) fn event_field<'a>(event: &'a Value, key: &str) -> &'a str {
    let mut cap = key.to_owned();
    if let Some(first) = cap.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    event
        .get(key)
        .or_else(|| event.get(&cap))
        .and_then(Value::as_str)
        .unwrap_or("")
}
