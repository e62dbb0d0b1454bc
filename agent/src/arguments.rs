//! Checks and lightly repairs the arguments a model wrote for a tool, against the tool's
//! JSON schema, before anything is sent to an MCP server.
//!
//! Models get arguments wrong in predictable ways: double-encoded JSON, numbers as strings,
//! the prompt's `tailLines` where the server wants `tail`, keys the tool does not know.
//! Safe repairs are made silently (and reported in the log); anything else becomes an
//! error message that goes back to the model as the tool result, so it can correct itself.

use serde_json::{Map, Value};

/// Arguments ready to send, plus what was repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The arguments object.
    pub arguments: Map<String, Value>,
    /// Human-readable notes on repairs (renamed, coerced or dropped keys).
    pub repairs: Vec<String>,
}

/// Names models use for a parameter, mapped to the name tools actually declare.
const ALIASES: &[(&str, &str)] = &[
    ("tailLines", "tail"),
    ("tail_lines", "tail"),
    ("lines", "tail"),
    ("pod_name", "name"),
    ("pod", "name"),
    ("container_name", "container"),
];

/// Parses the raw arguments text of a native tool call.
pub fn parse_raw(raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(trimmed)
        .map_err(|e| format!("the arguments are not valid JSON ({e}); send a JSON object"))
}

/// Checks `value` against `schema`, repairing what is safe to repair.
pub fn prepare(value: Value, schema: &Value) -> Result<Prepared, String> {
    let mut repairs = Vec::new();
    let value = match value {
        Value::String(s) => {
            repairs.push("decoded double-encoded JSON arguments".into());
            parse_raw(&s)?
        }
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    let Value::Object(mut args) = value else {
        return Err(format!(
            "the arguments must be a JSON object; {}",
            describe(schema)
        ));
    };
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if props.is_empty() {
        return Ok(Prepared {
            arguments: args,
            repairs,
        });
    }
    for (alias, target) in ALIASES {
        if !props.contains_key(*alias)
            && props.contains_key(*target)
            && !args.contains_key(*target)
            && let Some(v) = args.remove(*alias)
        {
            repairs.push(format!("renamed {alias} to {target}"));
            args.insert(target.to_string(), v);
        }
    }
    let open = schema.get("additionalProperties") == Some(&Value::Bool(true));
    let unknown: Vec<String> = args
        .keys()
        .filter(|k| !props.contains_key(*k))
        .cloned()
        .collect();
    for key in unknown {
        if !open {
            args.remove(&key);
            repairs.push(format!("dropped unknown argument {key}"));
        }
    }
    let mut problems = Vec::new();
    for (key, value) in args.iter_mut() {
        let Some(prop) = props.get(key) else { continue };
        if let Err(problem) = check_value(key, value, prop, &mut repairs) {
            problems.push(problem);
        }
    }
    let missing: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|k| args.get(*k).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "missing required argument(s): {}",
            missing.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(Prepared {
            arguments: args,
            repairs,
        })
    } else {
        Err(format!(
            "invalid arguments: {}. {}",
            problems.join("; "),
            describe(schema)
        ))
    }
}

fn expected_type(prop: &Value) -> Option<&str> {
    match prop.get("type")? {
        Value::String(t) => Some(t.as_str()),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

fn check_value(
    key: &str,
    value: &mut Value,
    prop: &Value,
    repairs: &mut Vec<String>,
) -> Result<(), String> {
    if let Some(expected) = expected_type(prop) {
        if let Some(coerced) = coerce(value, expected) {
            repairs.push(format!("converted {key} to {expected}"));
            *value = coerced;
        }
        let ok = match expected {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        let nullable = prop
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.contains(&Value::from("null")));
        if !(ok || (nullable && value.is_null())) {
            return Err(format!("{key} must be {expected}, got {}", short(value)));
        }
    }
    if let Some(allowed) = prop.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        return Err(format!(
            "{key} must be one of {}, got {}",
            list.join(", "),
            short(value)
        ));
    }
    Ok(())
}

/// A safe conversion of `value` to `expected`, if one applies.
fn coerce(value: &Value, expected: &str) -> Option<Value> {
    match (expected, value) {
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        ("integer", Value::Number(n)) if !n.is_i64() && !n.is_u64() => {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9e15).then(|| Value::from(f as i64))
        }
        ("number", Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)),
        ("boolean", Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ("string", Value::Number(_) | Value::Bool(_)) => Some(Value::String(value.to_string())),
        ("array" | "object", Value::String(s)) => {
            serde_json::from_str::<Value>(s).ok().filter(|v| {
                (expected == "array" && v.is_array()) || (expected == "object" && v.is_object())
            })
        }
        _ => None,
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// One line describing the parameters, for error messages the model reads.
pub fn describe(schema: &Value) -> String {
    let empty = Map::new();
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let params: Vec<String> = props
        .iter()
        .map(|(k, p)| {
            let t = expected_type(p).unwrap_or("any");
            let req = if required.contains(&k.as_str()) {
                ", required"
            } else {
                ""
            };
            format!("{k} ({t}{req})")
        })
        .collect();
    format!(
        "Expected parameters: {}",
        if params.is_empty() {
            "none".into()
        } else {
            params.join(", ")
        }
    )
}

#[cfg(test)]
#[path = "arguments/tests.rs"]
mod tests;
