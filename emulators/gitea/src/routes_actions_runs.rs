//! Gitea Actions runs: workflows (the YAML files under `.gitea/workflows/` or
//! `.github/workflows/` of the default branch, with the file name as id), dispatching one
//! (a queued run), runs and their jobs (seeded by tests with `GiteaEmulator::add_action_run`),
//! a job's log as plain text, rerunning a finished run, and artifacts. Gitea 1.26 has no
//! cancel endpoint, so none is served here either.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::Paging;
use super::repo_handler::{ItemPath, RepoPath, repo_at};
use super::state::{Repo, World, now};
use super::state_extra::{Artifact, Job, Run};

/// Go's zero time, which Gitea renders for a run or job that has not finished.
const ZERO: &str = "0001-01-01T00:00:00Z";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/actions/workflows",
            get(list_workflows),
        )
        .route(
            "/repos/{owner}/{repo}/actions/workflows/{workflow_id}",
            get(get_workflow),
        )
        .route(
            "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
            post(dispatch),
        )
        .route("/repos/{owner}/{repo}/actions/runs", get(list_runs))
        .route("/repos/{owner}/{repo}/actions/runs/{run}", get(get_run))
        .route(
            "/repos/{owner}/{repo}/actions/runs/{run}/rerun",
            post(rerun),
        )
        .route(
            "/repos/{owner}/{repo}/actions/runs/{run}/jobs",
            get(run_jobs),
        )
        .route(
            "/repos/{owner}/{repo}/actions/runs/{run}/artifacts",
            get(run_artifacts),
        )
        .route("/repos/{owner}/{repo}/actions/jobs", get(list_jobs))
        .route("/repos/{owner}/{repo}/actions/jobs/{job_id}", get(get_job))
        .route(
            "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs",
            get(job_logs),
        )
        .route(
            "/repos/{owner}/{repo}/actions/artifacts",
            get(list_artifacts),
        )
        .route(
            "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
            get(get_artifact),
        )
}

/// `(path, content)` of each workflow file at the head of the default branch.
fn workflow_files(r: &Repo) -> Vec<(String, String)> {
    let Some(commit) = r.resolve(&r.default_branch) else {
        return Vec::new();
    };
    commit
        .tree
        .iter()
        .filter(|(path, _)| {
            let dir =
                path.starts_with(".gitea/workflows/") || path.starts_with(".github/workflows/");
            let file = path.rsplit('/').next().unwrap_or_default();
            dir && !file.contains('/')
                && (file.ends_with(".yml") || file.ends_with(".yaml"))
                && path.matches('/').count() == 2
        })
        .map(|(p, c)| (p.clone(), String::from_utf8_lossy(c).into_owned()))
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The top-level `name:` of a workflow file, else its file name.
fn workflow_name(path: &str, content: &str) -> String {
    content
        .lines()
        .find_map(|l| l.strip_prefix("name:"))
        .map(|n| n.trim().trim_matches(['"', '\'']).to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| file_name(path).to_string())
}

/// The job ids under the top-level `jobs:` (two-space indented keys).
fn job_names(content: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in content.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            inside = line.trim_end() == "jobs:";
            continue;
        }
        if inside
            && let Some(key) = line.strip_prefix("  ").filter(|k| !k.starts_with(' '))
            && let Some(name) = key.trim_end().strip_suffix(':')
        {
            out.push(name.to_string());
        }
    }
    out
}

fn workflow_json(w: &World, r: &Repo, path: &str, content: &str) -> Value {
    let id = file_name(path);
    let at = r.updated.to_string();
    json!({
        "id": id,
        "name": workflow_name(path, content),
        "path": path,
        "state": "active",
        "created_at": at,
        "updated_at": at,
        "url": format!("{}/actions/workflows/{id}", w.repo_api(r)),
        "html_url": format!("{}/actions?workflow={id}", w.repo_html(r)),
        "badge_url": format!("{}/actions/workflows/{id}/badge.svg", w.repo_html(r)),
    })
}

