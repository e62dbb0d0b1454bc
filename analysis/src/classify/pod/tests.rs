use serde_json::json;

use super::*;
use crate::classify::{TektonRefs, pod_from_task_run, retry_number, tekton_refs};

fn term(code: i64, reason: &str, finished: &str) -> Value {
    json!({"terminated": {"exitCode": code, "reason": reason, "finishedAt": finished}})
}

/// A Tekton buildah pod: step-build failed, later step skipped, a sidecar killed at the end.
fn tekton_pod() -> Value {
    json!({
        "metadata": {
            "name": "build-agent-mtkhb0-build-pod-retry2",
            "labels": {
                "tekton.dev/pipelineRun": "build-agent-mtkhb0",
                "tekton.dev/taskRun": "build-agent-mtkhb0-build",
                "tekton.dev/pipelineTask": "build",
                "tekton.dev/pipeline": "build-agent",
                "tekton.dev/task": "buildah"
            }
        },
        "spec": {
            "initContainers": [{"name": "prepare"}, {"name": "place-scripts"}],
            "containers": [
                {"name": "step-build", "image": "quay.io/buildah/stable", "resources": {"limits": {"memory": "2Gi"}}},
                {"name": "step-push"},
                {"name": "sidecar-registry"}
            ]
        },
        "status": {
            "initContainerStatuses": [
                {"name": "prepare", "state": term(0, "Completed", "2026-11-24T07:00:01Z")},
                {"name": "place-scripts", "state": term(0, "Completed", "2026-11-24T07:00:02Z")}
            ],
            "containerStatuses": [
                {"name": "sidecar-registry", "state": term(137, "Error", "2026-11-24T07:03:00Z")},
                {"name": "step-push", "state": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-11-24T07:02:01Z", "message": "[{\"key\":\"Reason\",\"value\":\"Skipped\"}]"}}},
                {"name": "step-build", "state": term(1, "Error", "2026-11-24T07:02:00Z")}
            ]
        }
    })
}

#[test]
fn reads_containers_in_spec_order_with_states() {
    let views = containers(&tekton_pod());
    let names: Vec<&str> = views.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "prepare",
            "place-scripts",
            "step-build",
            "step-push",
            "sidecar-registry"
        ]
    );
    let build = &views[2];
    assert_eq!(build.memory_limit.as_deref(), Some("2Gi"));
    assert_eq!(build.terminated.as_ref().map(|t| t.exit_code), Some(1));
    assert!(build.failed() && build.is_step() && !build.init);
    assert!(!views[0].failed());
}

#[test]
fn failed_container_prefers_first_real_step_failure() {
    assert_eq!(
        failed_container(&tekton_pod()).as_deref(),
        Some("step-build")
    );
}

#[test]
fn failed_container_table() {
    let cases: Vec<(&str, Value, Option<&str>)> = vec![
        (
            "none failed",
            json!({"spec": {"containers": [{"name": "step-a"}]}, "status": {"containerStatuses": [{"name": "step-a", "state": term(0, "Completed", "t")}]}}),
            None,
        ),
        (
            "waiting error",
            json!({"status": {"containerStatuses": [
            {"name": "step-a", "state": {"waiting": {"reason": "PodInitializing"}}},
            {"name": "step-b", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "x"}}}]}}),
            Some("step-b"),
        ),
        (
            "init first",
            json!({"status": {
            "initContainerStatuses": [{"name": "prepare", "state": term(2, "Error", "2026-01-01T00:00:09Z")}],
            "containerStatuses": [{"name": "step-a", "state": term(1, "Error", "2026-01-01T00:00:01Z")}]}}),
            Some("prepare"),
        ),
        (
            "earliest finished",
            json!({"status": {"containerStatuses": [
            {"name": "step-b", "state": term(1, "Error", "2026-01-01T00:00:05Z")},
            {"name": "step-a", "state": term(2, "Error", "2026-01-01T00:00:03Z")}]}}),
            Some("step-a"),
        ),
        (
            "oom with exit 0",
            json!({"status": {"containerStatuses": [{"name": "step-a", "state": term(0, "OOMKilled", "t")}]}}),
            Some("step-a"),
        ),
        (
            "step over sidecar",
            json!({"status": {"containerStatuses": [
            {"name": "sidecar-x", "state": term(1, "Error", "2026-01-01T00:00:01Z")},
            {"name": "step-a", "state": term(1, "Error", "2026-01-01T00:00:02Z")}]}}),
            Some("step-a"),
        ),
        (
            "garbage",
            json!({"status": {"containerStatuses": "nope"}}),
            None,
        ),
        ("not an object", json!(42), None),
    ];
    for (name, pod, want) in cases {
        assert_eq!(failed_container(&pod).as_deref(), want, "{name}");
    }
}

