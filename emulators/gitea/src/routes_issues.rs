//! Issues: list, search, get, create, edit.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{Perm, find_repo, parse_id, perm};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::issue_edit::{apply_state, apply_text, requested_state};
use super::issue_filter::IssueFilter;
use super::paging::paged;
use super::repo_handler::RepoPath;
use super::state::{Issue, World, now};

type IndexPath = Path<(String, String, String)>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/issues/search", get(search))
        .route("/repos/{owner}/{repo}/issues", get(list).post(create))
        .route(
            "/repos/{owner}/{repo}/issues/{index}",
            get(get_one).patch(edit),
        )
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

async fn list(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let filter = IssueFilter::from_query(w, &ctx.query, ctx.user_id());
        let items: Vec<Value> = r
            .issues
            .iter()
            .rev()
            .filter(|i| filter.matches(r, i))
            .map(|i| w.issue_json(r, i))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn search(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let filter = IssueFilter::from_query(w, &ctx.query, ctx.user_id());
        let owner = ctx.query.get("owner").map(|o| w.user(o).map(|u| u.id));
        let mut found: Vec<(&Issue, Value)> = Vec::new();
        for r in &w.repos {
            if !perm(w, &ctx, r).pull || owner.is_some_and(|o| o != Some(r.owner_id)) {
                continue;
            }
            for issue in r.issues.iter().filter(|i| filter.matches(r, i)) {
                found.push((issue, w.issue_json(r, issue)));
            }
        }
        found.sort_by(|a, b| b.0.created.cmp(&a.0.created).then(b.0.id.cmp(&a.0.id)));
        let items = found.into_iter().map(|(_, v)| v).collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

pub(crate) fn issue_index(
    w: &World,
    ctx: &Ctx,
    owner: &str,
    repo: &str,
    raw: &str,
) -> Result<(usize, Perm, i64)> {
    let (index, perm) = find_repo(w, ctx, owner, repo)?;
    let number = parse_id(raw)?;
    let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
    r.issue(number).ok_or_else(ApiError::not_found)?;
    Ok((index, perm, number))
}

async fn get_one(ctx: Ctx, Path((owner, repo, raw)): IndexPath) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _, number) = issue_index(w, &ctx, &owner, &repo, &raw)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.issue_json(r, issue)))
    })
}

/// Logins → user ids; Gitea answers 422 for an unknown assignee.
fn assignee_ids(w: &World, body: &Body) -> Result<Option<Vec<i64>>> {
    let mut logins = body.strings("assignees")?;
    if let Some(single) = body.str("assignee")?.filter(|s| !s.is_empty()) {
        logins.get_or_insert_with(Vec::new).insert(0, single);
    }
    let Some(logins) = logins else {
        return Ok(None);
    };
    let mut ids = Vec::new();
    for login in logins {
        let user = w.user(&login).ok_or_else(|| {
            ApiError::unprocessable(format!("user does not exist [uid: 0, name: {login}]"))
        })?;
        if !ids.contains(&user.id) {
            ids.push(user.id);
        }
    }
    Ok(Some(ids))
}

fn check_milestone(w: &World, index: usize, id: i64) -> Result<()> {
    let exists = w
        .repos
        .get(index)
        .is_some_and(|r| r.milestones.iter().any(|m| m.id == id));
    if exists {
        Ok(())
    } else {
        Err(ApiError::not_found_err(format!(
            "milestone does not exist [id: {id}, repo_id: 0]"
        )))
    }
}

async fn create(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let title = body.required_str("title")?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        // Gitea drops labels, milestone and assignees from callers who cannot write.
        let assignees = if perm.push {
            assignee_ids(w, &body)?.unwrap_or_default()
        } else {
            Vec::new()
        };
        let milestone = if perm.push {
            body.i64("milestone")?.filter(|m| *m > 0)
        } else {
            None
        };
        if let Some(id) = milestone {
            check_milestone(w, index, id)?;
        }
        let label_ids: Vec<i64> = body
            .values("labels")?
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        let closed = body.bool("closed")?.unwrap_or(false);
        let due_date = body.time("due_date")?;
        let git_ref = body.str("ref")?.unwrap_or_default();
        let id = w.next_id();
        let usable: Vec<i64> = w
            .repos
            .get(index)
            .map(|r| w.usable_labels(r).iter().map(|l| l.id).collect())
            .unwrap_or_default();
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let labels = if perm.push {
            label_ids
                .into_iter()
                .filter(|l| usable.contains(l))
                .collect()
        } else {
            Vec::new()
        };
        let created_at = now();
        let number = r.next_index;
        r.next_index += 1;
        r.issues.push(Issue {
            id,
            index: number,
            poster_id: uid,
            title,
            body: body.str("body")?.unwrap_or_default(),
            closed,
            labels,
            milestone,
            assignees,
            created: created_at,
            updated: created_at,
            closed_at: closed.then_some(created_at),
            due_date,
            git_ref,
            pull: None,
        });
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok(created(w.issue_json(r, issue)))
    })
}

async fn edit(ctx: Ctx, Path((owner, repo, raw)): IndexPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let state = requested_state(&body)?;
    ctx.with(|w| {
        let (index, perm, number) = issue_index(w, &ctx, &owner, &repo, &raw)?;
        // Assignees and milestone only change for writers, as in Gitea.
        let assignees = if perm.push {
            assignee_ids(w, &body)?
        } else {
            None
        };
        let milestone = if perm.push {
            body.i64("milestone")?
        } else {
            None
        };
        if let Some(id) = milestone.filter(|m| *m > 0) {
            check_milestone(w, index, id)?;
        }
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue_mut(number).ok_or_else(ApiError::not_found)?;
        if issue.poster_id != uid && !perm.push {
            return Err(ApiError::forbidden(
                "user should have permission to edit issue",
            ));
        }
        apply_text(issue, &body)?;
        if let Some(git_ref) = body.str("ref")? {
            issue.git_ref = git_ref;
        }
        if let Some(ids) = assignees {
            issue.assignees = ids;
        }
        if let Some(m) = milestone {
            issue.milestone = (m > 0).then_some(m);
        }
        apply_state(issue, state.as_deref())?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok(created(w.issue_json(r, issue)))
    })
}
