//! Repository labels (CRUD) and labels on an issue (add, replace, remove, clear).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{find_repo, find_repo_writable, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at, repo_at_mut};
use super::state::{Label, Repo, now};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/labels",
            get(list_labels).post(create_label),
        )
        .route(
            "/repos/{owner}/{repo}/labels/{id}",
            get(get_label).patch(edit_label).delete(delete_label),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/labels",
            get(issue_labels)
                .post(add_issue_labels)
                .put(replace_issue_labels)
                .delete(clear_issue_labels),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{index}/labels/{id}",
            delete(remove_issue_label),
        )
}

/// Gitea stores colors as 6 hex digits without `#`; it rejects anything else.
pub(crate) fn normalize_color(raw: &str) -> Result<String> {
    let hex = raw.trim_start_matches('#');
    let valid = matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        return Err(ApiError::unprocessable(format!(
            "invalid color format: {raw}"
        )));
    }
    let full = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect()
    } else {
        hex.to_string()
    };
    Ok(full.to_lowercase())
}

async fn list_labels(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let items = r.labels.iter().map(|l| w.label_json(r, l)).collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

fn label_pos(r: &Repo, raw: &str) -> Result<usize> {
    let id = parse_id(raw)?;
    r.labels
        .iter()
        .position(|l| l.id == id)
        .ok_or_else(|| ApiError::not_found_err(format!("label does not exist [label_id: {id}]")))
}

async fn get_label(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let label = r
            .labels
            .get(label_pos(r, &raw)?)
            .ok_or_else(ApiError::not_found)?;
        Ok(Json(w.label_json(r, label)))
    })
}

async fn create_label(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("name")?;
    let color = normalize_color(&body.required_str("color")?)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let label = new_label(w.next_id(), name, color, &body)?;
        repo_at_mut(w, index)?.labels.push(label.clone());
        let out = w.label_json(repo_at(w, index)?, &label);
        Ok((StatusCode::CREATED, Json(out)).into_response())
    })
}

async fn edit_label(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let color = edited_color(&body)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        let pos = label_pos(r, &raw)?;
        let label = r.labels.get_mut(pos).ok_or_else(ApiError::not_found)?;
        apply_edit(label, &body, color)?;
        let label = label.clone();
        Ok(Json(w.label_json(repo_at(w, index)?, &label)))
    })
}

async fn delete_label(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        let pos = label_pos(r, &raw)?;
        let removed = r.labels.remove(pos);
        for issue in &mut r.issues {
            issue.labels.retain(|l| *l != removed.id);
        }
        Ok(StatusCode::NO_CONTENT)
    })
}

/// A label from a `CreateLabelOption` body (repository and organization labels alike);
/// `name` and `color` are the body's, already checked and normalised.
pub(crate) fn new_label(id: i64, name: String, color: String, body: &Body) -> Result<Label> {
    Ok(Label {
        id,
        name,
        color,
        description: body.str("description")?.unwrap_or_default(),
        exclusive: body.bool("exclusive")?.unwrap_or(false),
        is_archived: body.bool("is_archived")?.unwrap_or(false),
    })
}

/// The normalised `color` of an `EditLabelOption` body, if it has one.
pub(crate) fn edited_color(body: &Body) -> Result<Option<String>> {
    body.str("color")?.map(|c| normalize_color(&c)).transpose()
}

/// Applies an `EditLabelOption` body (repository and organization labels alike); `color`
/// is the body's colour, already normalised.
pub(crate) fn apply_edit(label: &mut Label, body: &Body, color: Option<String>) -> Result<()> {
    if let Some(name) = body.str("name")?.filter(|n| !n.is_empty()) {
        label.name = name;
    }
    if let Some(color) = color {
        label.color = color;
    }
    if let Some(d) = body.str("description")? {
        label.description = d;
    }
    if let Some(e) = body.bool("exclusive")? {
        label.exclusive = e;
    }
    if let Some(a) = body.bool("is_archived")? {
        label.is_archived = a;
    }
    Ok(())
}