fn run_json(w: &World, r: &Repo, run: &Run) -> Value {
    let repo = w.repo_json(r, (false, false, true));
    json!({
        "id": run.id,
        "url": format!("{}/actions/runs/{}", w.repo_api(r), run.id),
        "html_url": format!("{}/actions/runs/{}", w.repo_html(r), run.run_number),
        "display_title": run.title,
        "path": format!("{}@refs/heads/{}", run.workflow_id, run.head_branch),
        "event": run.event,
        "run_attempt": run.attempt,
        "run_number": run.run_number,
        "head_sha": run.head_sha,
        "head_branch": run.head_branch,
        "status": run.status,
        "conclusion": run.conclusion,
        "actor": w.user_ref(run.actor_id),
        "trigger_actor": w.user_ref(run.actor_id),
        "repository": repo.clone(),
        "head_repository": repo,
        "repository_id": r.id,
        "started_at": run.created.to_string(),
        "completed_at": run.completed.map(|t| t.to_string()).unwrap_or_else(|| ZERO.to_string()),
    })
}

fn job_json(w: &World, r: &Repo, run: &Run, job: &Job) -> Value {
    let at = run.created.to_string();
    let done = run
        .completed
        .map(|t| t.to_string())
        .unwrap_or_else(|| ZERO.to_string());
    json!({
        "id": job.id,
        "url": format!("{}/actions/jobs/{}", w.repo_api(r), job.id),
        "html_url": format!("{}/actions/runs/{}/jobs/0", w.repo_html(r), run.run_number),
        "run_id": run.id,
        "run_url": format!("{}/actions/runs/{}", w.repo_api(r), run.id),
        "name": job.name,
        "labels": ["ubuntu-latest"],
        "run_attempt": run.attempt,
        "head_sha": run.head_sha,
        "head_branch": run.head_branch,
        "status": job.status,
        "conclusion": job.conclusion,
        "runner_id": 0,
        "runner_name": "",
        "steps": [{"name": job.name, "number": 1, "status": job.status, "conclusion": job.conclusion, "started_at": at, "completed_at": done}],
        "created_at": at,
        "started_at": at,
        "completed_at": done,
    })
}

fn artifact_json(w: &World, r: &Repo, a: &Artifact) -> Value {
    let at = a.created.to_string();
    let head = w.extra.runs.iter().find(|run| run.id == a.run_id);
    json!({
        "id": a.id,
        "name": a.name,
        "size_in_bytes": a.size,
        "url": format!("{}/actions/artifacts/{}", w.repo_api(r), a.id),
        "archive_download_url": format!("{}/actions/artifacts/{}/zip", w.repo_api(r), a.id),
        "expired": false,
        "workflow_run": {"id": a.run_id, "repository_id": r.id, "head_sha": head.map(|h| h.head_sha.clone()).unwrap_or_default()},
        "created_at": at,
        "updated_at": at,
        "expires_at": at,
    })
}

/// `{total_count, <key>: page}` with Gitea's paging.
fn counted(ctx: &Ctx, key: &str, items: Vec<Value>) -> Json<Value> {
    let paging = Paging::from_query(&ctx.query);
    let total = items.len();
    Json(json!({"total_count": total, key: paging.slice(&items)}))
}

fn readable<'w>(w: &'w World, ctx: &Ctx, owner: &str, repo: &str) -> Result<&'w Repo> {
    ctx.scopes(&["repository"])?;
    let (index, _) = find_repo(w, ctx, owner, repo)?;
    repo_at(w, index)
}

fn run_pos(w: &World, repo_id: i64, raw: &str) -> Result<usize> {
    let id = parse_id(raw)?;
    w.extra
        .runs
        .iter()
        .position(|r| r.id == id && r.repo_id == repo_id)
        .ok_or_else(|| ApiError::not_found_err(format!("run with id {id}: record does not exist")))
}

