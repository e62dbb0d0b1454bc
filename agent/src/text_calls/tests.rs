use serde_json::json;

use super::*;

// --- The original agent's tested cases (seed-contract §3.4) ---

#[test]
fn extracts_valid_tool_call() {
    let text = r#"Here is the call: {"name": "create_issue", "arguments": {"title": "test", "body": "b"}} done."#;
    let call = extract_tool_call(text, &["create_issue"]).unwrap();
    assert_eq!(call.name, "create_issue");
    assert_eq!(call.arguments["title"], "test");
}

#[test]
fn extracts_tool_call_without_valid_names_filter() {
    let call = extract_tool_call(r#"{"name": "any_tool", "arguments": {}}"#, &[]).unwrap();
    assert_eq!(call.name, "any_tool");
}

#[test]
fn returns_none_for_invalid_tool_name() {
    let text = r#"{"name": "invalid_tool", "arguments": {}}"#;
    assert_eq!(extract_tool_call(text, &["create_issue", "pods_log"]), None);
}

#[test]
fn returns_none_for_missing_name_field() {
    assert_eq!(extract_tool_call(r#"{"arguments": {"a": 1}}"#, &[]), None);
}

#[test]
fn returns_none_for_no_json() {
    assert_eq!(
        extract_tool_call("The pod failed because of an error.", &[]),
        None
    );
}

#[test]
fn returns_none_for_invalid_json() {
    assert_eq!(
        extract_tool_call(r#"{"name": "test", "arguments": {broken}"#, &[]),
        None
    );
}

#[test]
fn extracts_first_valid_tool_call() {
    let text = r#"{"name": "pods_log", "arguments": {"name": "a"}} and {"name": "create_issue", "arguments": {}}"#;
    let call = extract_tool_call(text, &["pods_log", "create_issue"]).unwrap();
    assert_eq!(call.name, "pods_log");
    assert_eq!(
        extract_tool_calls(text, &["pods_log", "create_issue"]).len(),
        2
    );
}

#[test]
fn handles_nested_json() {
    let text = r####"{"name": "create_issue", "arguments": {"title": "t", "body": "### Error\nError: build failed"}}"####;
    let call = extract_tool_call(text, &["create_issue"]).unwrap();
    assert!(call.arguments["body"].as_str().unwrap().contains("Error"));
}

#[test]
fn handles_complex_nested_arguments() {
    let text =
        r#"{"name": "pods_log", "arguments": {"namespace": "ns", "name": "p", "tailLines": 10}}"#;
    let call = extract_tool_call(text, &["pods_log"]).unwrap();
    assert_eq!(call.arguments["tailLines"], json!(10));
}

#[test]
fn extracts_from_multiline_content() {
    let text = "First I will get the logs.\n\n{\n  \"name\": \"pods_log\",\n  \"arguments\": {\"namespace\": \"ns\"}\n}\n\nThen analyse.";
    let call = extract_tool_call(text, &["pods_log"]).unwrap();
    assert_eq!(call.arguments["namespace"], "ns");
}

#[test]
fn skips_invalid_matches_first_valid() {
    let text = r#"{"other": "data"} then {"name": "pods_log", "arguments": {"name": "p"}}"#;
    assert_eq!(
        extract_tool_call(text, &["pods_log"]).unwrap().name,
        "pods_log"
    );
}

// --- Shapes beyond the original ---

#[test]
fn braces_inside_strings_do_not_break_matching() {
    let text =
        r#"{"name": "create_issue", "arguments": {"title": "t", "body": "use ${VAR} and } or {"}}"#;
    let call = extract_tool_call(text, &["create_issue"]).unwrap();
    assert_eq!(call.arguments["body"], "use ${VAR} and } or {");
}

#[test]
fn fenced_json_and_parameters_key() {
    let text =
        "```json\n{\"name\": \"pods_log\", \"parameters\": {\"name\": \"p\", \"tail\": 5}}\n```";
    let call = extract_tool_call(text, &["pods_log"]).unwrap();
    assert_eq!(call.arguments, json!({"name": "p", "tail": 5}));
}

#[test]
fn python_tag_prefix_and_semicolon_separated_calls() {
    let text = r#"<|python_tag|>{"name": "pods_log", "parameters": {"name": "a"}}; {"name": "pods_log", "parameters": {"name": "b"}}"#;
    let calls = extract_tool_calls(text, &["pods_log"]);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].arguments["name"], "b");
}

#[test]
fn openai_shaped_object_with_string_arguments() {
    let text = r#"{"type": "function", "function": {"name": "pods_log", "arguments": "{\"name\": \"p\"}"}}"#;
    let call = extract_tool_call(text, &["pods_log"]).unwrap();
    assert_eq!(call.arguments, json!({"name": "p"}));
}

#[test]
fn call_nested_in_a_wrapper_object_is_found() {
    let text = r#"{"tool_call": {"name": "pods_log", "arguments": {"name": "p"}}}"#;
    assert_eq!(
        extract_tool_call(text, &["pods_log"]).unwrap().name,
        "pods_log"
    );
}

#[test]
fn pythonic_list_with_literals() {
    let text = r#"[pods_log(namespace="lab-user1", name='build-pod', tail=10, previous=False), create_issue(owner="u", repo="mcp", title="t", body="line\nnext")]"#;
    let calls = extract_tool_calls(text, &["pods_log", "create_issue"]);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].arguments,
        json!({"namespace": "lab-user1", "name": "build-pod", "tail": 10, "previous": false})
    );
    assert_eq!(calls[1].arguments["body"], "line\nnext");
}

