//! Gitea Actions runs: `actions_run_read` (workflows, runs, jobs, job logs, artifacts) and
//! `actions_run_write` (dispatch a workflow, cancel or rerun a run).
//!
//! Where upstream writes a downloaded log or artifact to the MCP server's own disk, these
//! tools answer inline: `download_job_log` returns the log text (bounded), and
//! `download_artifact` returns the artifact with its `archive_download_url`, which a remote
//! client can fetch itself. Gitea 1.26 has no cancel endpoint; `cancel_run` says so.

use serde_json::{Map, Value, json};

use super::{RepoRef, ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, owner_repo, paging, string_param};
use crate::gitea_client::seg;

/// The most log bytes `download_job_log` returns inline.
const LOG_CAP: usize = 1024 * 1024;

const READ_METHODS: &[&str] = &[
    "list_workflows",
    "get_workflow",
    "list_runs",
    "get_run",
    "list_jobs",
    "list_run_jobs",
    "get_job",
    "get_job_log_preview",
    "download_job_log",
    "list_artifacts",
    "list_run_artifacts",
    "get_artifact",
    "download_artifact",
];
const WRITE_METHODS: &[&str] = &["dispatch_workflow", "cancel_run", "rerun_run"];

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "actions_run_read",
            "actions",
            Kind::Read,
            "Read Actions workflows, runs, jobs, logs and artifacts",
            "Workflows, runs and jobs of a repository; a job's log (the last tail_lines lines within max_bytes, or the whole log up to 1 MiB with download_job_log); artifacts.",
        )
        .runs(handler!(actions_run_read))
        .params([method(READ_METHODS)])
        .params(owner_repo())
        .params([
            string_param("workflow_id", "workflow id or file name (get_workflow)"),
            number_param("run_id", "run id"),
            number_param("job_id", "job id"),
            number_param("artifact_id", "artifact id"),
            string_param("artifact_name", "filter artifacts by name"),
            string_param("status", "filter runs or jobs by status"),
            number_param("tail_lines", "log lines to keep from the end")
                .default(json!(200))
                .min(1),
            number_param("max_bytes", "most log bytes to return")
                .default(json!(65536))
                .min(1024),
            string_param("output_path", "ignored: logs and artifacts are answered inline"),
        ])
        .params(paging(30))
        .required(&["method", "owner", "repo"]),
        ToolSpec::new(
            "actions_run_write",
            "actions",
            Kind::Write,
            "Dispatch, cancel or rerun Actions workflows",
            "Dispatch a workflow on a ref with inputs, cancel a run, or rerun a finished run.",
        )
        .runs(handler!(actions_run_write))
        .params([method(WRITE_METHODS)])
        .params(owner_repo())
        .params([
            string_param("workflow_id", "workflow id or file name (dispatch_workflow)"),
            string_param("ref", "branch or tag to run on (dispatch_workflow)"),
            crate::catalog::object_param("inputs", "workflow inputs (dispatch_workflow)"),
            number_param("run_id", "run id (cancel_run, rerun_run)"),
        ])
        .required(&["method", "owner", "repo"]),
    ]
}

fn pick(v: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for k in keys {
        if let Some(x) = v.get(*k).filter(|x| !x.is_null() && x.as_str() != Some("")) {
            out.insert((*k).to_string(), x.clone());
        }
    }
    Value::Object(out)
}

fn run(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "id",
            "display_title",
            "head_branch",
            "head_sha",
            "run_number",
            "run_attempt",
            "event",
            "status",
            "conclusion",
            "html_url",
            "started_at",
            "completed_at",
        ],
    );
    if let (Some(o), Some(path)) = (out.as_object_mut(), v["path"].as_str()) {
        let workflow = path.split('@').next().unwrap_or(path);
        o.insert("workflow_id".into(), json!(workflow));
    }
    if let Some(o) = out.as_object_mut() {
        if let Some(actor) = v["actor"]["login"].as_str() {
            o.insert("actor".into(), json!(actor));
        }
        // Gitea writes Go's zero time for a run that has not finished.
        if o.get("completed_at").and_then(Value::as_str) == Some("0001-01-01T00:00:00Z") {
            o.remove("completed_at");
        }
    }
    out
}

