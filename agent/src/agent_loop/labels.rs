//! Issue labels: the configured names (`ISSUE_LABELS`) that the repository actually has.
//!
//! Read once per run with `label_read` (`list_repo_labels`), an agent-only tool. A repository
//! without them, a server without the tool, or a failed read all mean no labels, never an
//! error: the issue matters more than its labels.

use serde_json::{Map, Value};

use super::Agent;

impl Agent {
    /// The configured labels the repository has, in the repository's spelling.
    pub(super) async fn issue_labels(&self) -> Vec<String> {
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
                tracing::info!(error = %super::preview(&output.text, 200), "repository labels not readable; filing without labels");
                return Vec::new();
            }
            Err(e) => {
                tracing::info!(error = %e, "repository labels not readable; filing without labels");
                return Vec::new();
            }
        };
        matching(wanted, &label_names(&output.text))
    }
}

/// Label names in a `list_repo_labels` result: an array of `{name}` objects, or an object
/// holding one (`items`, `labels`, `Result`).
pub(crate) fn label_names(text: &str) -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    if let Some(name) = item.get("name").and_then(Value::as_str) {
                        out.push(name.to_string());
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

/// The wanted labels the repository has (case-insensitive), in the repository's spelling.
pub(crate) fn matching(wanted: &[String], available: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter_map(|w| available.iter().find(|a| a.eq_ignore_ascii_case(w)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_labels_the_repository_has_are_used() {
        let names = label_names(
            r#"[{"id":1,"name":"bug"},{"id":2,"name":"Pipeline"},{"id":3,"name":"enhancement"}]"#,
        );
        let wanted = vec!["bug".to_string(), "pipeline".into(), "ci".into()];
        assert_eq!(matching(&wanted, &names), vec!["bug", "Pipeline"]);
        assert!(matching(&wanted, &label_names("[]")).is_empty());
        assert!(label_names("not json").is_empty());
        assert_eq!(label_names(r#"{"items":[{"name":"bug"}]}"#), vec!["bug"]);
    }
}
