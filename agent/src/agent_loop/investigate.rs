//! Before the loop: reads the pod, its TaskRun, its events and the failed container's log
//! through the Kubernetes MCP tools of the cluster server(s), so the deterministic
//! pre-analysis (and the fallback issue) never depends on the model. What cannot be read
//! is recorded, not fatal.

use failure_analysis::classify::{
    parse_events, parse_object, pod_from_task_run, select_container, tekton_refs,
};
use serde_json::{Map, Value, json};

use super::own_call::Miss;
use super::{Agent, Run};
use crate::config::ServerRole;

/// Log lines read before the loop (the excerpt keeps the error lines and the tail).
const LOG_TAIL_LINES: u64 = 2000;

impl Agent {
    /// One read of a cluster server's tool (by its name on the server); `None` when the
    /// tool is missing, failed or said so.
    async fn read(&self, run: &Run<'_>, tool: &str, args: Value) -> Option<String> {
        let exposed = self
            .registry
            .tools()
            .into_iter()
            .find(|t| t.tool == tool && t.role == ServerRole::Cluster)?
            .name;
        match self.own_call(run, &exposed, args).await {
            Ok(text) => Some(text),
            Err(Miss::Failed(e)) => {
                tracing::warn!(tool, error = %failure_analysis::redact::redact(&e.to_string()).text, "investigation read failed");
                None
            }
            Err(Miss::NotAnObject | Miss::Refused(_)) => None,
        }
    }

    /// Fills `run.evidence` from the cluster.
    pub(super) async fn investigate(&self, run: &mut Run<'_>) {
        let report = run.report;
        let ns = report.namespace.as_str();
        let pod_name = report.pod_name.as_str();
        let pod = self
            .read(run, "pods_get", json!({"namespace": ns, "name": pod_name}))
            .await
            .and_then(|t| parse_object(&t))
            .filter(|p| p.get("status").is_some() || p.get("spec").is_some());
        let task_run_name = report
            .task_run
            .clone()
            .or_else(|| pod.as_ref().and_then(|p| tekton_refs(p).task_run));
        let mut task_run = None;
        if let Some(name) = task_run_name {
            let args = json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "namespace": ns, "name": name});
            task_run = self
                .read(run, "resources_get", args)
                .await
                .and_then(|t| parse_object(&t))
                .filter(|t| t.get("status").is_some());
        }
        let events = self
            .read(run, "events_list", json!({"namespace": ns}))
            .await
            .map(|t| parse_events(&t))
            .map(|all| only_about(&all, pod_name));
        let mut unavailable = Vec::new();
        if pod.is_none() {
            unavailable.push(format!(
                "pod {pod_name} (deleted or unreadable; status taken from its TaskRun)"
            ));
        }
        let shape = pod
            .clone()
            .or_else(|| task_run.as_ref().map(pod_from_task_run))
            .unwrap_or(Value::Null);
        let selection = select_container(&shape, report.container_name.as_deref());
        if let Some(container) = selection.container.clone() {
            let mut args = Map::new();
            args.insert("namespace".into(), ns.into());
            args.insert("name".into(), pod_name.into());
            args.insert("container".into(), container.clone().into());
            args.insert("tail".into(), LOG_TAIL_LINES.into());
            if selection.previous {
                args.insert("previous".into(), true.into());
            }
            match self.read(run, "pods_log", Value::Object(args)).await {
                Some(log) => run
                    .evidence
                    .logs
                    .push(self.hooks.redact(self.hooks.cut_log(log))),
                None => unavailable.push(format!("log of container {container}")),
            }
        }
        if events.is_none() {
            unavailable.push("events".into());
        }
        run.evidence.pod = pod;
        run.evidence.task_run = task_run;
        run.evidence.events = events;
        run.evidence.container = serde_json::to_value(&selection).unwrap_or_default();
        run.evidence.unavailable = unavailable;
    }
}

/// The events that name the pod.
fn only_about(events: &Value, pod: &str) -> Value {
    let items = events.as_array().cloned().unwrap_or_default();
    // The server's event shape varies (API keys or capitalised ones): match the name.
    let named = |e: &Value| e.to_string().contains(pod);
    Value::Array(items.into_iter().filter(named).collect())
}
