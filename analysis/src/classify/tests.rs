use serde_json::{Value, json};

use super::*;

mod table;

fn pod_with(state: Value, last: Value) -> Value {
    json!({
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "step-build", "image": "registry.example.com/team/app:1.2", "resources": {"limits": {"memory": "512Mi"}}}]},
        "status": {"containerStatuses": [{"name": "step-build", "state": state, "lastState": last, "restartCount": 4}]}
    })
}

fn exited(code: i64) -> Value {
    pod_with(
        json!({"terminated": {"exitCode": code, "reason": "Error"}}),
        json!({}),
    )
}

fn waiting(reason: &str, message: &str) -> Value {
    pod_with(
        json!({"waiting": {"reason": reason, "message": message}}),
        json!({}),
    )
}

const LAB_LOG: &str = "STEP 1/6: FROM registry.access.redhat.com/ubi9/python-311:latest\n\
STEP 2/6: WORKDIR /opt/app-root/src\n\
STEP 3/6: COPY requirements.txt .\n\
Error: building at STEP \"COPY requirements.txt .\": checking on sources under \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory\n";

#[test]
fn not_found_event_refines_image_pull() {
    let pod = waiting(
        "ImagePullBackOff",
        "Back-off pulling image \"quay.io/team/app:nope\"",
    );
    let events = json!({"items": [
        {"type": "Normal", "reason": "Pulling", "message": "Pulling image \"quay.io/team/app:nope\""},
        {"type": "Warning", "reason": "Failed", "message": "Failed to pull image \"quay.io/team/app:nope\": reading manifest nope in quay.io/team/app: manifest unknown"}
    ]});
    let got = classify(&FailureInput {
        pod: Some(&pod),
        events: Some(&events),
        ..Default::default()
    });
    assert_eq!(got.category, Category::ImagePullNotFound);
    assert!(
        got.evidence.iter().any(|e| e.contains("manifest unknown")),
        "{:?}",
        got.evidence
    );
}

#[test]
fn lab_failure_in_detail() {
    let pod = exited(1);
    let got = classify(&FailureInput {
        pod: Some(&pod),
        log: LAB_LOG,
        ..Default::default()
    });
    assert_eq!(got.failing_step.as_deref(), Some("step-build"));
    assert_eq!(got.confidence, Confidence::High);
    assert!(
        got.summary.contains("`COPY requirements.txt .`"),
        "{}",
        got.summary
    );
    assert!(
        got.summary.contains("/workspace/source/agent"),
        "{}",
        got.summary
    );
    assert!(got.evidence.iter().any(|e| e.contains("copier: stat")));
    assert!(got.suggested_fixes[0].contains("requirements.txt"));
}

#[test]
fn oom_mentions_limit_and_task_run_timeout_is_deadline() {
    let pod = pod_with(
        json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}),
        json!({}),
    );
    let got = classify(&FailureInput {
        pod: Some(&pod),
        ..Default::default()
    });
    assert!(got.summary.contains("512Mi"), "{}", got.summary);
    let tr = json!({"kind": "TaskRun", "metadata": {"name": "r-build"}, "status": {
        "podName": "r-build-pod",
        "conditions": [{"type": "Succeeded", "status": "False", "reason": "TaskRunTimeout", "message": "TaskRun \"r-build\" failed to finish within \"1m0s\""}],
        "steps": [{"name": "build", "container": "step-build", "terminated": {"exitCode": 1, "reason": "TaskRunTimeout"}}]}});
    let got = classify(&FailureInput {
        task_run: Some(&tr),
        ..Default::default()
    });
    assert_eq!(got.category, Category::DeadlineExceeded);
    assert_eq!(got.failing_step.as_deref(), Some("step-build"));
    assert!(
        got.summary.contains("failed to finish within"),
        "{}",
        got.summary
    );
}

#[test]
fn evidence_is_redacted_and_bounded() {
    let log = "password=hunter2 error: bad\n".repeat(50);
    let pod = exited(1);
    let got = classify(&FailureInput {
        pod: Some(&pod),
        log: &log,
        ..Default::default()
    });
    assert!(got.evidence.len() <= MAX_EVIDENCE);
    assert!(
        got.evidence.iter().all(|e| !e.contains("hunter2")),
        "{:?}",
        got.evidence
    );
}

