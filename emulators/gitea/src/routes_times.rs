//! Time tracking: tracked times per issue, repository and user, and stopwatches (one
//! running per user and issue; stopping one books its time).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at};
use super::state::{World, now};
use super::state_extra::{Stopwatch, TrackedTime};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/issues/{index}/times",
            get(list_issue_times).post(add_time),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/times/{id}",
            delete(delete_time),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/stopwatch/start",
            post(start_stopwatch),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/stopwatch/stop",
            post(stop_stopwatch),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/stopwatch/delete",
            delete(delete_stopwatch),
        )
        .route("/repos/{owner}/{repo}/times", get(list_repo_times))
        .route("/user/times", get(my_times))
        .route("/user/stopwatches", get(my_stopwatches))
}

fn time_json(w: &World, t: &TrackedTime) -> Value {
    let found = w
        .repos
        .iter()
        .find(|r| r.id == t.repo_id)
        .and_then(|r| r.issue(t.issue_index).map(|i| (r, i)));
    json!({
        "id": t.id,
        "created": t.created.to_string(),
        "time": t.seconds,
        "user_id": t.user_id,
        "user_name": w.user_by_id(t.user_id).map(|u| u.login.clone()).unwrap_or_default(),
        "issue_id": found.map(|(_, i)| i.id).unwrap_or_default(),
        "issue": found.map(|(r, i)| w.issue_json(r, i)).unwrap_or(Value::Null),
    })
}

fn stopwatch_json(w: &World, s: &Stopwatch) -> Value {
    let repo = w.repos.iter().find(|r| r.id == s.repo_id);
    let seconds = (now().as_second() - s.started.as_second()).max(0);
    json!({
        "created": s.started.to_string(),
        "seconds": seconds,
        "duration": format!("{}h{}m{}s", seconds / 3600, seconds / 60 % 60, seconds % 60),
        "issue_index": s.issue_index,
        "issue_title": repo.and_then(|r| r.issue(s.issue_index)).map(|i| i.title.clone()).unwrap_or_default(),
        "repo_owner_name": repo.map(|r| w.owner_login(r)).unwrap_or_default(),
        "repo_name": repo.map(|r| r.name.clone()).unwrap_or_default(),
    })
}

/// `(repo id, issue index)` of an existing issue the caller may read (or write).
fn issue_of(
    w: &World,
    ctx: &Ctx,
    (owner, repo, raw): (&str, &str, &str),
    write: bool,
) -> Result<(i64, i64)> {
    let index = if write {
        find_repo_writable(w, ctx, owner, repo)?
    } else {
        find_repo(w, ctx, owner, repo)?.0
    };
    let r = repo_at(w, index)?;
    let n = raw
        .parse::<i64>()
        .ok()
        .filter(|n| r.issue(*n).is_some())
        .ok_or_else(|| {
            ApiError::not_found_err(format!(
                "issue does not exist [id: 0, repo_id: {}, index: {raw}]",
                r.id
            ))
        })?;
    Ok((r.id, n))
}

fn time_list(w: &World, ctx: &Ctx, keep: impl Fn(&TrackedTime) -> bool) -> Response {
    let user = ctx.query.get("user").and_then(|l| w.user(l)).map(|u| u.id);
    let items = w
        .extra
        .times
        .iter()
        .filter(|t| keep(t) && user.is_none_or(|u| t.user_id == u))
        .map(|t| time_json(w, t))
        .collect();
    paged(&w.root_url, &ctx.path, &ctx.query, items).into_response()
}

async fn list_issue_times(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), false)?;
        Ok(time_list(w, &ctx, |t| {
            t.repo_id == repo_id && t.issue_index == n
        }))
    })
}

async fn list_repo_times(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let repo_id = repo_at(w, index)?.id;
        Ok(time_list(w, &ctx, |t| t.repo_id == repo_id))
    })
}

async fn my_times(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["user"])?;
    let uid = ctx.require_user()?;
    Ok(ctx.with(|w| time_list(w, &ctx, |t| t.user_id == uid)))
}

async fn my_stopwatches(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["user"])?;
    let uid = ctx.require_user()?;
    Ok(ctx.with(|w| {
        let items = w
            .extra
            .stopwatches
            .iter()
            .filter(|s| s.user_id == uid)
            .map(|s| stopwatch_json(w, s))
            .collect();
        paged(&w.root_url, &ctx.path, &ctx.query, items).into_response()
    }))
}

async fn add_time(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let seconds = body
        .i64("time")?
        .ok_or_else(|| ApiError::unprocessable("[Time]: Required"))?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), true)?;
        let uid = ctx.require_user()?;
        let id = w.next_id();
        let t = TrackedTime {
            id,
            repo_id,
            issue_index: n,
            user_id: uid,
            seconds,
            created: body.time("created")?.unwrap_or_else(now),
        };
        let out = time_json(w, &t);
        w.extra.times.push(t);
        Ok(Json(out))
    })
}

type TimePath = Path<(String, String, String, String)>;

async fn delete_time(ctx: Ctx, Path((owner, repo, raw, id)): TimePath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), true)?;
        let uid = ctx.require_user()?;
        let id = super::access::parse_id(&id)?;
        let pos = w
            .extra
            .times
            .iter()
            .position(|t| t.id == id && t.repo_id == repo_id && t.issue_index == n)
            .ok_or_else(|| {
                ApiError::not_found_err(format!("tracked time does not exist [id: {id}]"))
            })?;
        let owner_ok = w.extra.times.get(pos).is_some_and(|t| t.user_id == uid);
        if !owner_ok && !ctx.is_admin() {
            return Err(ApiError::forbidden(
                "not allowed to delete this tracked time",
            ));
        }
        w.extra.times.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}

fn running(w: &World, uid: i64, repo_id: i64, n: i64) -> Option<usize> {
    w.extra
        .stopwatches
        .iter()
        .position(|s| s.user_id == uid && s.repo_id == repo_id && s.issue_index == n)
}

async fn start_stopwatch(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), true)?;
        let uid = ctx.require_user()?;
        if running(w, uid, repo_id, n).is_some() {
            return Err(ApiError::conflict(
                "cannot start a stopwatch again if it already exists",
            ));
        }
        w.extra.stopwatches.push(Stopwatch {
            user_id: uid,
            repo_id,
            issue_index: n,
            started: now(),
        });
        Ok(StatusCode::CREATED)
    })
}

async fn stop_stopwatch(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), true)?;
        let uid = ctx.require_user()?;
        let pos = running(w, uid, repo_id, n)
            .ok_or_else(|| ApiError::conflict("cannot stop a non-existent stopwatch"))?;
        let watch = w.extra.stopwatches.remove(pos);
        let id = w.next_id();
        let at = now();
        w.extra.times.push(TrackedTime {
            id,
            repo_id,
            issue_index: n,
            user_id: uid,
            seconds: (at.as_second() - watch.started.as_second()).max(0),
            created: at,
        });
        Ok(StatusCode::CREATED)
    })
}

async fn delete_stopwatch(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (repo_id, n) = issue_of(w, &ctx, (&owner, &repo, &raw), true)?;
        let uid = ctx.require_user()?;
        let pos = running(w, uid, repo_id, n)
            .ok_or_else(|| ApiError::conflict("cannot cancel a non-existent stopwatch"))?;
        w.extra.stopwatches.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}
