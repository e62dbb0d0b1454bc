//! Whether a tool call failed is the server's `isError`, never a guess from the text: each
//! read the agent makes (pod, TaskRun, events, log, the created issue) returns content that
//! begins with `Error`, holds `"error":` or is a JSON object with an `error` key, as data,
//! and the content is used. (Before, any such result was taken for a failed call and
//! dropped: the pod was "deleted", the log "could not be read", the issue filed twice.)

use std::sync::Arc;

use serde_json::{Value, json};

use crate::support::fake_llm::{FakeLlm, budget_exceeded, tool_calls};
use crate::support::fixture::{pods_log_tool, read_tool};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report, log_call};

fn hooks() -> Arc<dyn agent::hooks::RunHooks> {
    Arc::new(agent::analysis_hooks::AnalysisHooks)
}

/// A failed pod, as JSON, whose metadata carries `extra` annotations.
fn pod(state: Value, annotations: Value) -> String {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": POD, "namespace": NS, "annotations": annotations,
            "labels": {"tekton.dev/pipeline": "build-agent"}},
        "spec": {"containers": [{"name": "step-build"}]},
        "status": {"phase": "Failed", "containerStatuses": [{"name": "step-build", "state": state}]}})
    .to_string()
}

/// The agent with the given OpenShift reads, the model over budget: the fallback issue shows
/// what the investigation read.
async fn fallback_run(
    tools: Vec<rmcp::model::Tool>,
    setup: impl FnOnce(&Harness),
) -> (u16, Value, String) {
    fallback_report(tools, setup, lab_report()).await
}

async fn fallback_report(
    tools: Vec<rmcp::model::Tool>,
    setup: impl FnOnce(&Harness),
    report: Value,
) -> (u16, Value, String) {
    let llm = FakeLlm::scripted(vec![budget_exceeded()]);
    let options = Options {
        hooks: hooks(),
        openshift_tools: Some(tools),
        ..Default::default()
    };
    let h = Harness::start(llm, options).await;
    setup(&h);
    let (status, body) = h.report(report).await;
    let issue = h
        .gitea
        .issues()
        .first()
        .and_then(|i| i["body"].as_str().map(String::from))
        .unwrap_or_default();
    (status, body, issue)
}

#[tokio::test]
async fn a_pod_with_an_error_key_is_read_and_used() {
    bounded(async {
        let (status, body, issue) =
            fallback_run(vec![read_tool("pods_get"), pods_log_tool()], |h| {
                let pod = pod(
                    json!({"terminated": {"exitCode": 137, "reason": "OOMKilled"}}),
                    json!({"error": "none", "lint.example/report": "{\"error\": \"2 warnings\"}"}),
                );
                assert!(pod.contains("\"error\":"));
                h.openshift.set_canned("pods_get", &pod);
            })
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["analysis"]["category"], "oom_killed", "{body}");
        assert_eq!(
            body["analysis"]["container"]["container"], "step-build",
            "{body}"
        );
        assert!(!issue.contains("deleted or unreadable"), "{issue}");
    })
    .await
}

#[tokio::test]
async fn a_task_run_with_an_error_object_stands_in_for_a_deleted_pod() {
    bounded(async {
        let (status, body, issue) = fallback_report(
            vec![
                read_tool("pods_get"),
                read_tool("resources_get"),
                pods_log_tool(),
            ],
            |h| {
                let task_run = json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun",
                    "metadata": {"name": "build-agent-run-abc12-build", "namespace": NS,
                        "labels": {"tekton.dev/pipeline": "build-agent"}},
                    "spec": {"params": [{"name": "scan", "value": {"error": null, "warnings": 2}}]},
                    "status": {"podName": POD,
                        "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed",
                            "message": "\"step-build\" exited with code 127"}],
                        "steps": [{"name": "build", "container": "step-build",
                            "terminated": {"exitCode": 127, "reason": "Error"}}]}})
                .to_string();
                assert!(task_run.contains("\"error\":"));
                h.openshift.set_canned("resources_get", &task_run);
            },
            json!({"namespace": NS, "pod_name": POD, "task_run": "build-agent-run-abc12-build"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        // The failed step came from the TaskRun (without it nothing names a container).
        assert_eq!(
            body["analysis"]["container"]["container"], "step-build",
            "{body}"
        );
        assert_eq!(body["analysis"]["failing_step"], "step-build", "{body}");
        assert!(
            issue.contains("TaskRun `build-agent-run-abc12-build`"),
            "{issue}"
        );
    })
    .await
}

#[tokio::test]
async fn events_with_an_error_key_are_evidence_not_unreadable() {
    bounded(async {
        let (status, body, issue) = fallback_run(
            vec![read_tool("pods_get"), read_tool("events_list"), pods_log_tool()],
            |h| {
                h.openshift.set_canned(
                    "pods_get",
                    &pod(json!({"waiting": {"reason": "ErrImagePull", "message": "unauthorized"}}), json!({})),
                );
                let events = json!([{"type": "Warning", "reason": "Failed",
                    "message": "Error: Failed to pull image \"quay.io/acme/tools:1\": unauthorized: authentication required",
                    "involvedObject": {"kind": "Pod", "name": POD},
                    "metadata": {"annotations": {"error": "ErrImagePull"}}}])
                .to_string();
                assert!(events.contains("\"error\":"));
                h.openshift.set_canned("events_list", &events);
            },
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let unavailable = body["analysis"]["unavailable"].to_string();
        assert!(!unavailable.contains("events"), "{body}");
        assert!(!issue.contains("Could not be read: events"), "{issue}");
        assert!(issue.contains("quay.io/acme/tools:1"), "{issue}");
    })
    .await
}

#[tokio::test]
async fn a_structured_log_with_error_keys_is_quoted_in_the_issue() {
    bounded(async {
        let (status, body, issue) = fallback_run(
            vec![read_tool("pods_get"), pods_log_tool()],
            |h| {
                h.openshift.set_canned(
                    "pods_get",
                    &pod(json!({"terminated": {"exitCode": 1, "reason": "Error"}}), json!({})),
                );
                h.openshift.set_log(
                    POD,
                    "{\"level\":\"error\",\"error\":\"dial tcp 10.0.0.7:5432: connect: connection refused\",\"msg\":\"migrate failed\"}\nError: exit status 1\n",
                );
            },
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(issue.contains("connection refused"), "{issue}");
        assert!(!issue.contains("Could not be read: log"), "{issue}");
    })
    .await
}

#[tokio::test]
async fn a_created_issue_whose_answer_has_an_error_key_is_filed_once() {
    bounded(async {
        let create = (
            "issue_write",
            json!({"method": "create", "title": "step-build: COPY app.py failed, no such file or directory",
                "body": crate::support::fake_llm::issue_body(NS, POD)}),
        );
        let llm = FakeLlm::scripted(vec![tool_calls(&[log_call()]), tool_calls(&[create])]);
        let h = Harness::start(llm, Options { hooks: hooks(), ..Default::default() }).await;
        // Some APIs answer a success with `"error": null` beside the data.
        h.gitea
            .state
            .lock()
            .unwrap()
            .issue_extra
            .insert("error".into(), Value::Null);
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["fallback"], false, "{body}");
        assert_eq!(body["issue_number"], 1, "{body}");
        assert_eq!(h.gitea.issues().len(), 1);
    })
    .await
}
