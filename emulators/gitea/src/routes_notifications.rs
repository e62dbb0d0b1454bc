//! Notification threads of the signed-in user (created by tests with
//! `GiteaEmulator::notify`): listing with Gitea's status and subject filters, reading one
//! thread, and marking one, a repository's or all as read (205 with the changed threads).

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, parse_id};
use super::auth::Ctx;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{RepoPath, repo_at};
use super::state::{World, now};
use super::state_extra::Notification;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/notifications", get(list_mine).put(mark_mine))
        .route(
            "/notifications/threads/{id}",
            get(get_thread).patch(mark_thread),
        )
        .route(
            "/repos/{owner}/{repo}/notifications",
            get(list_repo).put(mark_repo),
        )
}

fn status_of(n: &Notification) -> &'static str {
    if n.pinned {
        "pinned"
    } else if n.unread {
        "unread"
    } else {
        "read"
    }
}

fn thread_json(w: &World, n: &Notification) -> Value {
    let repo = w.repos.iter().find(|r| r.id == n.repo_id);
    let issue = repo.and_then(|r| r.issue(n.issue_index));
    let (kind, path) = match issue.and_then(|i| i.pull.as_ref()) {
        Some(_) => ("Pull", "pulls"),
        None => ("Issue", "issues"),
    };
    let subject = match (repo, issue) {
        (Some(r), Some(i)) => json!({
            "title": i.title,
            "url": format!("{}/{path}/{}", w.repo_api(r), i.index),
            "html_url": format!("{}/{path}/{}", w.repo_html(r), i.index),
            "latest_comment_url": "",
            "latest_comment_html_url": "",
            "type": kind,
            "state": if i.closed { "closed" } else { "open" },
        }),
        _ => json!({"title": "", "url": "", "html_url": "", "type": kind, "state": ""}),
    };
    json!({
        "id": n.id,
        "repository": repo.map(|r| w.repo_json(r, (false, false, true))).unwrap_or(Value::Null),
        "subject": subject,
        "unread": n.unread,
        "pinned": n.pinned,
        "updated_at": n.updated.to_string(),
        "url": format!("{}/notifications/threads/{}", w.api(), n.id),
    })
}

fn since(ctx: &Ctx, key: &str) -> Result<Option<Timestamp>> {
    ctx.query
        .get(key)
        .map(|v| {
            v.parse::<Timestamp>()
                .map_err(|e| ApiError::bad_request(format!("invalid {key}: {e}")))
        })
        .transpose()
}

/// The caller's threads (of `repo_id` if given) passing the list filters.
fn listed(w: &World, ctx: &Ctx, uid: i64, repo_id: Option<i64>) -> Result<Vec<Value>> {
    let all = ctx.query.flag("all").unwrap_or(false);
    let mut statuses = ctx.query.list("status-types");
    if statuses.is_empty() && !all {
        statuses = vec!["unread".into(), "pinned".into()];
    }
    let subjects: Vec<String> = ctx
        .query
        .list("subject-type")
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    let (after, before) = (since(ctx, "since")?, since(ctx, "before")?);
    Ok(w.extra
        .notifications
        .iter()
        .rev()
        .filter(|n| n.user_id == uid && repo_id.is_none_or(|r| n.repo_id == r))
        .filter(|n| statuses.is_empty() || statuses.iter().any(|s| s == status_of(n)))
        .filter(|n| after.is_none_or(|t| n.updated >= t) && before.is_none_or(|t| n.updated < t))
        .map(|n| thread_json(w, n))
        .filter(|v| {
            subjects.is_empty()
                || v["subject"]["type"]
                    .as_str()
                    .is_some_and(|t| subjects.contains(&t.to_lowercase()))
        })
        .collect())
}

/// Marks the caller's threads (of `repo_id`) updated before `last_read_at` whose status
/// is among `status-types` (default unread) with `to-status` (default read).
fn mark(w: &mut World, ctx: &Ctx, uid: i64, repo_id: Option<i64>) -> Result<Response> {
    let cutoff = since(ctx, "last_read_at")?.unwrap_or_else(now);
    let mut from = ctx.query.list("status-types");
    if from.is_empty() {
        from = vec!["unread".into()];
    }
    let to = ctx.query.get("to-status").unwrap_or("read").to_string();
    let mut changed = Vec::new();
    for n in w.extra.notifications.iter_mut() {
        if n.user_id == uid
            && repo_id.is_none_or(|r| n.repo_id == r)
            && n.updated <= cutoff
            && from.iter().any(|s| s == status_of(n))
        {
            set_status(n, &to)?;
            changed.push(n.clone());
        }
    }
    let out: Vec<Value> = changed.iter().map(|n| thread_json(w, n)).collect();
    Ok((StatusCode::RESET_CONTENT, Json(Value::Array(out))).into_response())
}

fn set_status(n: &mut Notification, to: &str) -> Result<()> {
    match to {
        "read" => (n.unread, n.pinned) = (false, false),
        "unread" => (n.unread, n.pinned) = (true, false),
        "pinned" => (n.unread, n.pinned) = (false, true),
        other => {
            return Err(ApiError::bad_request(format!("invalid to-status: {other}")));
        }
    }
    n.updated = now();
    Ok(())
}

async fn list_mine(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["notification"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let items = listed(w, &ctx, uid, None)?;
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn mark_mine(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["notification"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| mark(w, &ctx, uid, None))
}

fn repo_id(w: &World, ctx: &Ctx, owner: &str, repo: &str) -> Result<i64> {
    let (index, _) = find_repo(w, ctx, owner, repo)?;
    Ok(repo_at(w, index)?.id)
}

async fn list_repo(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["notification", "repository"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let id = repo_id(w, &ctx, &owner, &repo)?;
        let items = listed(w, &ctx, uid, Some(id))?;
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn mark_repo(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["notification", "repository"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let id = repo_id(w, &ctx, &owner, &repo)?;
        mark(w, &ctx, uid, Some(id))
    })
}

/// The position of thread `raw`, which must be the caller's (else 403).
fn thread_pos(w: &World, uid: i64, raw: &str) -> Result<usize> {
    let id = parse_id(raw)?;
    let pos = w
        .extra
        .notifications
        .iter()
        .position(|n| n.id == id)
        .ok_or_else(|| {
            ApiError::not_found_err(format!("notification does not exist [id: {id}]"))
        })?;
    if w.extra
        .notifications
        .get(pos)
        .is_some_and(|n| n.user_id != uid)
    {
        return Err(ApiError::forbidden("this notification is not yours"));
    }
    Ok(pos)
}

async fn get_thread(ctx: Ctx, Path(raw): Path<String>) -> Result<Json<Value>> {
    ctx.scopes(&["notification"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let pos = thread_pos(w, uid, &raw)?;
        let n = w
            .extra
            .notifications
            .get(pos)
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(thread_json(w, n)))
    })
}

async fn mark_thread(ctx: Ctx, Path(raw): Path<String>) -> Result<Response> {
    ctx.scopes(&["notification"])?;
    let uid = ctx.require_user()?;
    let to = ctx.query.get("to-status").unwrap_or("read").to_string();
    ctx.with(|w| {
        let pos = thread_pos(w, uid, &raw)?;
        let n = w
            .extra
            .notifications
            .get_mut(pos)
            .ok_or_else(ApiError::not_found)?;
        set_status(n, &to)?;
        let n = n.clone();
        Ok((StatusCode::RESET_CONTENT, Json(thread_json(w, &n))).into_response())
    })
}