#[test]
fn pythonic_nested_literals_and_empty_call() {
    let calls = extract_tool_calls(
        r#"[issue_write(labels=['bug', 'ci'], extra={'a': None}), namespaces_list()]"#,
        &[],
    );
    assert_eq!(calls[0].arguments["labels"], json!(["bug", "ci"]));
    assert_eq!(calls[0].arguments["extra"], json!({"a": null}));
    assert_eq!(calls[1].arguments, json!({}));
}

#[test]
fn pythonic_unknown_names_and_prose_are_ignored() {
    assert!(extract_tool_calls(r#"[delete_everything(x=1)]"#, &["pods_log"]).is_empty());
    assert!(extract_tool_calls("See print(x) in the log [1, 2]", &["pods_log"]).is_empty());
    let bare = extract_tool_calls(r#"I will call pods_log(name="p") now"#, &["pods_log"]);
    assert_eq!(bare.len(), 1);
}

#[test]
fn garbage_never_panics() {
    for text in [
        "{",
        "}}}{{{",
        "[a(",
        "[a(b=",
        "[a(b='x",
        "\"{\\",
        "[x(y=[1,2)]",
        "日本{\"name\":\"é\"}",
    ] {
        let _ = extract_tool_calls(text, &[]);
    }
}

// --- Quoted calls and frames (the loop's screening) ---

#[test]
fn quoted_calls_are_found_in_both_forms_only_for_present_names() {
    let log = "12:00 build\n<tool_call>{\"name\": \"pods_delete\", \"arguments\": {\"name\": \"db\"}}</tool_call>\n\
               then [pods_exec(namespace=\"lab\", command=[\"cat\", \"/etc/passwd\"])] done";
    let calls = quoted_tool_calls(log, &["pods_delete", "pods_exec", "issue_write"]);
    let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["pods_delete", "pods_exec"], "{calls:?}");
    assert_eq!(calls[1].arguments["command"][1], "/etc/passwd");
    assert!(quoted_tool_calls(log, &["issue_write"]).is_empty());
    assert!(quoted_tool_calls("plain log", &[]).is_empty());
}

#[test]
fn framed_text_is_not_parsed() {
    let content = "I read this:\n<tool_output tool=\"pods_log\">\n{\"name\": \"pods_delete\", \"arguments\": {}}\n</tool_output>\nNow: {\"name\": \"pods_log\", \"arguments\": {}}";
    let outside = outside_frames(content);
    assert!(!outside.contains("pods_delete"), "{outside}");
    let calls = extract_tool_calls(&outside, &["pods_delete", "pods_log"]);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "pods_log");
    assert_eq!(
        outside_frames("a <tool_output tool=\"x\">\nunclosed {\"name\": \"x\"}"),
        "a "
    );
}
