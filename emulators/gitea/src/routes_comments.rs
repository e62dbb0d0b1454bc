//! Issue comments: list (per issue and per repository), get, create, edit, delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{Perm, find_repo, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::{self, paged};
use super::repo_handler::RepoPath;
use super::routes_issues::issue_index;
use super::state::{Comment, World, now};

type IndexPath = Path<(String, String, String)>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/{owner}/{repo}/issues/comments", get(repo_comments))
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            get(get_comment).patch(edit_comment).delete(delete_comment),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/comments",
            get(list_comments).post(create_comment),
        )
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

fn comments_response(w: &World, items: Vec<Value>) -> Response {
    let mut headers = axum::http::HeaderMap::new();
    let total = items.len();
    let all = paging::Paging {
        page: 1,
        limit: total.max(1),
    };
    let query = super::query::Query::default();
    headers.extend(paging::headers(&w.root_url, "", &query, all, total));
    headers.remove(axum::http::header::LINK);
    (headers, Json(Value::Array(items))).into_response()
}

async fn list_comments(ctx: Ctx, Path((owner, repo, raw)): IndexPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let since: Option<jiff::Timestamp> = ctx.query.get("since").and_then(|s| s.parse().ok());
    let before: Option<jiff::Timestamp> = ctx.query.get("before").and_then(|s| s.parse().ok());
    ctx.with(|w| {
        let (index, _, number) = issue_index(w, &ctx, &owner, &repo, &raw)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let items = r
            .comments
            .iter()
            .filter(|c| c.issue_index == number)
            .filter(|c| {
                since.is_none_or(|t| c.updated >= t) && before.is_none_or(|t| c.updated <= t)
            })
            .map(|c| w.comment_json(r, c))
            .collect();
        Ok(comments_response(w, items))
    })
}

async fn repo_comments(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let items = r.comments.iter().map(|c| w.comment_json(r, c)).collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn create_comment(
    ctx: Ctx,
    Path((owner, repo, raw)): IndexPath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let text = body.required_str("body")?;
    ctx.with(|w| {
        let (index, _, number) = issue_index(w, &ctx, &owner, &repo, &raw)?;
        let id = w.next_id();
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let created_at = now();
        let comment = Comment {
            id,
            issue_index: number,
            poster_id: uid,
            body: text,
            created: created_at,
            updated: created_at,
        };
        if let Some(issue) = r.issue_mut(number) {
            issue.updated = created_at;
        }
        r.comments.push(comment.clone());
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        Ok(created(w.comment_json(r, &comment)))
    })
}

fn comment_pos(
    w: &World,
    ctx: &Ctx,
    owner: &str,
    repo: &str,
    raw: &str,
) -> Result<(usize, Perm, usize)> {
    let (index, perm) = find_repo(w, ctx, owner, repo)?;
    let id = parse_id(raw)?;
    let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
    let pos = r
        .comments
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found_err(format!("comment does not exist [id: {id}]")))?;
    Ok((index, perm, pos))
}

async fn get_comment(ctx: Ctx, Path((owner, repo, raw)): IndexPath) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _, pos) = comment_pos(w, &ctx, &owner, &repo, &raw)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let c = r.comments.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.comment_json(r, c)))
    })
}

async fn edit_comment(
    ctx: Ctx,
    Path((owner, repo, raw)): IndexPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let text = body.required_str("body")?;
    ctx.with(|w| {
        let (index, perm, pos) = comment_pos(w, &ctx, &owner, &repo, &raw)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let c = r.comments.get_mut(pos).ok_or_else(ApiError::not_found)?;
        if c.poster_id != uid && !perm.push {
            return Err(ApiError::forbidden(
                "user should have permission to edit comment",
            ));
        }
        c.body = text;
        c.updated = now();
        let c = c.clone();
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.comment_json(r, &c)))
    })
}

async fn delete_comment(ctx: Ctx, Path((owner, repo, raw)): IndexPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let (index, perm, pos) = comment_pos(w, &ctx, &owner, &repo, &raw)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let poster = r.comments.get(pos).map(|c| c.poster_id);
        if poster != Some(uid) && !perm.push {
            return Err(ApiError::forbidden(
                "user should have permission to delete comment",
            ));
        }
        r.comments.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}
