//! Reading tool arguments from the raw JSON object, with upstream's error wording
//! ("name parameter required", "tail parameter must be an integer: expected integer, got string").

use serde_json::{Map, Value};

use crate::error::ArgError;

/// The arguments of one tool call.
pub struct Args<'a> {
    map: &'a Map<String, Value>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn missing(name: &str) -> ArgError {
    ArgError::Missing {
        field: name.to_string(),
    }
}

fn wrong_type(name: &str, must_be: &'static str, expected: &'static str, v: &Value) -> ArgError {
    ArgError::WrongType {
        field: name.to_string(),
        must_be,
        expected,
        got: type_name(v),
    }
}

impl<'a> Args<'a> {
    /// Wrap the `arguments` object of a call.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map }
    }

    fn present(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// Optional string; empty strings count as absent.
    pub fn opt_str(&self, name: &str) -> Result<Option<String>, ArgError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(wrong_type(name, "a string", "string", v)),
        }
    }

    /// Required non-empty string.
    pub fn req_str(&self, name: &str) -> Result<String, ArgError> {
        self.opt_str(name)?.ok_or_else(|| missing(name))
    }

    /// Optional integer; integral floats (`100.0`) are accepted, as JSON has one number type.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, ArgError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    Ok(Some(i))
                } else {
                    match n.as_f64() {
                        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                        _ => Err(ArgError::WrongType {
                            field: name.to_string(),
                            must_be: "an integer",
                            expected: "integer",
                            got: "number",
                        }),
                    }
                }
            }
            Some(v) => Err(wrong_type(name, "an integer", "integer", v)),
        }
    }

    /// Optional boolean.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ArgError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong_type(name, "a boolean", "boolean", v)),
        }
    }

    /// Required array of strings.
    pub fn req_str_array(&self, name: &str) -> Result<Vec<String>, ArgError> {
        self.opt_str_array(name)?.ok_or_else(|| missing(name))
    }

    /// Optional array of strings.
    pub fn opt_str_array(&self, name: &str) -> Result<Option<Vec<String>>, ArgError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(String::from)
                        .ok_or_else(|| wrong_type(name, "an array of strings", "string items", i))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(wrong_type(name, "an array of strings", "array", v)),
        }
    }

    /// Optional object.
    pub fn opt_object(&self, name: &str) -> Result<Option<Map<String, Value>>, ArgError> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o.clone())),
            Some(v) => Err(wrong_type(name, "an object", "object", v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_parameter_and_the_types() {
        let v = json!({"tail": "ten", "previous": 1, "name": "", "command": ["ls", 3], "n": 5.0});
        let a = Args::new(v.as_object().unwrap());
        assert_eq!(
            a.opt_int("tail").unwrap_err().to_string(),
            "tail parameter must be an integer: expected integer, got string"
        );
        assert_eq!(
            a.opt_bool("previous").unwrap_err().to_string(),
            "previous parameter must be a boolean: expected boolean, got integer"
        );
        assert_eq!(
            a.req_str("name").unwrap_err().to_string(),
            "name parameter required"
        );
        assert!(
            a.req_str_array("command")
                .unwrap_err()
                .to_string()
                .contains("got integer")
        );
        assert_eq!(a.opt_int("n").unwrap(), Some(5));
        assert_eq!(a.opt_int("missing").unwrap(), None);
    }
}
