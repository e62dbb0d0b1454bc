//! Issue dependencies: `…/issues/{index}/dependencies` are the issues that block
//! `{index}`, `…/issues/{index}/blocks` the issues `{index}` blocks. Bodies name the
//! other issue as `IssueMeta{owner, repo, index}` (owner/repo default to the path's
//! repository; cross-repository links work). Changing links needs write access to the
//! path's repository and read access to the other one; both answer the path's issue.
//! Adding an existing link is a no-op; linking an issue to itself is 422.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{find_repo, find_repo_writable, parse_id, perm};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::state::World;

type IssuePath = Path<(String, String, String)>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/issues/{index}/dependencies",
            get(list_blockers).post(add_blocker).delete(remove_blocker),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/blocks",
            get(list_blocked).post(add_blocked).delete(remove_blocked),
        )
}

/// Which side of the link the path's issue is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// `/dependencies`: the path's issue is blocked by the other one.
    Blocked,
    /// `/blocks`: the path's issue blocks the other one.
    Blocking,
}

/// Global id of issue `number` in the repository at `index` (404 if missing).
fn issue_id(w: &World, index: usize, number: i64) -> Result<i64> {
    w.repos
        .get(index)
        .and_then(|r| r.issue(number))
        .map(|i| i.id)
        .ok_or_else(|| {
            ApiError::not_found_err(format!(
                "issue does not exist [id: 0, repo_id: 0, index: {number}]"
            ))
        })
}

/// The issue JSON for a global issue id, if the caller can read its repository.
fn visible_issue(w: &World, ctx: &Ctx, id: i64) -> Option<Value> {
    let (pos, number) = w.issue_by_id(id)?;
    let r = w.repos.get(pos)?;
    perm(w, ctx, r)
        .pull
        .then(|| r.issue(number).map(|i| w.issue_json(r, i)))?
}

fn list(ctx: &Ctx, (owner, repo, raw): (String, String, String), side: Side) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let number = parse_id(&raw)?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, ctx, &owner, &repo)?;
        let id = issue_id(w, index, number)?;
        let items = w
            .dependencies
            .iter()
            .filter_map(|(blocked, blocker)| match side {
                Side::Blocked if *blocked == id => Some(*blocker),
                Side::Blocking if *blocker == id => Some(*blocked),
                _ => None,
            })
            .filter_map(|other| visible_issue(w, ctx, other))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

/// Adds or removes the link between the path's issue and the body's, answering the
/// path's issue with `status`.
fn change(
    ctx: &Ctx,
    (owner, repo, raw): (String, String, String),
    bytes: &Bytes,
    side: Side,
    add: bool,
) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let number = parse_id(&raw)?;
    let body = Body::parse(bytes)?;
    let other_owner = body
        .str("owner")?
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| owner.clone());
    let other_repo = body
        .str("repo")?
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| repo.clone());
    let other_number = body.i64("index")?.unwrap_or(0);
    ctx.with(|w| {
        let index = find_repo_writable(w, ctx, &owner, &repo)?;
        let id = issue_id(w, index, number)?;
        let (other_index, _) = find_repo(w, ctx, &other_owner, &other_repo)?;
        let other = issue_id(w, other_index, other_number)?;
        if other == id {
            return Err(ApiError::unprocessable("an issue cannot depend on itself"));
        }
        let link = match side {
            Side::Blocked => (id, other),
            Side::Blocking => (other, id),
        };
        let exists = w.dependencies.contains(&link);
        if add && !exists {
            w.dependencies.push(link);
        } else if !add {
            w.dependencies.retain(|l| *l != link);
        }
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        let status = if add {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Json(w.issue_json(r, issue))).into_response())
    })
}

async fn list_blockers(ctx: Ctx, Path(path): IssuePath) -> Result<Response> {
    list(&ctx, path, Side::Blocked)
}

async fn list_blocked(ctx: Ctx, Path(path): IssuePath) -> Result<Response> {
    list(&ctx, path, Side::Blocking)
}

async fn add_blocker(ctx: Ctx, Path(path): IssuePath, bytes: Bytes) -> Result<Response> {
    change(&ctx, path, &bytes, Side::Blocked, true)
}

async fn remove_blocker(ctx: Ctx, Path(path): IssuePath, bytes: Bytes) -> Result<Response> {
    change(&ctx, path, &bytes, Side::Blocked, false)
}

async fn add_blocked(ctx: Ctx, Path(path): IssuePath, bytes: Bytes) -> Result<Response> {
    change(&ctx, path, &bytes, Side::Blocking, true)
}

async fn remove_blocked(ctx: Ctx, Path(path): IssuePath, bytes: Bytes) -> Result<Response> {
    change(&ctx, path, &bytes, Side::Blocking, false)
}