/// Resolves `IssueLabelsOption.labels` (ids or names) to ids of `usable` (the
/// repository's and its organization's labels).
fn label_ids(usable: &[Label], body: &Body) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for value in body.values("labels")?.unwrap_or_default() {
        let found = match &value {
            Value::Number(n) => usable.iter().find(|l| Some(l.id) == n.as_i64()),
            Value::String(s) => usable
                .iter()
                .find(|l| &l.name == s || l.id.to_string() == *s),
            _ => None,
        };
        match found {
            Some(label) if !ids.contains(&label.id) => ids.push(label.id),
            Some(_) => {}
            None => {
                return Err(ApiError::unprocessable(format!(
                    "label does not exist [label_id: {value}]"
                )));
            }
        }
    }
    Ok(ids)
}

/// Applies `f` to the issue's label ids and answers its labels.
fn with_issue_labels(
    ctx: &Ctx,
    path: (String, String, String),
    write: bool,
    f: impl FnOnce(&[Label], &mut Vec<i64>) -> Result<()>,
) -> Result<(Vec<Value>, bool)> {
    let (owner, repo, raw) = path;
    let number = parse_id(&raw)?;
    ctx.with(|w| {
        let index = if write {
            find_repo_writable(w, ctx, &owner, &repo)?
        } else {
            find_repo(w, ctx, &owner, &repo)?.0
        };
        let usable: Vec<Label> = w
            .usable_labels(repo_at(w, index)?)
            .into_iter()
            .cloned()
            .collect();
        let r = repo_at_mut(w, index)?;
        let issue = r.issue_mut(number).ok_or_else(ApiError::not_found)?;
        let before = issue.labels.clone();
        f(&usable, &mut issue.labels)?;
        let changed = before != issue.labels;
        if changed {
            issue.updated = now();
        }
        let ids = issue.labels.clone();
        let r = repo_at(w, index)?;
        let labels = ids
            .iter()
            .filter_map(|id| usable.iter().find(|l| l.id == *id))
            .map(|l| w.label_json(r, l))
            .collect();
        Ok((labels, changed))
    })
}

async fn issue_labels(ctx: Ctx, Path(path): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let (labels, _) = with_issue_labels(&ctx, path, false, |_, _| Ok(()))?;
    Ok(Json(Value::Array(labels)))
}

async fn add_issue_labels(ctx: Ctx, Path(path): ItemPath, bytes: Bytes) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let (labels, _) = with_issue_labels(&ctx, path, true, |r, current| {
        for id in label_ids(r, &body)? {
            if !current.contains(&id) {
                current.push(id);
            }
        }
        Ok(())
    })?;
    Ok(Json(Value::Array(labels)))
}

async fn replace_issue_labels(ctx: Ctx, Path(path): ItemPath, bytes: Bytes) -> Result<Json<Value>> {
    ctx.scopes(&["issue"])?;
    let body = Body::parse(&bytes)?;
    let (labels, _) = with_issue_labels(&ctx, path, true, |r, current| {
        *current = label_ids(r, &body)?;
        Ok(())
    })?;
    Ok(Json(Value::Array(labels)))
}

async fn clear_issue_labels(ctx: Ctx, Path(path): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    with_issue_labels(&ctx, path, true, |_, current| {
        current.clear();
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_issue_label(
    ctx: Ctx,
    Path((owner, repo, index, id)): Path<(String, String, String, String)>,
) -> Result<StatusCode> {
    ctx.scopes(&["issue"])?;
    let label = parse_id(&id)?;
    with_issue_labels(&ctx, (owner, repo, index), true, |r, current| {
        if !r.iter().any(|l| l.id == label) {
            return Err(ApiError::unprocessable(format!(
                "label does not exist [label_id: {label}]"
            )));
        }
        current.retain(|l| *l != label);
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
