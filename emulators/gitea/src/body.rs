//! Request bodies decoded with Go's leniency: unknown keys are ignored and key matching is
//! case-insensitive (the Go SDK sends `Do`/`MergeTitleField` where the spec says
//! `do`/`merge_title_field`, and Gitea accepts both), so keys match ignoring case and `_`.
//! Wrong JSON and wrong types get 422, missing required fields `[Field]: Required`.

use axum::body::Bytes;
use serde_json::{Map, Value};

use super::error::ApiError;

/// A decoded JSON object body.
#[derive(Debug, Default)]
pub(crate) struct Body(Map<String, Value>);

fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `merge_title_field` → `MergeTitleField`, the Go field name Gitea's binding errors use.
fn go_name(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn type_error(key: &str, found: &Value, want: &str) -> ApiError {
    let kind = match found {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    };
    ApiError::unprocessable(format!(
        "json: cannot unmarshal {kind} into Go struct field .{key} of type {want}"
    ))
}

impl Body {
    /// Parses `bytes` as a JSON object; an empty body is an empty object.
    pub(crate) fn parse(bytes: &Bytes) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(other) => Err(type_error("", &other, "object")),
            Err(err) => Err(ApiError::unprocessable(format!("[]: {err}"))),
        }
    }

    /// The raw value for `key`, matched like Go does; JSON `null` counts as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        let wanted = norm(key);
        self.0
            .get(key)
            .or_else(|| {
                self.0
                    .iter()
                    .find(|(k, _)| norm(k) == wanted)
                    .map(|(_, v)| v)
            })
            .filter(|v| !v.is_null())
    }

    pub(crate) fn str(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(type_error(key, other, "string")),
        }
    }

    /// A string that must be present and non-empty (Gitea's `binding:"Required"`).
    pub(crate) fn required_str(&self, key: &str) -> Result<String, ApiError> {
        match self.str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::unprocessable(format!(
                "[{}]: Required",
                go_name(key)
            ))),
        }
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(type_error(key, other, "bool")),
        }
    }

    pub(crate) fn i64(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| type_error(key, &Value::Number(n.clone()), "int64")),
            Some(other) => Err(type_error(key, other, "int64")),
        }
    }

    /// An array of strings (`null` or absent → `None`).
    pub(crate) fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(type_error(key, other, "[]string")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(type_error(key, other, "[]string")),
        }
    }

    /// An array whose items are ids or names (issue label options accept both).
    pub(crate) fn values(&self, key: &str) -> Result<Option<Vec<Value>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(other) => Err(type_error(key, other, "[]interface {}")),
        }
    }

    /// An array of objects, each as a [`Body`] (e.g. the `comments` of a review).
    pub(crate) fn objects(&self, key: &str) -> Result<Option<Vec<Body>>, ApiError> {
        let Some(items) = self.values(key)? else {
            return Ok(None);
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::Object(map) => Ok(Self(map)),
                other => Err(type_error(key, &other, "object")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An RFC 3339 timestamp field.
    pub(crate) fn time(&self, key: &str) -> Result<Option<jiff::Timestamp>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => s.parse::<jiff::Timestamp>().map(Some).map_err(|err| {
                ApiError::unprocessable(format!("parsing time {s:?} for {key}: {err}"))
            }),
        }
    }

    /// The whole object, for assertions in tests.
    #[cfg(test)]
    pub(crate) fn raw(&self) -> &Map<String, Value> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_like_go() {
        let body = Body::parse(&Bytes::from_static(
            br#"{"Do":"merge","MergeTitleField":"t"}"#,
        ))
        .unwrap();
        assert_eq!(body.str("do").unwrap().as_deref(), Some("merge"));
        assert_eq!(body.str("merge_title_field").unwrap().as_deref(), Some("t"));
        assert!(body.raw().contains_key("Do"));
    }

    #[test]
    fn errors_are_gitea_shaped() {
        let bad = Body::parse(&Bytes::from_static(b"{oops")).unwrap_err();
        assert_eq!(bad.status, 422);
        let body = Body::parse(&Bytes::from_static(br#"{"title":""}"#)).unwrap();
        assert_eq!(
            body.required_str("title").unwrap_err().message,
            "[Title]: Required"
        );
        let body = Body::parse(&Bytes::from_static(br#"{"private":"yes"}"#)).unwrap();
        assert!(
            body.bool("private")
                .unwrap_err()
                .message
                .contains("cannot unmarshal string")
        );
    }
}
