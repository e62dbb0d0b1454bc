//! Review workflow around a pull request: get, submit, delete and dismiss a review, its
//! code comments, review requests (which Gitea stores as `REQUEST_REVIEW`
//! reviews), and bringing the head branch up to date with the base.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{find_repo, find_repo_writable, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::repo_handler::ItemPath;
use super::routes_pulls::pull_of;
use super::state::{Change, Pull, Repo, Review, World, now};

type ReviewPath = Path<(String, String, String, String)>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}",
            get(get_review).post(submit).delete(delete_review),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments",
            get(review_comments),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/dismissals",
            post(dismiss),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers",
            post(request_reviews).delete(unrequest_reviews),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/update",
            post(update_branch),
        )
}

fn pull_mut<'r>(r: &'r mut Repo, raw: &str) -> Result<(i64, &'r mut Pull)> {
    let number = pull_of(r, raw)?;
    let pull = r
        .issue_mut(number)
        .and_then(|i| i.pull.as_mut())
        .ok_or_else(ApiError::not_found)?;
    Ok((number, pull))
}

fn review_missing(id: i64) -> ApiError {
    ApiError::not_found_err(format!("review does not exist [id: {id}]"))
}

/// Runs `f` on review `id` of the pull request and answers the review afterwards.
fn with_review(
    ctx: &Ctx,
    (owner, repo, raw, id): (String, String, String, String),
    write: bool,
    f: impl FnOnce(&mut Review) -> Result<()>,
) -> Result<Json<Value>> {
    let id = parse_id(&id)?;
    ctx.with(|w| {
        let index = if write {
            find_repo_writable(w, ctx, &owner, &repo)?
        } else {
            find_repo(w, ctx, &owner, &repo)?.0
        };
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (number, pull) = pull_mut(r, &raw)?;
        let review = pull
            .reviews
            .iter_mut()
            .find(|rv| rv.id == id)
            .ok_or_else(|| review_missing(id))?;
        f(review)?;
        let review = review.clone();
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.review_json(r, number, &review)))
    })
}

async fn get_review(ctx: Ctx, Path(path): ReviewPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    with_review(&ctx, path, false, |_| Ok(()))
}

async fn submit(ctx: Ctx, Path(path): ReviewPath, bytes: Bytes) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let event = body.str("event")?.unwrap_or_default();
    let state = match event.as_str() {
        "APPROVED" | "APPROVE" => "APPROVED",
        "REQUEST_CHANGES" => "REQUEST_CHANGES",
        "COMMENT" => "COMMENT",
        other => {
            return Err(ApiError::unprocessable(format!(
                "unknown review event {other:?}"
            )));
        }
    };
    with_review(&ctx, path, false, |review| {
        if review.user_id != uid || review.state != "PENDING" {
            return Err(ApiError::unprocessable(
                "only your own pending review can be submitted",
            ));
        }
        review.state = state.to_string();
        if let Some(text) = body.str("body")? {
            review.body = text;
        }
        review.submitted = now();
        Ok(())
    })
}

async fn dismiss(ctx: Ctx, Path(path): ReviewPath, bytes: Bytes) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    body.str("message")?;
    with_review(&ctx, path, true, |review| {
        if review.state != "APPROVED" && review.state != "REQUEST_CHANGES" {
            return Err(ApiError::unprocessable(
                "not need to dismiss this review because it's type is not Approve or change request",
            ));
        }
        review.dismissed = true;
        Ok(())
    })
}

async fn delete_review(ctx: Ctx, Path((owner, repo, raw, id)): ReviewPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let id = parse_id(&id)?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (_, pull) = pull_mut(r, &raw)?;
        let pos = pull
            .reviews
            .iter()
            .position(|rv| rv.id == id)
            .ok_or_else(|| review_missing(id))?;
        if pull.reviews.get(pos).is_some_and(|rv| rv.user_id != uid) && !perm.admin {
            return Err(ApiError::forbidden("reviewer or admin required"));
        }
        pull.reviews.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn review_comments(ctx: Ctx, Path(path): ReviewPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let mut found = None;
    let (owner, repo, raw) = (path.0.clone(), path.1.clone(), path.2.clone());
    let _rendered = with_review(&ctx, path, false, |review| {
        found = Some(review.clone());
        Ok(())
    })?;
    let review = found.ok_or_else(ApiError::not_found)?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let number = pull_of(r, &raw)?;
        let items = review
            .comments
            .iter()
            .map(|c| w.review_comment_json(r, number, review.id, c))
            .collect();
        Ok(Json(Value::Array(items)))
    })
}

/// Logins of `reviewers` as user ids (422 for an unknown one).
fn reviewer_ids(w: &World, body: &Body) -> Result<Vec<i64>> {
    body.strings("reviewers")?
        .unwrap_or_default()
        .iter()
        .map(|login| {
            w.user(login).map(|u| u.id).ok_or_else(|| {
                ApiError::unprocessable(format!("user does not exist [uid: 0, name: {login}]"))
            })
        })
        .collect()
}

async fn request_reviews(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let users = reviewer_ids(w, &body)?;
        let ids: Vec<i64> = users.iter().map(|_| w.next_id()).collect();
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (number, pull) = pull_mut(r, &raw)?;
        let mut added = Vec::new();
        for (user_id, id) in users.into_iter().zip(ids) {
            let review = Review {
                id,
                user_id,
                state: "REQUEST_REVIEW".into(),
                body: String::new(),
                commit_id: pull.head_sha.clone(),
                submitted: now(),
                dismissed: false,
                comments: Vec::new(),
            };
            pull.reviews.push(review.clone());
            added.push(review);
        }
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let out: Vec<Value> = added
            .iter()
            .map(|rv| w.review_json(r, number, rv))
            .collect();
        Ok((StatusCode::CREATED, Json(Value::Array(out))).into_response())
    })
}

async fn unrequest_reviews(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let users = reviewer_ids(w, &body)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (_, pull) = pull_mut(r, &raw)?;
        pull.reviews
            .retain(|rv| !(rv.state == "REQUEST_REVIEW" && users.contains(&rv.user_id)));
        Ok(StatusCode::NO_CONTENT)
    })
}

/// Applies the base branch's changes since the merge base onto the head branch.
async fn update_branch(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let (login, email) = w
            .user_by_id(uid)
            .map(|u| (u.login.clone(), u.email.clone()))
            .unwrap_or_default();
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (_, pull) = pull_mut(r, &raw)?;
        let (head, base, merge_base) = (
            pull.head.clone(),
            pull.base.clone(),
            pull.merge_base.clone(),
        );
        let base_sha = r.branches.get(&base).cloned().ok_or_else(|| {
            ApiError::not_found_err(format!("branch does not exist [name: {base}]"))
        })?;
        if base_sha == merge_base {
            return Ok(StatusCode::OK);
        }
        let base_tree = r
            .commits
            .get(&base_sha)
            .map(|c| c.tree.clone())
            .unwrap_or_default();
        let files = r
            .changed_paths(&merge_base, &base_sha)
            .into_iter()
            .map(|(path, _)| {
                let content = base_tree.get(&path).cloned();
                (path, content)
            })
            .collect();
        let message = format!("Merge branch '{base}' into {head}");
        let sha = r.commit(Change {
            branch: &head,
            from: None,
            message: &message,
            author: (&login, &email),
            files,
        });
        let (_, pull) = pull_mut(r, &raw)?;
        pull.merge_base = base_sha;
        pull.head_sha = sha;
        Ok(StatusCode::OK)
    })
}