fn job(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "id",
            "run_id",
            "name",
            "status",
            "conclusion",
            "html_url",
            "head_branch",
            "head_sha",
            "started_at",
            "completed_at",
            "runner_name",
        ],
    );
    if let Some(o) = out.as_object_mut() {
        if o.get("completed_at").and_then(Value::as_str) == Some("0001-01-01T00:00:00Z") {
            o.remove("completed_at");
        }
        if let Some(steps) = v["steps"].as_array() {
            let steps: Vec<Value> = steps
                .iter()
                .map(|s| pick(s, &["number", "name", "status", "conclusion"]))
                .collect();
            if !steps.is_empty() {
                o.insert("steps".into(), Value::Array(steps));
            }
        }
    }
    out
}

fn workflow(v: &Value) -> Value {
    pick(v, &["id", "name", "path", "state", "html_url", "badge_url"])
}

fn artifact(v: &Value) -> Value {
    pick(
        v,
        &[
            "id",
            "name",
            "size_in_bytes",
            "expired",
            "created_at",
            "expires_at",
            "archive_download_url",
        ],
    )
}

/// `{total_count, key: [slim items]}` from Gitea's `{total_count, key: [...]}`.
fn counted(v: &Value, key: &str, f: fn(&Value) -> Value) -> Value {
    let items: Vec<Value> = v[key]
        .as_array()
        .map(|a| a.iter().map(f).collect())
        .unwrap_or_default();
    let total = v["total_count"].as_i64().unwrap_or(items.len() as i64);
    json!({"total_count": total, key: items})
}

async fn actions_run_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ_METHODS)?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let base = format!("{base}/actions");
    match m.as_str() {
        "list_workflows" => {
            let got = ctx
                .get(format!("{base}/workflows"))
                .send(&format!("list {full} workflows"))
                .await?;
            Ok(counted(&got, "workflows", workflow))
        }
        "get_workflow" => {
            let id = args.str_req("workflow_id")?;
            let got = ctx
                .get(format!("{base}/workflows/{}", seg(&id)))
                .send(&format!("get {full} workflow {id}"))
                .await?;
            Ok(workflow(&got))
        }
        "list_runs" => {
            let mut q = page_query(args, 30)?;
            if let Some(s) = args.str_opt("status")? {
                q.push(("status", s));
            }
            let got = ctx
                .get(format!("{base}/runs"))
                .query(q)
                .send(&format!("list {full} runs"))
                .await?;
            Ok(counted(&got, "workflow_runs", run))
        }
        "get_run" => {
            let id = args.int_req("run_id")?;
            let got = ctx
                .get(format!("{base}/runs/{id}"))
                .send(&format!("get {full} run {id}"))
                .await?;
            Ok(run(&got))
        }
        "list_jobs" | "list_run_jobs" => {
            let path = if m == "list_jobs" {
                format!("{base}/jobs")
            } else {
                format!("{base}/runs/{}/jobs", args.int_req("run_id")?)
            };
            let mut q = page_query(args, 30)?;
            if let Some(s) = args.str_opt("status")? {
                q.push(("status", s));
            }
            let got = ctx
                .get(path)
                .query(q)
                .send(&format!("list {full} jobs"))
                .await?;
            Ok(counted(&got, "jobs", job))
        }
        "get_job" => {
            let id = args.int_req("job_id")?;
            let got = ctx
                .get(format!("{base}/jobs/{id}"))
                .send(&format!("get {full} job {id}"))
                .await?;
            Ok(job(&got))
        }
        "get_job_log_preview" | "download_job_log" => log(ctx, args, &base, &full, &m).await,
        "list_artifacts" | "list_run_artifacts" => {
            let path = if m == "list_artifacts" {
                format!("{base}/artifacts")
            } else {
                format!("{base}/runs/{}/artifacts", args.int_req("run_id")?)
            };
            let mut q = page_query(args, 30)?;
            if let Some(n) = args.str_opt("artifact_name")? {
                q.push(("name", n));
            }
            let got = ctx
                .get(path)
                .query(q)
                .send(&format!("list {full} artifacts"))
                .await?;
            Ok(counted(&got, "artifacts", artifact))
        }
        "get_artifact" | "download_artifact" => {
            let id = args.int_req("artifact_id")?;
            let got = ctx
                .get(format!("{base}/artifacts/{id}"))
                .send(&format!("get {full} artifact {id}"))
                .await?;
            let mut out = artifact(&got);
            if m == "download_artifact"
                && let Some(o) = out.as_object_mut()
            {
                o.insert(
                    "note".into(),
                    json!("fetch archive_download_url with your Gitea token; the MCP server does not store artifacts"),
                );
            }
            Ok(out)
        }
        _ => Err(ToolError::UnknownMethod(m)),
    }
}

