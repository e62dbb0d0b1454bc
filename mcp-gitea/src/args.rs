//! Tool arguments as LLMs send them, read tolerantly.
//!
//! Numbers may come as JSON numbers or numeric strings, booleans as `"true"`, an empty
//! string counts as missing, and the parameter names of older upstream releases (`index`,
//! `perPage`, `pageSize`, `filePath`, `keyword`, `commentID`) are accepted next to the
//! current ones. Every failure becomes a [`ToolError`] whose text the model can act on.

use serde_json::{Map, Value};

use crate::gitea_client::GiteaError;

/// Why a tool call failed; rendered as an `isError` result, never a protocol error.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// A required argument is missing or empty.
    #[error("{0} is required")]
    Missing(String),
    /// An argument has the wrong type or value.
    #[error("{name} {reason}")]
    Invalid {
        /// The parameter.
        name: String,
        /// What is wrong, e.g. `must be a valid integer (got "x")`.
        reason: String,
    },
    /// A `method` the tool does not have.
    #[error("unknown method: {0}")]
    UnknownMethod(String),
    /// Gitea refused or failed; `context` says what was attempted.
    #[error("{context} err: {source}")]
    Gitea {
        /// e.g. `create user1/mcp/issue`.
        context: String,
        /// Gitea's status and message.
        #[source]
        source: GiteaError,
    },
    /// Anything else the caller should read.
    #[error("{0}")]
    Other(String),
}

impl ToolError {
    /// Shorthand for [`ToolError::Invalid`].
    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        ToolError::Invalid {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}

/// Old parameter name → current name (applied when the current one is absent).
const ALIASES: &[(&str, &str)] = &[
    ("index", "issue_number"),
    ("index", "pull_number"),
    ("perPage", "per_page"),
    ("pageSize", "per_page"),
    ("limit", "per_page"),
    ("filePath", "path"),
    ("keyword", "query"),
    ("commentID", "comment_id"),
    ("comment_id", "commentID"),
];

/// The arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct Args(Map<String, Value>);

impl Args {
    /// Wraps the raw arguments, filling current names from old aliases.
    pub fn new(mut raw: Map<String, Value>) -> Self {
        for (old, new) in ALIASES {
            if !present(raw.get(*new))
                && let Some(v) = raw.get(*old).filter(|v| present(Some(v))).cloned()
            {
                raw.insert((*new).to_string(), v);
            }
        }
        Args(raw)
    }

    /// The raw value if present and not empty.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| present(Some(v)))
    }

    /// Sets a value (used by legacy aliases to fix `method`).
    pub fn set(&mut self, name: &str, value: Value) {
        self.0.insert(name.to_string(), value);
    }

    /// Removes a value.
    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    /// An optional string; numbers and booleans are accepted as their text.
    pub fn str_opt(&self, name: &str) -> Result<Option<String>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(ToolError::invalid(name, "must be a string")),
        }
    }

    /// A required string.
    pub fn str_req(&self, name: &str) -> Result<String, ToolError> {
        self.str_opt(name)?
            .ok_or_else(|| ToolError::Missing(name.to_string()))
    }

    /// An optional integer from a number or a numeric string.
    pub fn int_opt(&self, name: &str) -> Result<Option<i64>, ToolError> {
        let bad =
            |got: &Value| ToolError::invalid(name, format!("must be a valid integer (got {got})"));
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| bad(v)),
            Some(v @ Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(v)),
            Some(v) => Err(bad(v)),
        }
    }

    /// A required integer.
    pub fn int_req(&self, name: &str) -> Result<i64, ToolError> {
        self.int_opt(name)?
            .ok_or_else(|| ToolError::Missing(name.to_string()))
    }

    /// A page-style integer with a default and a lower bound of 1.
    pub fn page(&self, name: &str, default: i64) -> Result<i64, ToolError> {
        Ok(self.int_opt(name)?.unwrap_or(default).max(1))
    }

    /// An optional boolean from `true`/`false` or their string forms.
    pub fn bool_opt(&self, name: &str) -> Result<Option<bool>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(Some(true)),
                "false" | "0" | "no" => Ok(Some(false)),
                _ => Err(ToolError::invalid(
                    name,
                    format!("must be a boolean (got {s:?})"),
                )),
            },
            Some(Value::Number(n)) => Ok(Some(n.as_i64() != Some(0))),
            Some(_) => Err(ToolError::invalid(name, "must be a boolean")),
        }
    }

    /// A list of strings from an array, or from a comma-separated string.
    pub fn str_list(&self, name: &str) -> Result<Option<Vec<String>>, ToolError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_string()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(ToolError::invalid(name, "must be a list of strings")),
                })
                .filter(|r| r.as_ref().map(|s| !s.is_empty()).unwrap_or(true))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::String(s)) => Ok(Some(
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            )),
            Some(_) => Err(ToolError::invalid(name, "must be a list of strings")),
        }
    }

    /// The raw arguments (for nested structures such as `files` or `comments`).
    pub fn raw(&self) -> &Map<String, Value> {
        &self.0
    }
}

fn present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

/// The `method` argument of a method tool.
pub fn method(args: &Args) -> Result<String, ToolError> {
    args.str_req("method").map(|m| m.trim().to_string())
}

/// The `method` argument, which must be one of `known` (else [`ToolError::UnknownMethod`]).
pub fn method_in(args: &Args, known: &[&str]) -> Result<String, ToolError> {
    let m = method(args)?;
    if known.contains(&m.as_str()) {
        Ok(m)
    } else {
        Err(ToolError::UnknownMethod(m))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn args(v: Value) -> Args {
        match v {
            Value::Object(m) => Args::new(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn numbers_may_be_strings_and_empty_is_missing() {
        let a = args(json!({"n": "42", "m": 7, "f": 3.0, "e": "", "x": "abc", "b": "true"}));
        assert_eq!(a.int_req("n").unwrap(), 42);
        assert_eq!(a.int_req("m").unwrap(), 7);
        assert_eq!(a.int_req("f").unwrap(), 3);
        assert_eq!(a.int_req("e").unwrap_err().to_string(), "e is required");
        assert_eq!(
            a.int_req("x").unwrap_err().to_string(),
            "x must be a valid integer (got \"abc\")"
        );
        assert_eq!(a.bool_opt("b").unwrap(), Some(true));
        assert_eq!(a.str_req("e").unwrap_err().to_string(), "e is required");
    }

    #[test]
    fn old_parameter_names_are_accepted() {
        let a = args(json!({"index": 3, "perPage": "5", "filePath": "a.md", "keyword": "k"}));
        assert_eq!(a.int_req("issue_number").unwrap(), 3);
        assert_eq!(a.int_req("pull_number").unwrap(), 3);
        assert_eq!(a.page("per_page", 30).unwrap(), 5);
        assert_eq!(a.str_req("path").unwrap(), "a.md");
        assert_eq!(a.str_req("query").unwrap(), "k");
        let a = args(json!({"issue_number": 9, "index": 3}));
        assert_eq!(a.int_req("issue_number").unwrap(), 9);
    }

    #[test]
    fn lists_accept_arrays_and_comma_strings() {
        let a = args(json!({"a": ["x", " y ", 3], "b": "p, q,", "c": 5}));
        assert_eq!(a.str_list("a").unwrap().unwrap(), ["x", "y", "3"]);
        assert_eq!(a.str_list("b").unwrap().unwrap(), ["p", "q"]);
        assert!(a.str_list("c").is_err());
    }
}
