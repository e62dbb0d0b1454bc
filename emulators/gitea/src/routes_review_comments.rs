//! Code comments of pull request reviews: parsed from `CreatePullReviewOptions.comments`
//! when a review is created, and resolved or unresolved as conversations
//! (`POST /pulls/comments/{id}/resolve|unresolve`). As Gitea's `CanMarkConversation`,
//! the pull request's poster or anyone who can write to the repository may do it.

use std::sync::Arc;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::post;

use super::Shared;
use super::access::{find_repo, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::state::{ReviewComment, now};

type CommentPath = Path<(String, String, String)>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/pulls/comments/{id}/resolve",
            post(resolve),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/comments/{id}/unresolve",
            post(unresolve),
        )
}

/// A review comment as sent, before it gets an id.
pub(crate) struct NewComment {
    path: String,
    body: String,
    new_line: i64,
    old_line: i64,
}

/// The `comments` of a review creation; each needs a `path` and a `body` (422 otherwise).
pub(crate) fn parse(body: &Body) -> Result<Vec<NewComment>> {
    let mut out = Vec::new();
    for item in body.objects("comments")?.unwrap_or_default() {
        let path = item.str("path")?.unwrap_or_default();
        let text = item.str("body")?.unwrap_or_default();
        if path.trim().is_empty() || text.trim().is_empty() {
            return Err(ApiError::unprocessable(
                "review comments need a path and a body",
            ));
        }
        out.push(NewComment {
            path,
            body: text,
            new_line: item.i64("new_position")?.unwrap_or(0),
            old_line: item.i64("old_position")?.unwrap_or(0),
        });
    }
    Ok(out)
}

/// The stored comments of a new review, with the ids allocated for them.
pub(crate) fn build(
    comments: Vec<NewComment>,
    ids: &[i64],
    user_id: i64,
    commit: &str,
) -> Vec<ReviewComment> {
    comments
        .into_iter()
        .zip(ids)
        .map(|(c, id)| ReviewComment {
            id: *id,
            user_id,
            path: c.path,
            body: c.body,
            new_line: c.new_line,
            old_line: c.old_line,
            commit_id: commit.to_string(),
            created: now(),
            resolver: None,
        })
        .collect()
}

async fn resolve(ctx: Ctx, Path(path): CommentPath) -> Result<StatusCode> {
    mark(&ctx, path, true)
}

async fn unresolve(ctx: Ctx, Path(path): CommentPath) -> Result<StatusCode> {
    mark(&ctx, path, false)
}

/// Sets or clears the resolver of comment `id` in this repository (idempotent, as Gitea).
fn mark(
    ctx: &Ctx,
    (owner, repo, raw): (String, String, String),
    resolved: bool,
) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let id = parse_id(&raw)?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, ctx, &owner, &repo)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let missing = || ApiError::not_found_err(format!("comment does not exist [id: {id}]"));
        if r.comments.iter().any(|c| c.id == id) {
            return Err(ApiError::bad_request("comment is not a code comment"));
        }
        let issue = r
            .issues
            .iter_mut()
            .find(|i| {
                i.pull.as_ref().is_some_and(|p| {
                    p.reviews
                        .iter()
                        .any(|rv| rv.comments.iter().any(|c| c.id == id))
                })
            })
            .ok_or_else(missing)?;
        if issue.poster_id != uid && !perm.push {
            return Err(ApiError::forbidden(
                "user should have permission to resolve comment",
            ));
        }
        let comment = issue
            .pull
            .as_mut()
            .and_then(|p| {
                p.reviews
                    .iter_mut()
                    .flat_map(|rv| rv.comments.iter_mut())
                    .find(|c| c.id == id)
            })
            .ok_or_else(missing)?;
        comment.resolver = resolved.then_some(uid);
        Ok(StatusCode::NO_CONTENT)
    })
}
