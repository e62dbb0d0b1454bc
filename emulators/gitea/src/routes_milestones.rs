//! Milestones (CRUD; a milestone path segment may be an id or a title).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at, repo_at_mut};
use super::state::{Milestone, Repo, World, now};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/milestones",
            get(list_milestones).post(create_milestone),
        )
        .route(
            "/repos/{owner}/{repo}/milestones/{id}",
            get(get_milestone)
                .patch(edit_milestone)
                .delete(delete_milestone),
        )
}

async fn list_milestones(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let state = ctx.query.get("state").unwrap_or("open").to_string();
    let name = ctx.query.get("name").map(str::to_lowercase);
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let items = r
            .milestones
            .iter()
            .filter(|m| match state.as_str() {
                "all" => true,
                "closed" => m.closed,
                _ => !m.closed,
            })
            .filter(|m| {
                name.as_ref()
                    .is_none_or(|n| m.title.to_lowercase().contains(n))
            })
            .map(|m| World::milestone_json(r, m))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

fn milestone_pos(r: &Repo, raw: &str) -> Result<usize> {
    let by_id = raw.parse::<i64>().ok();
    r.milestones
        .iter()
        .position(|m| Some(m.id) == by_id)
        .or_else(|| r.milestones.iter().position(|m| m.title == raw))
        .ok_or_else(|| {
            ApiError::not_found_err(format!(
                "milestone does not exist [id: {}, repo_id: {}, name: ]",
                by_id.unwrap_or(0),
                r.id
            ))
        })
}

fn parse_state(body: &Body) -> Result<Option<bool>> {
    match body.str("state")?.as_deref() {
        None => Ok(None),
        Some("open") => Ok(Some(false)),
        Some("closed") => Ok(Some(true)),
        Some(other) => Err(ApiError::unprocessable(format!(
            "[State]: unknown state {other:?}"
        ))),
    }
}

async fn get_milestone(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let m = r
            .milestones
            .get(milestone_pos(r, &raw)?)
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(World::milestone_json(r, m)))
    })
}

async fn create_milestone(
    ctx: Ctx,
    Path((owner, repo)): RepoPath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let title = body.required_str("title")?;
    let closed = parse_state(&body)?.unwrap_or(false);
    let due_on = body.time("due_on")?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let at = now();
        let milestone = Milestone {
            id: w.next_id(),
            title,
            description: body.str("description")?.unwrap_or_default(),
            closed,
            due_on,
            created: at,
            updated: at,
            closed_at: closed.then_some(at),
        };
        let r = repo_at_mut(w, index)?;
        r.milestones.push(milestone.clone());
        Ok((
            StatusCode::CREATED,
            Json(World::milestone_json(r, &milestone)),
        )
            .into_response())
    })
}

async fn edit_milestone(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let closed = parse_state(&body)?;
    let due_on = body.time("due_on")?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        let pos = milestone_pos(r, &raw)?;
        let m = r.milestones.get_mut(pos).ok_or_else(ApiError::not_found)?;
        if let Some(title) = body.str("title")?.filter(|t| !t.is_empty()) {
            m.title = title;
        }
        if let Some(d) = body.str("description")? {
            m.description = d;
        }
        if due_on.is_some() {
            m.due_on = due_on;
        }
        m.updated = now();
        if let Some(c) = closed {
            m.closed_at = c.then_some(m.updated);
            m.closed = c;
        }
        let m = m.clone();
        Ok(Json(World::milestone_json(r, &m)))
    })
}

async fn delete_milestone(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        let pos = milestone_pos(r, &raw)?;
        let removed = r.milestones.remove(pos);
        for issue in r
            .issues
            .iter_mut()
            .filter(|i| i.milestone == Some(removed.id))
        {
            issue.milestone = None;
        }
        Ok(StatusCode::NO_CONTENT)
    })
}
