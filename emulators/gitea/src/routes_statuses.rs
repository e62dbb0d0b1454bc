//! Commit statuses: create one for a commit, list them (per sha or ref), and the combined
//! status of a ref. The combined state is the worst of the latest status per context
//! (error > failure > warning > pending > success); with no statuses it is `pending`
//! (the spec's enum has no empty state).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::ItemPath;
use super::state::{CommitStatus, Repo, World, now};

const STATES: [&str; 5] = ["error", "failure", "warning", "pending", "success"];

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/statuses/{sha}",
            get(list_for_ref).post(create),
        )
        .route(
            "/repos/{owner}/{repo}/commits/{ref}/statuses",
            get(list_for_ref),
        )
        .route("/repos/{owner}/{repo}/commits/{ref}/status", get(combined))
}

fn sha_for(r: &Repo, reference: &str) -> Result<String> {
    r.resolve(reference).map(|c| c.sha.clone()).ok_or_else(|| {
        ApiError::not_found_err(format!(
            "object does not exist [id: {reference}, rel_path: ]"
        ))
    })
}

fn status_json(w: &World, r: &Repo, s: &CommitStatus) -> Value {
    json!({
        "id": s.id,
        "status": s.state,
        "target_url": s.target_url,
        "description": s.description,
        "url": format!("{}/statuses/{}", w.repo_api(r), s.sha),
        "context": s.context,
        "creator": w.user_ref(s.creator_id),
        "created_at": s.created.to_string(),
        "updated_at": s.created.to_string(),
    })
}

async fn create(ctx: Ctx, Path((owner, repo, sha)): ItemPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let state = body.str("state")?.unwrap_or_default();
    if !STATES.contains(&state.as_str()) {
        return Err(ApiError::bad_request(format!(
            "invalid commit status state: {state:?}"
        )));
    }
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let id = w.next_id();
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let status = CommitStatus {
            id,
            sha: sha_for(r, &sha)?,
            state,
            target_url: body.str("target_url")?.unwrap_or_default(),
            description: body.str("description")?.unwrap_or_default(),
            context: body
                .str("context")?
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "default".into()),
            creator_id: uid,
            created: now(),
        };
        r.statuses.push(status.clone());
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        Ok((StatusCode::CREATED, Json(status_json(w, r, &status))).into_response())
    })
}

/// The newest status per context for `sha`, newest first.
fn latest(r: &Repo, sha: &str) -> Vec<CommitStatus> {
    let mut out: Vec<CommitStatus> = Vec::new();
    for s in r.statuses.iter().rev().filter(|s| s.sha == sha) {
        if !out.iter().any(|o| o.context == s.context) {
            out.push(s.clone());
        }
    }
    out
}

async fn list_for_ref(ctx: Ctx, Path((owner, repo, reference)): ItemPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let state = ctx.query.get("state").map(str::to_string);
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let sha = sha_for(r, &reference)?;
        let items = r
            .statuses
            .iter()
            .rev()
            .filter(|s| s.sha == sha && state.as_ref().is_none_or(|st| &s.state == st))
            .map(|s| status_json(w, r, s))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn combined(ctx: Ctx, Path((owner, repo, reference)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let sha = sha_for(r, &reference)?;
        let statuses = latest(r, &sha);
        let state = STATES
            .iter()
            .find(|st| statuses.iter().any(|s| s.state == **st))
            .copied()
            .unwrap_or("pending");
        Ok(Json(json!({
            "state": state,
            "sha": sha,
            "total_count": statuses.len(),
            "statuses": statuses.iter().map(|s| status_json(w, r, s)).collect::<Vec<_>>(),
            "repository": w.repo_json(r, perm.tuple()),
            "commit_url": format!("{}/commits/{sha}", w.repo_api(r)),
            "url": format!("{}/commits/{sha}/status", w.repo_api(r)),
        })))
    })
}
