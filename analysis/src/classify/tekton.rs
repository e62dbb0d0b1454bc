//! Tekton identity: the PipelineRun, TaskRun, pipeline task and retry of a pod or TaskRun
//! (from labels, owner references and names), and a pod-shaped view of a TaskRun for when
//! the pod is gone.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::static_regex;

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// Tekton identity of a pod or TaskRun, from its labels (and its name for the retry).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TektonRefs {
    /// `tekton.dev/pipelineRun`.
    pub pipeline_run: Option<String>,
    /// `tekton.dev/taskRun` (for a TaskRun, its own name).
    pub task_run: Option<String>,
    /// `tekton.dev/pipelineTask`.
    pub pipeline_task: Option<String>,
    /// `tekton.dev/pipeline`.
    pub pipeline: Option<String>,
    /// `tekton.dev/task`.
    pub task: Option<String>,
    /// The retry number of a `-retryN` pod.
    pub retry: Option<u32>,
    /// The PipelineRun uid, from a TaskRun's owner reference.
    #[serde(default)]
    pub pipeline_run_uid: Option<String>,
}

/// Reads the Tekton labels of a pod or TaskRun. Unlabelled objects give empty refs.
pub fn tekton_refs(obj: &Value) -> TektonRefs {
    let label = |k: &str| {
        obj.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = str_at(obj, "/metadata/name");
    let is_task_run = str_at(obj, "/kind") == "TaskRun";
    TektonRefs {
        pipeline_run: label("tekton.dev/pipelineRun"),
        task_run: label("tekton.dev/taskRun").or_else(|| is_task_run.then(|| name.to_owned())),
        pipeline_task: label("tekton.dev/pipelineTask"),
        pipeline: label("tekton.dev/pipeline"),
        task: label("tekton.dev/task").or_else(|| label("tekton.dev/clusterTask")),
        retry: if is_task_run {
            None
        } else {
            retry_number(name)
        },
        pipeline_run_uid: owner_uid(obj, "PipelineRun"),
    }
}

/// The uid of the owner reference of the given kind.
fn owner_uid(obj: &Value, kind: &str) -> Option<String> {
    obj.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|o| o.get("kind").and_then(Value::as_str) == Some(kind))?
        .get("uid")?
        .as_str()
        .map(str::to_owned)
}

static RETRY: LazyLock<Regex> = LazyLock::new(|| static_regex(r"-retry(\d{1,6})$"));

/// The N of a `…-pod-retryN` pod name (Tekton's retries), `None` for a first attempt.
pub fn retry_number(pod_name: &str) -> Option<u32> {
    RETRY
        .captures(pod_name)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok())
}

/// Builds a pod-shaped object from a TaskRun (`status.podName`, `status.steps`, labels,
/// condition), so the pod logic applies when the pod itself is gone.
pub fn pod_from_task_run(task_run: &Value) -> Value {
    let steps = task_run
        .pointer("/status/steps")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut labels = task_run
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(map) = labels.as_object_mut() {
        map.insert(
            "tekton.dev/taskRun".into(),
            json!(str_at(task_run, "/metadata/name")),
        );
    }
    let specs: Vec<Value> = steps
        .iter()
        .map(|s| json!({"name": step_container(s)}))
        .collect();
    let statuses: Vec<Value> = steps
        .iter()
        .map(|s| {
            let mut state = serde_json::Map::new();
            for key in ["terminated", "waiting", "running"] {
                if let Some(v) = s.get(key) {
                    state.insert(key.into(), v.clone());
                }
            }
            json!({"name": step_container(s), "state": state})
        })
        .collect();
    let cond = task_run
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| str_at(c, "/type") == "Succeeded"));
    json!({
        "kind": "Pod",
        "metadata": {"name": str_at(task_run, "/status/podName"), "labels": labels},
        "spec": {"containers": specs},
        "status": {
            "reason": cond.map_or("", |c| str_at(c, "/reason")),
            "message": cond.map_or("", |c| str_at(c, "/message")),
            "containerStatuses": statuses,
        },
    })
}

fn step_container(step: &Value) -> String {
    match step.get("container").and_then(Value::as_str) {
        Some(c) => c.to_owned(),
        None => format!("step-{}", str_at(step, "/name")),
    }
}