#[test]
fn select_container_table() {
    let pod = tekton_pod();
    let cases: &[(Option<&str>, &str, bool, Option<&str>)] = &[
        (Some("step-build"), "step-build", true, None),
        (
            Some("step-buildah"),
            "step-build",
            false,
            Some("`step-buildah` does not exist"),
        ),
        (None, "step-build", false, Some("no container given")),
        (Some(""), "step-build", false, Some("no container given")),
        (
            Some("prepare"),
            "step-build",
            false,
            Some("`prepare` did not fail"),
        ),
    ];
    for (req, want, used, note) in cases {
        let sel = select_container(&pod, *req);
        assert_eq!(sel.container.as_deref(), Some(*want), "{req:?}");
        assert_eq!(sel.used_requested, *used, "{req:?}");
        match note {
            Some(n) => assert!(
                sel.note.as_deref().unwrap_or("").contains(n),
                "{req:?}: {:?}",
                sel.note
            ),
            None => assert_eq!(sel.note, None),
        }
    }
    let sel = select_container(&pod, Some("step-buildah"));
    assert!(
        sel.note
            .unwrap()
            .contains("containers: prepare, place-scripts, step-build")
    );
}

#[test]
fn select_without_failure_uses_last_started_step() {
    let pod = json!({"spec": {"containers": [{"name": "step-a"}, {"name": "step-b"}, {"name": "step-c"}]},
        "status": {"containerStatuses": [
            {"name": "step-a", "state": term(0, "Completed", "t")},
            {"name": "step-b", "state": {"running": {}}},
            {"name": "step-c", "state": {"waiting": {"reason": "PodInitializing"}}}]}});
    assert_eq!(
        select_container(&pod, None).container.as_deref(),
        Some("step-b")
    );
    assert_eq!(select_container(&json!({}), Some("x")).container, None);
}

#[test]
fn tekton_refs_from_labels() {
    let refs = tekton_refs(&tekton_pod());
    assert_eq!(refs.pipeline_run.as_deref(), Some("build-agent-mtkhb0"));
    assert_eq!(refs.task_run.as_deref(), Some("build-agent-mtkhb0-build"));
    assert_eq!(refs.pipeline_task.as_deref(), Some("build"));
    assert_eq!(refs.pipeline.as_deref(), Some("build-agent"));
    assert_eq!(refs.task.as_deref(), Some("buildah"));
    assert_eq!(refs.retry, Some(2));
    assert_eq!(
        tekton_refs(&json!({"metadata": {"name": "web-1"}})),
        TektonRefs::default()
    );
    let tr = json!({"kind": "TaskRun", "metadata": {"name": "run-x-build", "ownerReferences": [
        {"kind": "PipelineRun", "name": "run-x", "uid": "4f7c0b9e-1111-2222-3333-444455556666"}]}});
    let refs = tekton_refs(&tr);
    assert_eq!(refs.task_run.as_deref(), Some("run-x-build"));
    assert_eq!(
        refs.pipeline_run_uid.as_deref(),
        Some("4f7c0b9e-1111-2222-3333-444455556666")
    );
    assert_eq!(tekton_refs(&tekton_pod()).pipeline_run_uid, None);
}

#[test]
fn retry_number_table() {
    let cases = [
        ("build-agent-mtkhb0-build-pod-retry2", Some(2)),
        ("build-agent-mtkhb0-build-pod-retry10", Some(10)),
        ("build-agent-mtkhb0-build-pod", None),
        ("retry3-pod", None),
        ("x-pod-retry", None),
        ("x-pod-retry99999999999", None),
    ];
    for (name, want) in cases {
        assert_eq!(retry_number(name), want, "{name}");
    }
}

#[test]
fn task_run_becomes_pod_shape() {
    let tr = json!({
        "kind": "TaskRun",
        "metadata": {"name": "run-x-build", "labels": {"tekton.dev/pipelineRun": "run-x"}},
        "status": {
            "podName": "run-x-build-pod",
            "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed", "message": "\"step-build\" exited with code 1"}],
            "steps": [
                {"name": "build", "container": "step-build", "terminated": {"exitCode": 1, "reason": "Error"}},
                {"name": "push", "terminated": {"exitCode": 0, "reason": "Completed"}}
            ]
        }
    });
    let pod = pod_from_task_run(&tr);
    assert_eq!(failed_container(&pod).as_deref(), Some("step-build"));
    assert_eq!(containers(&pod)[1].name, "step-push");
    let refs = tekton_refs(&pod);
    assert_eq!(
        (refs.pipeline_run.as_deref(), refs.task_run.as_deref()),
        (Some("run-x"), Some("run-x-build"))
    );
    assert_eq!(pod["metadata"]["name"], "run-x-build-pod");
}

#[test]
fn crash_looping_container_reads_the_previous_log() {
    let pod = json!({"metadata": {"name": "agent-1"}, "status": {"containerStatuses": [
        {"name": "agent", "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}});
    let sel = select_container(&pod, Some("agent"));
    assert_eq!(
        (sel.container.as_deref(), sel.used_requested, sel.previous),
        (Some("agent"), true, true)
    );
    let restarted = json!({"status": {"containerStatuses": [
        {"name": "agent", "restartCount": 1, "state": {"running": {}}}]}});
    assert!(select_container(&restarted, None).previous);
    assert!(!select_container(&tekton_pod(), Some("step-build")).previous);
}
