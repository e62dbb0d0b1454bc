//! The failure report Tekton sends, and its validation.
//!
//! The body is read as JSON and each field checked by hand, so a rejection names the field
//! and says why (missing, `null`, wrong type, not a Kubernetes name, too long). Unknown
//! fields are ignored, as the original agent did.

use serde::Serialize;
use serde_json::{Map, Value};

/// A validated failure report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FailureReport {
    /// Namespace of the failed pod.
    pub namespace: String,
    /// Name of the failed pod.
    pub pod_name: String,
    /// Container that failed (Tekton sends `step-buildah`; not always accurate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    /// PipelineRun name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_run: Option<String>,
    /// TaskRun name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_run: Option<String>,
    /// PipelineRun UID (stable identity for de-duplication).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_run_uid: Option<String>,
    /// Git revision that was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_revision: Option<String>,
    /// The last log lines, if the caller already has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_tail: Option<String>,
}

/// Why a report was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    /// The offending field (`body` for the whole document).
    pub field: String,
    /// Why it was rejected.
    pub reason: String,
}

/// Largest accepted `log_tail`, in bytes.
pub const MAX_LOG_TAIL: usize = 32 * 1024;

#[derive(Clone, Copy)]
enum Rule {
    /// DNS-1123 label: namespaces and container names.
    Label,
    /// DNS-1123 subdomain: pod, PipelineRun and TaskRun names.
    Subdomain,
    /// A UID: letters, digits and dashes.
    Uid,
    /// Free text of a bounded length without control characters.
    Text(usize),
}

impl FailureReport {
    /// Validates a parsed JSON body.
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let object = body
            .as_object()
            .ok_or_else(|| err("body", "expected a JSON object"))?;
        Ok(Self {
            namespace: required(object, "namespace", Rule::Label)?,
            pod_name: required(object, "pod_name", Rule::Subdomain)?,
            container_name: optional(object, "container_name", Rule::Label)?,
            pipeline_run: optional(object, "pipeline_run", Rule::Subdomain)?,
            task_run: optional(object, "task_run", Rule::Subdomain)?,
            pipeline_run_uid: optional(object, "pipeline_run_uid", Rule::Uid)?,
            git_revision: optional(object, "git_revision", Rule::Text(256))?,
            log_tail: optional(object, "log_tail", Rule::Text(MAX_LOG_TAIL))?,
        })
    }

    /// Validates raw body bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ValidationError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| err("body", &format!("not valid JSON: {e}")))?;
        Self::from_json(&value)
    }
}

fn err(field: &str, reason: &str) -> ValidationError {
    ValidationError {
        field: field.into(),
        reason: reason.into(),
    }
}

fn required(
    object: &Map<String, Value>,
    field: &str,
    rule: Rule,
) -> Result<String, ValidationError> {
    optional(object, field, rule)?.ok_or_else(|| err(field, "field required"))
}

fn optional(
    object: &Map<String, Value>,
    field: &str,
    rule: Rule,
) -> Result<Option<String>, ValidationError> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::Null) => Err(err(field, "must be a string, not null")),
        Some(Value::String(s)) => check(field, s, rule).map(|()| Some(s.clone())),
        Some(other) => Err(err(
            field,
            &format!("must be a string, got {}", type_name(other)),
        )),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn check(field: &str, value: &str, rule: Rule) -> Result<(), ValidationError> {
    let (max, what) = match rule {
        Rule::Label => (
            63,
            "a Kubernetes name (lowercase letters, digits and '-', starting and ending with a letter or digit)",
        ),
        Rule::Subdomain => (
            253,
            "a Kubernetes name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)",
        ),
        Rule::Uid => (64, "a UID (letters, digits and '-')"),
        Rule::Text(max) => (max, "text without control characters"),
    };
    if value.len() > max {
        return Err(err(
            field,
            &format!("too long: {} bytes, at most {max}", value.len()),
        ));
    }
    let ok = match rule {
        Rule::Label => is_name(value, false),
        Rule::Subdomain => is_name(value, true),
        Rule::Uid => {
            !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }
        Rule::Text(_) => value
            .chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\t' || c == '\r'),
    };
    if ok {
        Ok(())
    } else {
        Err(err(field, &format!("must be {what}")))
    }
}

fn is_name(value: &str, dots: bool) -> bool {
    let bytes = value.as_bytes();
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    edge(bytes.first())
        && edge(bytes.last())
        && bytes.iter().all(|&b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (dots && b == b'.')
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tekton_body_is_accepted_and_extra_fields_ignored() {
        let r = FailureReport::from_json(
            &json!({"namespace": "lab-user1", "pod_name": "build-agent-run-x-build-pod-retry2",
            "container_name": "step-buildah", "unknown": 1}),
        )
        .unwrap();
        assert_eq!(r.container_name.as_deref(), Some("step-buildah"));
        let r = FailureReport::from_json(&json!({"namespace": "n", "pod_name": "p"})).unwrap();
        assert_eq!(r.container_name, None);
    }

    #[test]
    fn each_rejection_names_the_field() {
        let cases = [
            (json!({"pod_name": "p"}), "namespace", "required"),
            (json!({"namespace": "n"}), "pod_name", "required"),
            (
                json!({"namespace": "n", "pod_name": "p", "container_name": null}),
                "container_name",
                "null",
            ),
            (
                json!({"namespace": 5, "pod_name": "p"}),
                "namespace",
                "number",
            ),
            (
                json!({"namespace": "Bad_NS", "pod_name": "p"}),
                "namespace",
                "Kubernetes name",
            ),
            (
                json!({"namespace": "", "pod_name": "p"}),
                "namespace",
                "Kubernetes name",
            ),
            (
                json!({"namespace": "n", "pod_name": "p-"}),
                "pod_name",
                "Kubernetes name",
            ),
            (
                json!({"namespace": "n".repeat(64), "pod_name": "p"}),
                "namespace",
                "too long",
            ),
            (
                json!({"namespace": "n", "pod_name": "p", "pipeline_run_uid": "a b"}),
                "pipeline_run_uid",
                "UID",
            ),
            (
                json!({"namespace": "n", "pod_name": "p", "log_tail": "x".repeat(MAX_LOG_TAIL + 1)}),
                "log_tail",
                "too long",
            ),
            (json!([1]), "body", "object"),
        ];
        for (body, field, why) in cases {
            let e = FailureReport::from_json(&body).unwrap_err();
            assert_eq!(e.field, field, "{body}");
            assert!(e.reason.contains(why), "{e}");
        }
        assert_eq!(
            FailureReport::from_slice(b"{not json").unwrap_err().field,
            "body"
        );
    }
}