#[test]
fn serde_round_trip_and_unknown_category() {
    let got = classify(&FailureInput {
        pod: Some(&exited(1)),
        log: LAB_LOG,
        ..Default::default()
    });
    let v = serde_json::to_value(&got).unwrap();
    assert_eq!(v["category"], "build_copy_missing_file");
    assert_eq!(v["confidence"], "high");
    let back: Classification = serde_json::from_value(v).unwrap();
    assert_eq!(back, got);
    let llm: Classification =
        serde_json::from_value(json!({"category": "cosmic_rays", "summary": "s"})).unwrap();
    assert_eq!(
        (llm.category, llm.confidence),
        (Category::Unknown, Confidence::Low)
    );
    assert_eq!(
        Category::BuildCopyMissingFile.as_str(),
        "build_copy_missing_file"
    );
}

#[test]
fn explicit_container_is_used() {
    let pod = json!({"status": {"containerStatuses": [
        {"name": "step-a", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}},
        {"name": "step-b", "state": {"terminated": {"exitCode": 143, "reason": "Error"}}}]}});
    let got = classify(&FailureInput {
        pod: Some(&pod),
        container: Some("step-b"),
        ..Default::default()
    });
    assert_eq!(
        (got.category, got.failing_step.as_deref()),
        (Category::Terminated, Some("step-b"))
    );
}

#[test]
fn llm_answer_is_completed_by_the_pre_analysis() {
    let base = classify(&FailureInput {
        pod: Some(&exited(1)),
        log: LAB_LOG,
        ..Default::default()
    });
    let llm: Classification = serde_json::from_value(json!({
        "category": "unknown", "summary": "The COPY of requirements.txt failed.", "suggested_fixes": ["Add the file back."]
    }))
    .unwrap();
    let done = llm.completed_with(&base);
    assert_eq!(done.category, Category::BuildCopyMissingFile);
    assert_eq!(done.failing_step.as_deref(), Some("step-build"));
    assert_eq!(done.summary, "The COPY of requirements.txt failed.");
    assert_eq!(done.suggested_fixes, vec!["Add the file back.".to_owned()]);
    assert_eq!(done.headline, base.headline);
    assert_eq!(done.evidence, base.evidence);
}

#[test]
fn schema_lists_every_category_and_round_trips_names() {
    let schema = analysis_schema();
    let names = schema["properties"]["category"]["enum"].as_array().unwrap();
    assert_eq!(names.len(), ALL_CATEGORIES.len());
    for c in ALL_CATEGORIES {
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v, json!(c.as_str()));
        assert!(names.contains(&v));
        assert_eq!(serde_json::from_value::<Category>(v).unwrap(), *c);
    }
}

#[test]
fn huge_raw_log_is_cut_before_matching() {
    let mut log = "2026-11-24 INFO compiling an ordinary module\n".repeat(200_000);
    log.push_str(LAB_LOG);
    assert!(log.len() > 8 * 1024 * 1024);
    let started = std::time::Instant::now();
    let got = classify(&FailureInput {
        pod: Some(&exited(1)),
        log: &log,
        ..Default::default()
    });
    assert_eq!(got.category, Category::BuildCopyMissingFile);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn mcp_tool_text_is_parsed() {
    let pods_get = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nstatus:\n  containerStatuses:\n  - name: step-build\n    state:\n      terminated:\n        exitCode: 1\n        reason: Error\n";
    let pod = parse_object(pods_get).unwrap();
    assert_eq!(failed_container(&pod).as_deref(), Some("step-build"));
    assert_eq!(parse_object("{\"kind\": \"Pod\"}").unwrap()["kind"], "Pod");
    assert_eq!(parse_object("Error: pods \"x\" not found"), None);
    assert_eq!(parse_object(""), None);

    let events_list = "# The following events (YAML format) were found:\n- InvolvedObject:\n    Kind: Pod\n    Name: p\n    apiVersion: v1\n  Message: 'Failed to pull image \"quay.io/team/app:nope\": manifest unknown'\n  Namespace: ns\n  Reason: Failed\n  Timestamp: 2026-11-24 01:24:36 +0000 UTC\n  Type: Warning\n";
    let events = parse_events(events_list);
    assert_eq!(events.as_array().map(Vec::len), Some(1));
    let waiting = waiting(
        "ImagePullBackOff",
        "Back-off pulling image \"quay.io/team/app:nope\"",
    );
    let got = classify(&FailureInput {
        pod: Some(&waiting),
        events: Some(&events),
        ..Default::default()
    });
    assert_eq!(got.category, Category::ImagePullNotFound, "{got:?}");
    assert!(
        got.evidence
            .iter()
            .any(|e| e.starts_with("Warning Failed: Failed to pull image")),
        "{:?}",
        got.evidence
    );
    assert_eq!(parse_events("# No events found"), json!([]));
    assert_eq!(parse_events("not yaml: [unclosed"), json!([]));
}
