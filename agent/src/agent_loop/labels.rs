//! Issue labels: the configured names (`ISSUE_LABELS`) that the repository actually has.
//!
//! Read once per run with `label_read` (`list_repo_labels`), an agent-only tool, and passed
//! to the issue tool as label ids (which upstream `gitea-mcp` requires; ours takes both). A repository
//! without them, a server without the tool, or a failed read all mean no labels, never an
//! error: the issue matters more than its labels.

use serde_json::{Map, Value};

use super::Agent;

impl Agent {
    /// The configured labels the repository has, as ids (names when the listing has none).
    pub(super) async fn issue_labels(&self) -> Vec<Value> {
        let wanted = &self.settings.issue_labels;
        if wanted.is_empty() || !self.registry.tools().iter().any(|t| t.name == "label_read") {
            return Vec::new();
        }
        let mut args = Map::new();
        args.insert("method".into(), "list_repo_labels".into());
        args.insert("owner".into(), self.settings.owner.clone().into());
        args.insert("repo".into(), self.settings.repo.clone().into());
        let output = match self
            .registry
            .call("label_read", args, self.settings.tool_timeout)
            .await
        {
            Ok(output) if !output.is_error => output,
            Ok(output) => {
                tracing::info!(error = %super::preview(&failure_analysis::redact::redact(&output.text).text, 200), "repository labels not readable; filing without labels");
                return Vec::new();
            }
            Err(e) => {
                tracing::info!(error = %e, "repository labels not readable; filing without labels");
                return Vec::new();
            }
        };
        matching(wanted, &repo_labels(&output.text))
    }
}

/// `(name, id)` of the labels in a `list_repo_labels` result: an array of `{id, name}`
/// objects, or an object holding one (`items`, `labels`, `Result`). The id is the name when
/// the listing has no numeric id.
pub(crate) fn repo_labels(text: &str) -> Vec<(String, Value)> {
    fn collect(value: &Value, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    if let Some(name) = item.get("name").and_then(Value::as_str) {
                        let id = match item.get("id") {
                            Some(id) if id.is_u64() => id.clone(),
                            _ => Value::from(name),
                        };
                        out.push((name.to_string(), id));
                    }
                }
            }
            Value::Object(map) => {
                for key in ["items", "labels", "Result", "result"] {
                    if let Some(inner) = map.get(key) {
                        collect(inner, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        collect(&value, &mut out);
    }
    out
}

/// The ids of the wanted labels the repository has (names compared case-insensitively).
pub(crate) fn matching(wanted: &[String], available: &[(String, Value)]) -> Vec<Value> {
    wanted
        .iter()
        .filter_map(|w| available.iter().find(|(a, _)| a.eq_ignore_ascii_case(w)))
        .map(|(_, id)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_labels_the_repository_has_are_used_by_id() {
        let labels = repo_labels(
            r#"[{"id":1,"name":"bug"},{"id":2,"name":"Pipeline"},{"id":3,"name":"enhancement"}]"#,
        );
        let wanted = vec!["bug".to_string(), "pipeline".into(), "ci".into()];
        assert_eq!(matching(&wanted, &labels), vec![json!(1), json!(2)]);
        assert!(matching(&wanted, &repo_labels("[]")).is_empty());
        assert!(repo_labels("not json").is_empty());
        assert_eq!(
            matching(&wanted, &repo_labels(r#"{"items":[{"name":"bug"}]}"#)),
            vec![json!("bug")]
        );
    }
}
