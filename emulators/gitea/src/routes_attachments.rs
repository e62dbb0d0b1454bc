//! Attachments of issues and issue comments (created by tests with
//! `GiteaEmulator::attach`): listing and reading their metadata through the API, and the
//! web download `/attachments/{uuid}` that `browser_download_url` points at.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, parse_id, perm};
use super::auth::Ctx;
use super::error::{ApiError, Result};
use super::repo_handler::{ItemPath, repo_at};
use super::state::World;
use super::state_extra::Attachment;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/issues/{index}/assets",
            get(list_issue_assets),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/assets/{attachment_id}",
            get(get_issue_asset),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/assets",
            get(list_comment_assets),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/assets/{attachment_id}",
            get(get_comment_asset),
        )
}

pub(crate) fn attachment_json(w: &World, a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "size": a.content.len(),
        "download_count": 0,
        "created_at": a.created.to_string(),
        "uuid": a.uuid,
        "browser_download_url": format!("{}attachments/{}", w.root_url, a.uuid),
    })
}

/// Where attachments hang: the issue itself or one of its comments.
#[derive(Clone, Copy)]
enum Target<'a> {
    Issue(&'a str),
    Comment(&'a str),
}

/// The attachments of `target` in `owner/repo` (404 when the issue or comment is unknown).
fn attachments<'w>(
    w: &'w World,
    ctx: &Ctx,
    (owner, repo): (&str, &str),
    target: Target<'_>,
) -> Result<Vec<&'w Attachment>> {
    ctx.scopes(&["issue"])?;
    let (index, _) = find_repo(w, ctx, owner, repo)?;
    let r = repo_at(w, index)?;
    let keep: Box<dyn Fn(&Attachment) -> bool> = match target {
        Target::Issue(raw) => {
            let n = raw
                .parse::<i64>()
                .ok()
                .filter(|n| r.issue(*n).is_some())
                .ok_or_else(|| {
                    ApiError::not_found_err(format!(
                        "issue does not exist [repo_id: {}, index: {raw}]",
                        r.id
                    ))
                })?;
            Box::new(move |a| a.issue_index == n && a.comment_id.is_none())
        }
        Target::Comment(raw) => {
            let id = parse_id(raw)?;
            if !r.comments.iter().any(|c| c.id == id) {
                return Err(ApiError::not_found_err(format!(
                    "comment does not exist [id: {id}]"
                )));
            }
            Box::new(move |a| a.comment_id == Some(id))
        }
    };
    let repo_id = r.id;
    Ok(w.extra
        .attachments
        .iter()
        .filter(|a| a.repo_id == repo_id && keep(a))
        .collect())
}

fn one(list: Vec<&Attachment>, raw: &str, w: &World) -> Result<Json<Value>> {
    let id = parse_id(raw)?;
    list.into_iter()
        .find(|a| a.id == id)
        .map(|a| Json(attachment_json(w, a)))
        .ok_or_else(|| ApiError::not_found_err(format!("attachment does not exist [id: {id}]")))
}

async fn list_issue_assets(ctx: Ctx, Path((o, r, n)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let list = attachments(w, &ctx, (&o, &r), Target::Issue(&n))?;
        Ok(Json(list.iter().map(|a| attachment_json(w, a)).collect()))
    })
}

async fn list_comment_assets(ctx: Ctx, Path((o, r, c)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let list = attachments(w, &ctx, (&o, &r), Target::Comment(&c))?;
        Ok(Json(list.iter().map(|a| attachment_json(w, a)).collect()))
    })
}

type AssetPath = Path<(String, String, String, String)>;

async fn get_issue_asset(ctx: Ctx, Path((o, r, n, id)): AssetPath) -> Result<Json<Value>> {
    ctx.with(|w| one(attachments(w, &ctx, (&o, &r), Target::Issue(&n))?, &id, w))
}

async fn get_comment_asset(ctx: Ctx, Path((o, r, c, id)): AssetPath) -> Result<Json<Value>> {
    ctx.with(|w| one(attachments(w, &ctx, (&o, &r), Target::Comment(&c))?, &id, w))
}

/// `GET /attachments/{uuid}` (web route): the file, for callers who may read its
/// repository.
pub(crate) async fn download(ctx: Ctx, Path(uuid): Path<String>) -> Result<Response> {
    ctx.with(|w| {
        let a = w
            .extra
            .attachments
            .iter()
            .find(|a| a.uuid == uuid)
            .ok_or_else(ApiError::not_found)?;
        let repo = w
            .repos
            .iter()
            .find(|r| r.id == a.repo_id)
            .ok_or_else(ApiError::not_found)?;
        if !perm(w, &ctx, repo).pull {
            return Err(ApiError::not_found());
        }
        let mime = mime_of(&a.name);
        Ok(([(header::CONTENT_TYPE, mime)], a.content.clone()).into_response())
    })
}

/// A content type from the file extension (the few kinds tests attach).
pub(crate) fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" | "log" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