fn find_job<'w>(w: &'w World, repo_id: i64, raw: &str) -> Result<(&'w Run, &'w Job)> {
    let id = parse_id(raw)?;
    w.extra
        .runs
        .iter()
        .filter(|r| r.repo_id == repo_id)
        .find_map(|r| r.jobs.iter().find(|j| j.id == id).map(|j| (r, j)))
        .ok_or_else(|| ApiError::not_found_err(format!("job with id {id}: record does not exist")))
}

fn status_matches(ctx: &Ctx, status: &str, conclusion: &str) -> bool {
    ctx.query
        .get("status")
        .is_none_or(|s| s == status || s == conclusion)
}

async fn list_workflows(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let items = workflow_files(r)
            .iter()
            .map(|(p, c)| workflow_json(w, r, p, c))
            .collect();
        Ok(counted(&ctx, "workflows", items))
    })
}

fn workflow<'a>(files: &'a [(String, String)], id: &str) -> Result<&'a (String, String)> {
    files
        .iter()
        .find(|(p, _)| file_name(p) == id)
        .ok_or_else(|| ApiError::not_found_err(format!("workflow {id:?} not found")))
}

async fn get_workflow(ctx: Ctx, Path((owner, repo, id)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let files = workflow_files(r);
        let (p, c) = workflow(&files, &id)?;
        Ok(Json(workflow_json(w, r, p, c)))
    })
}

async fn dispatch(ctx: Ctx, Path((owner, repo, id)): ItemPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let git_ref = body.required_str("ref")?;
    let inputs = match body.get("inputs") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ApiError::unprocessable("[Inputs]: must be an object")),
    };
    let details = ctx.query.flag("return_run_details").unwrap_or(false);
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let uid = ctx.require_user()?;
        let r = repo_at(w, index)?;
        let files = workflow_files(r);
        let (path, content) = workflow(&files, &id)?.clone();
        let branch = git_ref.trim_start_matches("refs/heads/").to_string();
        let sha = r
            .resolve(&branch)
            .map(|c| c.sha.clone())
            .ok_or_else(|| ApiError::unprocessable(format!("ref {git_ref:?} does not exist")))?;
        let (repo_id, number) = (r.id, next_run_number(w, r.id));
        let mut jobs = Vec::new();
        for name in job_names(&content) {
            jobs.push(Job {
                id: w.next_id(),
                name,
                status: "queued".into(),
                conclusion: String::new(),
                log: String::new(),
            });
        }
        let run = Run {
            id: w.next_id(),
            repo_id,
            workflow_id: file_name(&path).to_string(),
            run_number: number,
            attempt: 1,
            title: workflow_name(&path, &content),
            event: "workflow_dispatch".into(),
            status: "queued".into(),
            conclusion: String::new(),
            head_branch: branch,
            head_sha: sha,
            actor_id: uid,
            created: now(),
            completed: None,
            inputs,
            jobs,
        };
        let out = details.then(|| {
            let r = &w.repos[index];
            json!({
                "workflow_run_id": run.id,
                "run_url": format!("{}/actions/runs/{}", w.repo_api(r), run.id),
                "html_url": format!("{}/actions/runs/{}", w.repo_html(r), run.run_number),
            })
        });
        w.extra.runs.push(run);
        Ok(match out {
            Some(v) => Json(v).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        })
    })
}

pub(crate) fn next_run_number(w: &World, repo_id: i64) -> i64 {
    w.extra
        .runs
        .iter()
        .filter(|r| r.repo_id == repo_id)
        .map(|r| r.run_number)
        .max()
        .unwrap_or(0)
        + 1
}