/// A job's log: the preview keeps the last `tail_lines` lines within `max_bytes`; the
/// download keeps the whole log up to [`LOG_CAP`] bytes (its end, when longer).
async fn log(
    ctx: ToolContext<'_>,
    args: &Args,
    base: &str,
    full: &str,
    m: &str,
) -> Result<Value, ToolError> {
    let id = args.int_req("job_id")?;
    let tail = args.int_opt("tail_lines")?.unwrap_or(200).max(1) as usize;
    let max = args.int_opt("max_bytes")?.unwrap_or(65536).max(1024) as usize;
    let endpoint = format!("{base}/jobs/{id}/logs");
    let raw = ctx
        .get(endpoint.clone())
        .send_raw(&format!("get {full} job {id} log"))
        .await?
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&raw);
    let (kept, truncated) = if m == "download_job_log" {
        tail_bytes(&text, LOG_CAP)
    } else {
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(tail);
        let joined = lines.get(start..).unwrap_or_default().join("\n");
        let (kept, cut) = tail_bytes(&joined, max);
        (kept, cut || start > 0)
    };
    let mut out = json!({
        "endpoint": endpoint,
        "job_id": id,
        "bytes": raw.len(),
        "truncated": truncated,
        "log": kept,
    });
    if m == "get_job_log_preview" {
        out["tail_lines"] = json!(tail);
        out["max_bytes"] = json!(max);
    }
    Ok(out)
}

/// The last `max` bytes of `text` (cut at a character boundary), and whether it was cut.
fn tail_bytes(text: &str, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text.to_string(), false);
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    (text.get(start..).unwrap_or_default().to_string(), true)
}

async fn actions_run_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE_METHODS)?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let base = format!("{base}/actions");
    match m.as_str() {
        "dispatch_workflow" => {
            let id = args.str_req("workflow_id")?;
            let git_ref = args.str_req("ref")?;
            let mut body = json!({"ref": git_ref});
            match args.get("inputs") {
                None => {}
                Some(Value::Object(inputs)) => body["inputs"] = Value::Object(inputs.clone()),
                Some(_) => return Err(ToolError::invalid("inputs", "must be an object")),
            }
            let got = ctx
                .post(format!("{base}/workflows/{}/dispatches", seg(&id)))
                .query([("return_run_details", "true".to_string())])
                .json(&body)
                .send(&format!("dispatch {full} workflow {id}"))
                .await?;
            if got.is_object() {
                Ok(pick(&got, &["workflow_run_id", "run_url", "html_url"]))
            } else {
                Ok(json!(format!("Workflow {id} dispatched on {git_ref}")))
            }
        }
        "cancel_run" => {
            let id = args.int_req("run_id")?;
            let what = format!("cancel {full} run {id}");
            match ctx
                .post(format!("{base}/runs/{id}/cancel"))
                .send(&what)
                .await
            {
                Ok(_) => Ok(json!("Run cancelled")),
                Err(err) => Err(missing_endpoint(
                    err,
                    "Gitea up to 1.26 has no API to cancel a run; cancel it in the web UI",
                )),
            }
        }
        "rerun_run" => {
            let id = args.int_req("run_id")?;
            let got = ctx
                .post(format!("{base}/runs/{id}/rerun"))
                .send(&format!("rerun {full} run {id}"))
                .await?;
            Ok(if got.is_object() {
                run(&got)
            } else {
                json!("Run restarted")
            })
        }
        _ => Err(ToolError::UnknownMethod(m)),
    }
}

/// Adds `note` to a 404/405 from Gitea, which for these endpoints usually means the
/// Gitea version lacks them.
pub(super) fn missing_endpoint(err: ToolError, note: &str) -> ToolError {
    match &err {
        ToolError::Gitea { source, .. } if matches!(source.status(), Some(404 | 405)) => {
            ToolError::Other(format!("{err} ({note})"))
        }
        _ => err,
    }
}
