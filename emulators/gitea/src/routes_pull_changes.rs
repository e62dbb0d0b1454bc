//! What a pull request changes and how it is edited: `PATCH /pulls/{index}`, the changed
//! files list, and the `.diff`/`.patch` text (one whole-file hunk per changed file).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::issue_edit::{apply_state, apply_text, requested_state};
use super::paging::{self, Paging};
use super::repo_handler::ItemPath;
use super::state::Repo;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/repos/{owner}/{repo}/pulls/{index}/files", get(files))
}

/// The pull request `raw` names, with its head sha.
fn pull_number(r: &Repo, raw: &str) -> Result<(i64, String, String)> {
    let number = parse_id(raw)?;
    let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
    let pull = issue.pull.as_ref().ok_or_else(ApiError::not_found)?;
    let head = match (pull.merged, r.branches.get(&pull.head)) {
        (false, Some(sha)) => sha.clone(),
        _ => pull.head_sha.clone(),
    };
    Ok((number, pull.merge_base.clone(), head))
}

fn lines(r: &Repo, sha: &str, path: &str) -> Vec<String> {
    r.commits
        .get(sha)
        .and_then(|c| c.tree.get(path))
        .map(|b| {
            String::from_utf8_lossy(b)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Unified diff of `from..to`, one whole-file hunk per changed path.
pub(crate) fn unified_diff(r: &Repo, from: &str, to: &str) -> String {
    let mut out = String::new();
    for (path, status) in r.changed_paths(from, to) {
        let (old, new) = (lines(r, from, &path), lines(r, to, &path));
        out.push_str(&format!("diff --git a/{path} b/{path}\n"));
        match status {
            "added" => out.push_str("new file mode 100644\n"),
            "removed" => out.push_str("deleted file mode 100644\n"),
            _ => {}
        }
        let a = if status == "added" {
            "/dev/null".to_string()
        } else {
            format!("a/{path}")
        };
        let b = if status == "removed" {
            "/dev/null".to_string()
        } else {
            format!("b/{path}")
        };
        out.push_str(&format!(
            "--- {a}\n+++ {b}\n@@ -{},{} +{},{} @@\n",
            u8::from(!old.is_empty()),
            old.len(),
            u8::from(!new.is_empty()),
            new.len()
        ));
        for line in &old {
            out.push_str(&format!("-{line}\n"));
        }
        for line in &new {
            out.push_str(&format!("+{line}\n"));
        }
    }
    out
}

/// `GET /pulls/{index}.diff` and `.patch`, dispatched from the `{index}` route.
pub(crate) fn diff_response(r: &Repo, raw: &str, kind: &str) -> Result<Response> {
    let (number, base, head) = pull_number(r, raw)?;
    let mut text = String::new();
    if kind == "patch" {
        let title = r.issue(number).map(|i| i.title.clone()).unwrap_or_default();
        text.push_str(&format!(
            "From {head} Mon Sep 17 00:00:00 2001\nSubject: [PATCH] {title}\n\n---\n"
        ));
    }
    text.push_str(&unified_diff(r, &base, &head));
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

async fn files(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let (_, base, head) = pull_number(r, &raw)?;
        let html = w.repo_html(r);
        let items: Vec<Value> = r
            .changed_paths(&base, &head)
            .into_iter()
            .map(|(path, status)| {
                let (old, new) = (lines(r, &base, &path), lines(r, &head, &path));
                let (added, deleted) = (
                    new.iter().filter(|l| !old.contains(l)).count(),
                    old.iter().filter(|l| !new.contains(l)).count(),
                );
                json!({
                    "filename": path,
                    "status": status,
                    "additions": added,
                    "deletions": deleted,
                    "changes": added + deleted,
                    "html_url": format!("{html}/src/commit/{head}/{path}"),
                    "contents_url": format!("{}/contents/{path}?ref={head}", w.repo_api(r)),
                    "raw_url": format!("{html}/raw/commit/{head}/{path}"),
                })
            })
            .collect();
        let page = Paging::from_query(&ctx.query);
        let total = items.len();
        let mut headers = paging::headers(&w.root_url, &ctx.path, &ctx.query, page, total);
        paging::commit_headers(&mut headers, page, total);
        Ok((headers, Json(Value::Array(page.slice(&items)))).into_response())
    })
}

/// `PATCH /pulls/{index}`: title, body, state, base, milestone, labels, due date.
pub(crate) async fn edit(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let state = requested_state(&body)?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
        let (number, _, _) = pull_number(r, &raw)?;
        let branches = r.branches.clone();
        let label_ids: Vec<i64> = r.labels.iter().map(|l| l.id).collect();
        let issue = r.issue_mut(number).ok_or_else(ApiError::not_found)?;
        if issue.poster_id != uid && !perm.push {
            return Err(ApiError::forbidden(
                "user should have permission to edit pull request",
            ));
        }
        apply_text(issue, &body)?;
        if let (Some(base), Some(pull)) = (body.str("base")?, issue.pull.as_mut()) {
            if !branches.contains_key(&base) {
                return Err(ApiError::not_found_err(format!(
                    "branch does not exist [name: {base}]"
                )));
            }
            pull.base = base;
        }
        if perm.push {
            if let Some(m) = body.i64("milestone")? {
                issue.milestone = (m > 0).then_some(m);
            }
            if let Some(labels) = body.values("labels")? {
                issue.labels = labels
                    .iter()
                    .filter_map(Value::as_i64)
                    .filter(|l| label_ids.contains(l))
                    .collect();
            }
        }
        apply_state(issue, state.as_deref())?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok((StatusCode::CREATED, Json(w.pull_json(r, issue))).into_response())
    })
}