async fn list_runs(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Json<Value>> {
    let q = |k: &str| ctx.query.get(k).map(str::to_string);
    let (event, branch, actor, sha) = (q("event"), q("branch"), q("actor"), q("head_sha"));
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let actor_id = actor
            .as_deref()
            .map(|a| w.user(a).map(|u| u.id).unwrap_or(-1));
        let items = w
            .extra
            .runs
            .iter()
            .rev()
            .filter(|run| run.repo_id == r.id && status_matches(&ctx, &run.status, &run.conclusion))
            .filter(|run| event.as_ref().is_none_or(|e| &run.event == e))
            .filter(|run| branch.as_ref().is_none_or(|b| &run.head_branch == b))
            .filter(|run| sha.as_ref().is_none_or(|s| &run.head_sha == s))
            .filter(|run| actor_id.is_none_or(|a| run.actor_id == a))
            .map(|run| run_json(w, r, run))
            .collect();
        Ok(counted(&ctx, "workflow_runs", items))
    })
}

async fn get_run(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let run = w
            .extra
            .runs
            .get(run_pos(w, r.id, &raw)?)
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(run_json(w, r, run)))
    })
}

async fn rerun(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let repo_id = repo_at(w, index)?.id;
        let pos = run_pos(w, repo_id, &raw)?;
        let run = w.extra.runs.get_mut(pos).ok_or_else(ApiError::not_found)?;
        if run.status != "completed" {
            return Err(ApiError::bad_request("this workflow run is not done"));
        }
        run.attempt += 1;
        run.status = "queued".into();
        run.conclusion.clear();
        run.completed = None;
        for job in &mut run.jobs {
            job.status = "queued".into();
            job.conclusion.clear();
            job.log.clear();
        }
        let run = run.clone();
        let r = repo_at(w, index)?;
        Ok((StatusCode::CREATED, Json(run_json(w, r, &run))).into_response())
    })
}

async fn run_jobs(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let run = w
            .extra
            .runs
            .get(run_pos(w, r.id, &raw)?)
            .ok_or_else(ApiError::not_found)?;
        let items = run
            .jobs
            .iter()
            .filter(|j| status_matches(&ctx, &j.status, &j.conclusion))
            .map(|j| job_json(w, r, run, j))
            .collect();
        Ok(counted(&ctx, "jobs", items))
    })
}

async fn list_jobs(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let items = w
            .extra
            .runs
            .iter()
            .rev()
            .filter(|run| run.repo_id == r.id)
            .flat_map(|run| run.jobs.iter().map(move |j| (run, j)))
            .filter(|(_, j)| status_matches(&ctx, &j.status, &j.conclusion))
            .map(|(run, j)| job_json(w, r, run, j))
            .collect();
        Ok(counted(&ctx, "jobs", items))
    })
}

async fn get_job(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let (run, job) = find_job(w, r.id, &raw)?;
        Ok(Json(job_json(w, r, run, job)))
    })
}

async fn job_logs(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let (_, job) = find_job(w, r.id, &raw)?;
        Ok((
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            job.log.clone(),
        )
            .into_response())
    })
}

fn artifacts(w: &World, ctx: &Ctx, r: &Repo, run: Option<i64>) -> Json<Value> {
    let name = ctx.query.get("name");
    let items = w
        .extra
        .artifacts
        .iter()
        .filter(|a| a.repo_id == r.id && run.is_none_or(|id| a.run_id == id))
        .filter(|a| name.is_none_or(|n| a.name == n))
        .map(|a| artifact_json(w, r, a))
        .collect();
    counted(ctx, "artifacts", items)
}

async fn list_artifacts(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        Ok(artifacts(w, &ctx, r, None))
    })
}

async fn run_artifacts(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let id = w.extra.runs.get(run_pos(w, r.id, &raw)?).map(|run| run.id);
        Ok(artifacts(w, &ctx, r, id))
    })
}

async fn get_artifact(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let r = readable(w, &ctx, &owner, &repo)?;
        let id = parse_id(&raw)?;
        let a = w
            .extra
            .artifacts
            .iter()
            .find(|a| a.id == id && a.repo_id == r.id)
            .ok_or_else(|| {
                ApiError::not_found_err(format!("artifact with id {id}: record does not exist"))
            })?;
        Ok(Json(artifact_json(w, r, a)))
    })
}
