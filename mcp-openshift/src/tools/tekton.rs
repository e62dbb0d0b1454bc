//! Tekton tools: PipelineRun/TaskRun step logs (what the failure agent reads), starting
//! Pipelines/Tasks, restarting and cancelling runs.

use http::Method;
use serde_json::{Map, Value, json};

use super::core_kinds::pods;
use super::log_scan::{DEFAULT_TAIL, cap_log};
use super::{ToolContext, ToolResult};
use crate::args::Args;
use crate::error::{ArgError, Context, KubeError, ToolError};
use crate::kube_api::{ResourceInfo, query};

fn tekton(kind: &str, plural: &str) -> ResourceInfo {
    ResourceInfo {
        group: "tekton.dev".into(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        namespaced: true,
    }
}

/// Step (and sidecar) logs of one TaskRun, each under a `==> taskrun/container <==` header.
async fn taskrun_log_text(
    ctx: &ToolContext<'_>,
    ns: &str,
    taskrun: &Value,
    step: Option<&str>,
    tail: i64,
) -> Result<String, KubeError> {
    let tr_name = taskrun["metadata"]["name"].as_str().unwrap_or_default();
    let Some(pod_name) = taskrun["status"]["podName"]
        .as_str()
        .filter(|p| !p.is_empty())
    else {
        return Ok(format!(
            "==> {tr_name} <==\n(no pod has been created for this TaskRun yet)\n"
        ));
    };
    let pod = ctx
        .kube
        .get_json(&pods().object(Some(ns), pod_name))
        .await?;
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    let wanted: Vec<String> = match step {
        Some(s) => {
            let full = if s.starts_with("step-") {
                s.to_string()
            } else {
                format!("step-{s}")
            };
            if !containers.contains(&full) {
                let steps: Vec<&str> = containers
                    .iter()
                    .filter_map(|c| c.strip_prefix("step-"))
                    .collect();
                return Err(KubeError::msg(format!(
                    "TaskRun {tr_name} has no step {s:?} (steps: {})",
                    steps.join(", ")
                )));
            }
            vec![full]
        }
        None => containers
            .into_iter()
            .filter(|c| c.starts_with("step-") || c.starts_with("sidecar-"))
            .collect(),
    };
    let mut out = String::new();
    for c in wanted {
        let path = format!(
            "{}/log{}",
            pods().object(Some(ns), pod_name),
            query(&[
                ("container", Some(c.clone())),
                ("tailLines", Some(tail.to_string()))
            ])
        );
        let text = match ctx.kube.get_text(&path).await {
            Ok(t) if t.is_empty() => "(no output)\n".to_string(),
            Ok(t) => t,
            Err(e) => format!("(log not available: {e})\n"),
        };
        out.push_str(&format!("==> {tr_name}/{c} <==\n{text}"));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

fn tail_arg(a: &Args<'_>) -> Result<i64, ArgError> {
    Ok(a.opt_int("tail")?
        .filter(|t| *t > 0)
        .unwrap_or(DEFAULT_TAIL))
}

pub(super) async fn taskrun_logs(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let (name, ns) = ctx
        .name_and_namespace(a)
        .context("failed to get TaskRun logs")?;
    let what = format!("failed to get logs of TaskRun {name} in namespace {ns}");
    let step = a.opt_str("step").context(&what)?;
    let tail = tail_arg(a).context(&what)?;
    let tr = ctx
        .kube
        .get_json(&tekton("TaskRun", "taskruns").object(Some(&ns), &name))
        .await
        .context(&what)?;
    let text = taskrun_log_text(ctx, &ns, &tr, step.as_deref(), tail)
        .await
        .context(&what)?;
    Ok(cap_log(&text).into())
}

pub(super) async fn pipelinerun_logs(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let (name, ns) = ctx
        .name_and_namespace(a)
        .context("failed to get PipelineRun logs")?;
    let what = format!("failed to get logs of PipelineRun {name} in namespace {ns}");
    let task = a.opt_str("task").context(&what)?;
    let step = a.opt_str("step").context(&what)?;
    let tail = tail_arg(a).context(&what)?;
    ctx.kube
        .get_json(&tekton("PipelineRun", "pipelineruns").object(Some(&ns), &name))
        .await
        .context(&what)?;
    let mut selector = format!("tekton.dev/pipelineRun={name}");
    if let Some(t) = &task {
        selector.push_str(&format!(",tekton.dev/pipelineTask={t}"));
    }
    let list = ctx
        .kube
        .get_json(&format!(
            "{}{}",
            tekton("TaskRun", "taskruns").collection(Some(&ns)),
            query(&[("labelSelector", Some(selector))])
        ))
        .await
        .context(&what)?;
    let mut runs = list["items"].as_array().cloned().unwrap_or_default();
    runs.sort_by(|x, y| {
        let key = |v: &Value| {
            (
                v["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                v["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        };
        key(x).cmp(&key(y))
    });
    if runs.is_empty() {
        return Ok(format!(
            "PipelineRun {name} in namespace {ns} has no TaskRuns{}",
            task.map(|t| format!(" for task {t}")).unwrap_or_default()
        )
        .into());
    }
    let mut out = String::new();
    for tr in &runs {
        match taskrun_log_text(ctx, &ns, tr, step.as_deref(), tail).await {
            Ok(t) => out.push_str(&t),
            Err(e) => out.push_str(&format!(
                "==> {} <==\n({e})\n",
                tr["metadata"]["name"].as_str().unwrap_or_default()
            )),
        }
    }
    Ok(cap_log(&out).into())
}

fn copy_run(orig: &Value, name: &str) -> Value {
    let base = orig["metadata"]["labels"]["tekton.dev/pipeline"]
        .as_str()
        .or(orig["metadata"]["labels"]["tekton.dev/task"].as_str())
        .unwrap_or(name);
    let mut spec = orig["spec"].clone();
    if let Some(s) = spec.as_object_mut() {
        s.remove("status");
    }
    json!({"apiVersion": "tekton.dev/v1", "kind": orig["kind"], "metadata": {"generateName": format!("{base}-"), "namespace": orig["metadata"]["namespace"]}, "spec": spec})
}

pub(super) async fn pipelinerun_lifecycle(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let name = a.req_str("name").context("failed to manage PipelineRun")?;
    let action = a
        .req_str("action")
        .context("failed to manage PipelineRun")?;
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .context("failed to manage PipelineRun")?,
    );
    let what = format!("failed to {action} PipelineRun {name} in namespace {ns}");
    let ri = tekton("PipelineRun", "pipelineruns");
    match action.as_str() {
        "cancel" => {
            ctx.kube
                .send_json(
                    Method::PATCH,
                    &ri.object(Some(&ns), &name),
                    "application/merge-patch+json",
                    &json!({"spec": {"status": "Cancelled"}}),
                )
                .await
                .context(&what)?;
            Ok(format!("PipelineRun {name} in namespace {ns} cancelled").into())
        }
        "restart" => restart_run(ctx, &ri, "PipelineRun", &ns, &name, &what).await,
        other => Err(ToolError::failed(
            what,
            ArgError::invalid(
                "action",
                format!("must be one of restart, cancel, got {other:?}"),
            ),
        )),
    }
}

pub(super) async fn taskrun_restart(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let (name, ns) = ctx
        .name_and_namespace(a)
        .context("failed to restart TaskRun")?;
    let what = format!("failed to restart TaskRun {name} in namespace {ns}");
    let ri = tekton("TaskRun", "taskruns");
    restart_run(ctx, &ri, "TaskRun", &ns, &name, &what).await
}

/// Restarts a run the way `tkn … start --use-…run` does: a new run from a copy of the
/// old one's spec, answered with the new run's generated name.
async fn restart_run(
    ctx: &ToolContext<'_>,
    ri: &ResourceInfo,
    kind: &str,
    ns: &str,
    name: &str,
    what: &str,
) -> ToolResult {
    let orig = ctx
        .kube
        .get_json(&ri.object(Some(ns), name))
        .await
        .context(what)?;
    let created = ctx
        .kube
        .send_json(
            Method::POST,
            &ri.collection(Some(ns)),
            "application/json",
            &copy_run(&orig, name),
        )
        .await
        .context(what)?;
    Ok(format!(
        "{kind} {name} restarted as {}",
        created["metadata"]["name"].as_str().unwrap_or_default()
    )
    .into())
}

/// Tekton `params` from a JSON object: string, array of strings or string map values.
fn params(p: &Map<String, Value>) -> Result<Vec<Value>, ArgError> {
    p.iter()
        .map(|(k, v)| match v {
            Value::String(_) | Value::Array(_) | Value::Object(_) => {
                Ok(json!({"name": k, "value": v}))
            }
            Value::Number(_) | Value::Bool(_) => Ok(json!({"name": k, "value": v.to_string()})),
            Value::Null => Err(ArgError::InvalidEntry {
                path: format!("params.{k}"),
                reason: "must not be null".into(),
            }),
        })
        .collect()
}

pub(super) async fn start(ctx: &ToolContext<'_>, a: &Args<'_>, kind: &str) -> ToolResult {
    let pre = format!("failed to start {kind}");
    let (name, ns) = ctx.name_and_namespace(a).context(&pre)?;
    let what = format!("failed to start {kind} {name} in namespace {ns}");
    let p = params(&a.opt_object("params").context(&what)?.unwrap_or_default()).context(&what)?;
    let (run_ri, def_ri, ref_key) = if kind == "Pipeline" {
        (
            tekton("PipelineRun", "pipelineruns"),
            tekton("Pipeline", "pipelines"),
            "pipelineRef",
        )
    } else {
        (
            tekton("TaskRun", "taskruns"),
            tekton("Task", "tasks"),
            "taskRef",
        )
    };
    ctx.kube
        .get_json(&def_ri.object(Some(&ns), &name))
        .await
        .context(&what)?;
    let run = json!({"apiVersion": "tekton.dev/v1", "kind": run_ri.kind, "metadata": {"generateName": format!("{name}-run-"), "namespace": ns},
        "spec": {ref_key: {"name": name}, "params": p}});
    let created = ctx
        .kube
        .send_json(
            Method::POST,
            &run_ri.collection(Some(&ns)),
            "application/json",
            &run,
        )
        .await
        .context(&what)?;
    Ok(format!(
        "{} {} created for {kind} {name} in namespace {ns}",
        run_ri.kind,
        created["metadata"]["name"].as_str().unwrap_or_default()
    )
    .into())
}
