use std::fs;
use std::path::PathBuf;

use super::*;
use crate::Error;

const MINIMAL: &str = r#"
name: NAME
description: minimal
request: {namespace: ns1, pod_name: p-pod, container_name: step-a}
cluster:
  pods: [{metadata: {name: p-pod}}]
  logs:
    - {pod: p-pod, container: step-a, text: "hello\n"}
    - {pod: p-pod, container: step-b, file: b.log}
    - {pod: p-pod, container: step-c, generate: {prefix: "start\n", filler: "x", bytes: 64, suffix: "end\n"}}
llm: {mode: down}
expect:
  classification: {category: non_zero_exit}
  issue_filed: true
  http_status: 200
"#;

/// A fresh folder per test (tests run in parallel; no shared state).
fn case_dir(test: &str, name: &str, yaml: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("fa-scenario-{}-{test}", std::process::id()));
    let dir = root.join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("case.yaml"), yaml.replace("NAME", name)).unwrap();
    fs::write(dir.join("b.log"), "from file\n").unwrap();
    dir
}

#[test]
fn loads_and_materialises_logs() {
    let dir = case_dir("ok", "minimal-case", MINIMAL);
    let case = load_case(&dir).unwrap();
    assert_eq!(case.request.container_name.as_deref(), Some("step-a"));
    assert_eq!(case.llm.mode, LlmMode::Down);
    assert!(case.expect.no_destructive_calls, "defaults to true");
    assert_eq!(case.gitea.owner, "user57");
    assert_eq!(
        case.log("p-pod", "step-a", false).unwrap().as_deref(),
        Some("hello\n")
    );
    assert_eq!(
        case.log("p-pod", "step-b", false).unwrap().as_deref(),
        Some("from file\n")
    );
    let generated = case.log("p-pod", "step-c", false).unwrap().unwrap();
    assert!(
        generated.starts_with("start\nx #1\n") && generated.ends_with("end\n"),
        "{generated}"
    );
    assert!(generated.len() >= 64 && generated.len() < 64 + 16);
    assert_eq!(case.log("p-pod", "step-a", true).unwrap(), None);
    assert!(case.pod("p-pod").is_some() && case.pod("other").is_none());
    let all = load_cases(dir.parent().unwrap()).unwrap();
    assert_eq!(all.len(), 1);
}

#[test]
fn script_serialises_to_the_emulator_shape() {
    let yaml = MINIMAL.replace(
        "{mode: down}",
        "{mode: scripted, turns: [{tool_calls: [{name: pods_log, arguments: {tail: 5}}]}, {fault: {budget_exceeded: {}}, repeat: true}]}",
    );
    let case = load_case(&case_dir("script", "script-case", &yaml)).unwrap();
    let v = serde_json::to_value(&case.llm).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"mode": "scripted", "turns": [
            {"tool_calls": [{"name": "pods_log", "arguments": {"tail": 5}}]},
            {"fault": {"budget_exceeded": {}}, "repeat": true}
        ]})
    );
}

#[test]
fn extra_request_fields_are_kept() {
    let yaml = MINIMAL.replace(
        "container_name: step-a}",
        "container_name: step-a, log_tail: 50}",
    );
    let case = load_case(&case_dir("extra", "extra-case", &yaml)).unwrap();
    assert_eq!(
        case.request.extra.get("log_tail"),
        Some(&serde_json::json!(50))
    );
}

#[test]
fn invalid_cases_are_rejected_with_a_reason() {
    let cases = [
        (
            "wrong-name",
            MINIMAL.replace("name: NAME", "name: other"),
            "differs from the folder",
        ),
        (
            "two-sources",
            MINIMAL.replace("text: \"hello\\n\"}", "text: x, file: y}"),
            "exactly one of",
        ),
        (
            "no-source",
            MINIMAL.replace(", text: \"hello\\n\"}", "}"),
            "exactly one of",
        ),
        (
            "too-big",
            MINIMAL.replace("bytes: 64", "bytes: 200000000"),
            "over 100 MB",
        ),
        (
            "no-turns",
            MINIMAL.replace("{mode: down}", "{mode: scripted}"),
            "turns is empty",
        ),
        (
            "empty-ns",
            MINIMAL.replace("namespace: ns1", "namespace: ''"),
            "namespace is empty",
        ),
        (
            "unknown-field",
            MINIMAL.replace("description: minimal", "description: minimal\nsurprise: 1"),
            "surprise",
        ),
        (
            "bad-category",
            MINIMAL.replace("non_zero_exit}", "[1, 2]}"),
            "",
        ),
    ];
    for (name, yaml, why) in cases {
        let err = load_case(&case_dir("bad", name, &yaml)).unwrap_err();
        match &err {
            Error::Scenario { message, .. } => assert!(message.contains(why), "{name}: {message}"),
            other => panic!("{name}: {other}"),
        }
    }
    let missing = std::env::temp_dir().join(format!("fa-scenario-{}-absent", std::process::id()));
    assert!(matches!(load_case(&missing), Err(Error::Io { .. })));
    assert!(matches!(load_cases(&missing), Err(Error::Io { .. })));
}
