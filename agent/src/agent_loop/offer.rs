//! The tools as offered to the model. The issue tool is offered as the agent lets it be
//! used: `issue_write` with `method: create` only, and just the fields the agent takes from
//! the model (title, body; owner, repo and labels are the agent's). Servers that constrain
//! a forced call with a grammar built from this schema (llama-cpp-python) then cannot
//! produce another method or a due date, which a weak model otherwise does.

use serde_json::{Map, Value, json};

use crate::mcp::ToolInfo;
use crate::prompt::IssueTool;

/// One tool in the OpenAI `tools` form, the issue tools narrowed to a creation (the legacy
/// `create_issue` too when a server offers it beside `issue_write`: its owner and repo are
/// the agent's like those of `issue_write`).
pub(super) fn offered(tool: &ToolInfo, _issue_tool: &IssueTool) -> Value {
    let mut value = tool.to_openai();
    if let Some(kind) = super::calls::issue_kind(&tool.name) {
        value["function"]["parameters"] = creation_schema(&tool.input_schema, &kind);
    }
    value
}

fn creation_schema(schema: &Value, issue_tool: &IssueTool) -> Value {
    let original = schema.get("properties").and_then(Value::as_object);
    let mut properties = Map::new();
    let mut required = vec![json!("title"), json!("body")];
    if *issue_tool == IssueTool::IssueWrite {
        let mut method = original
            .and_then(|p| p.get("method"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "string"}));
        method["enum"] = json!(["create"]);
        properties.insert("method".into(), method);
        required.insert(0, json!("method"));
    }
    for field in ["title", "body"] {
        let property = original
            .and_then(|p| p.get(field))
            .cloned()
            .unwrap_or_else(|| json!({"type": "string"}));
        properties.insert(field.into(), property);
    }
    json!({"type": "object", "properties": properties, "required": required})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, schema: Value) -> ToolInfo {
        ToolInfo {
            name: name.into(),
            tool: name.into(),
            role: crate::config::ServerRole::Issues,
            visible: true,
            description: "d".into(),
            input_schema: schema,
            server: "gitea".into(),
        }
    }

    #[test]
    fn issue_write_is_offered_as_a_creation_and_other_tools_unchanged() {
        let schema = json!({"type": "object", "properties": {
            "method": {"type": "string", "enum": ["create", "update", "add_dependency"], "description": "m"},
            "owner": {"type": "string"}, "repo": {"type": "string"},
            "title": {"type": "string", "description": "t"}, "body": {"type": "string"},
            "deadline": {"type": "string"}, "state": {"type": "string"}},
            "required": ["method", "owner", "repo"]});
        let offered = offered(&tool("issue_write", schema), &IssueTool::IssueWrite);
        let p = &offered["function"]["parameters"];
        assert_eq!(p["properties"]["method"]["enum"], json!(["create"]));
        assert_eq!(p["properties"]["method"]["description"], "m");
        assert_eq!(p["properties"]["title"]["description"], "t");
        let mut names: Vec<&String> = p["properties"].as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["body", "method", "title"]);
        assert_eq!(p["required"], json!(["method", "title", "body"]));
        let log = tool(
            "pods_log",
            json!({"type": "object", "properties": {"name": {"type": "string"}}}),
        );
        assert_eq!(offered_log(&log), log.to_openai());
    }

    fn offered_log(t: &ToolInfo) -> Value {
        offered(t, &IssueTool::IssueWrite)
    }

    #[test]
    fn legacy_create_issue_has_no_method() {
        let offered = offered(&tool("create_issue", json!({})), &IssueTool::CreateIssue);
        let p = &offered["function"]["parameters"];
        assert!(p["properties"].get("method").is_none());
        assert_eq!(p["required"], json!(["title", "body"]));
    }
}
