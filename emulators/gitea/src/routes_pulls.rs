//! Pull requests (list, get, create, merge, merged check) and their reviews.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::{find_repo, find_repo_writable, parse_id};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at, repo_at_mut};
use super::routes_pull_changes::{diff_response, edit};
use super::state::{Change, Issue, Pull, Repo, Review, now};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/pulls",
            get(list_pulls).post(create_pull),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}",
            get(get_pull).patch(edit),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/merge",
            get(is_merged).post(merge),
        )
        .route(
            "/repos/{owner}/{repo}/pulls/{index}/reviews",
            get(list_reviews).post(create_review),
        )
}

pub(crate) fn pull_of(r: &Repo, raw: &str) -> Result<i64> {
    let number = parse_id(raw)?;
    r.issue(number)
        .filter(|i| i.pull.is_some())
        .map(|i| i.index)
        .ok_or_else(|| ApiError::not_found_err(format!("pull request does not exist [id: 0, issue_id: 0, head_repo_id: 0, base_repo_id: {}, head_branch: , base_branch: ]", r.id)))
}

async fn list_pulls(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let state = ctx.query.get("state").unwrap_or("open").to_string();
    let base = ctx.query.get("base_branch").map(str::to_string);
    let poster = ctx.query.get("poster").map(str::to_string);
    let milestone = ctx
        .query
        .get("milestone")
        .and_then(|m| m.parse::<i64>().ok());
    let labels: Vec<i64> = ctx
        .query
        .list("labels")
        .iter()
        .filter_map(|l| l.parse().ok())
        .collect();
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let poster_id = poster.as_ref().map(|p| w.user(p).map(|u| u.id));
        let items = r
            .issues
            .iter()
            .rev()
            .filter(|i| {
                let Some(pull) = &i.pull else { return false };
                let state_ok = match state.as_str() {
                    "all" => true,
                    "closed" => i.closed,
                    _ => !i.closed,
                };
                state_ok
                    && base.as_ref().is_none_or(|b| &pull.base == b)
                    && poster_id.is_none_or(|p| p == Some(i.poster_id))
                    && milestone.is_none_or(|m| i.milestone == Some(m))
                    && (labels.is_empty() || i.labels.iter().any(|l| labels.contains(l)))
            })
            .map(|i| w.pull_json(r, i))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

/// `GET /pulls/{index}`, and `/pulls/{index}.diff` or `.patch` (same route segment).
async fn get_pull(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        if let Some((number, kind)) = raw.split_once('.') {
            if !matches!(kind, "diff" | "patch") {
                return Err(ApiError::not_found());
            }
            return diff_response(r, number, kind);
        }
        let number = pull_of(r, &raw)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.pull_json(r, issue)).into_response())
    })
}

/// `head` may be `branch` or `owner:branch` (same repository only here).
fn head_branch(head: &str) -> &str {
    head.rsplit_once(':').map_or(head, |(_, b)| b)
}

async fn create_pull(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let head = body.required_str("head")?;
    let base = body.required_str("base")?;
    let title = body.required_str("title")?;
    let head = head_branch(&head).to_string();
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let id = w.next_id();
        let pull_id = w.next_id();
        let r = repo_at_mut(w, index)?;
        let base_sha = r.branches.get(&base).cloned().ok_or_else(|| ApiError::not_found_err(format!("branch does not exist [name: {base}]")))?;
        let head_sha = r.branches.get(&head).cloned().ok_or_else(|| ApiError::not_found_err(format!("branch does not exist [name: {head}]")))?;
        if let Some(existing) = r.issues.iter().find(|i| !i.closed && i.pull.as_ref().is_some_and(|p| p.head == head && p.base == base)) {
            return Err(ApiError::conflict(format!(
                "pull request already exists for these targets [id: {}, issue_id: {}, head_repo_id: {}, base_repo_id: {}, head_branch: {head}, base_branch: {base}]",
                existing.pull.as_ref().map_or(0, |p| p.id), existing.id, r.id, r.id
            )));
        }
        if head_sha == base_sha || head == base {
            return Err(ApiError::unprocessable("Invalid PullRequest: There are no changes between the head and the base"));
        }
        let base_history: Vec<String> = r.history(&base_sha).iter().map(|c| c.sha.clone()).collect();
        let merge_base = r.history(&head_sha).iter().map(|c| c.sha.clone()).find(|s| base_history.contains(s)).unwrap_or_default();
        let labels: Vec<i64> = if perm.push {
            body.values("labels")?.unwrap_or_default().iter().filter_map(Value::as_i64).filter(|l| r.labels.iter().any(|x| x.id == *l)).collect()
        } else {
            Vec::new()
        };
        let milestone = body.i64("milestone")?.filter(|m| *m > 0 && perm.push && r.milestones.iter().any(|x| x.id == *m));
        let at = now();
        let number = r.next_index;
        r.next_index += 1;
        r.issues.push(Issue {
            id,
            index: number,
            poster_id: uid,
            title,
            body: body.str("body")?.unwrap_or_default(),
            closed: false,
            labels,
            milestone,
            assignees: Vec::new(),
            created: at,
            updated: at,
            closed_at: None,
            due_date: body.time("due_date")?,
            git_ref: String::new(),
            pull: Some(Pull { id: pull_id, head, base, head_sha, merge_base, merged: false, merged_at: None, merged_by: None, merge_sha: None, reviews: Vec::new() }),
        });
        let r = repo_at(w, index)?;
        let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
        Ok((StatusCode::CREATED, Json(w.pull_json(r, issue))).into_response())
    })
}

async fn is_merged(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let number = pull_of(r, &raw)?;
        let merged = r
            .issue(number)
            .and_then(|i| i.pull.as_ref())
            .is_some_and(|p| p.merged);
        if merged {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::not_found())
        }
    })
}

const MERGE_STYLES: [&str; 6] = [
    "merge",
    "rebase",
    "rebase-merge",
    "squash",
    "fast-forward-only",
    "manually-merged",
];

/// What a merge request asks for.
struct MergeRequest {
    style: String,
    title: Option<String>,
    message: String,
    delete_branch: bool,
}

impl MergeRequest {
    /// Reads `MergePullRequestOption` (also in the Go SDK's `Do`/`MergeTitleField` spelling).
    fn parse(body: &Body) -> Result<Self> {
        let style = body.required_str("do")?;
        if !MERGE_STYLES.contains(&style.as_str()) {
            return Err(ApiError::unprocessable("[Do]: In"));
        }
        Ok(Self {
            style,
            title: body.str("merge_title_field")?.filter(|t| !t.is_empty()),
            message: body.str("merge_message_field")?.unwrap_or_default(),
            delete_branch: body.bool("delete_branch_after_merge")?.unwrap_or(false),
        })
    }
}

/// Applies the head's changes since the merge base onto the base branch as one commit
/// (a two-parent merge commit for `merge`) and returns its sha.
fn merge_commit(
    r: &mut Repo,
    number: i64,
    req: &MergeRequest,
    author: (&str, &str),
) -> Result<String> {
    let issue = r.issue(number).ok_or_else(ApiError::not_found)?;
    let pull = issue.pull.clone().ok_or_else(ApiError::not_found)?;
    if pull.merged {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "The PR is already merged",
        ));
    }
    if issue.closed {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "The PR is closed",
        ));
    }
    let head_sha = r
        .branches
        .get(&pull.head)
        .cloned()
        .unwrap_or_else(|| pull.head_sha.clone());
    let head_tree = r
        .commits
        .get(&head_sha)
        .map(|c| c.tree.clone())
        .unwrap_or_default();
    let files: Vec<(String, Option<Vec<u8>>)> = r
        .changed_paths(&pull.merge_base, &head_sha)
        .into_iter()
        .map(|(path, _)| {
            let content = head_tree.get(&path).cloned();
            (path, content)
        })
        .collect();
    let heading = req.title.clone().unwrap_or_else(|| {
        format!(
            "Merge pull request '{}' (#{number}) from {} into {}",
            issue.title, pull.head, pull.base
        )
    });
    let message = if req.message.is_empty() {
        heading
    } else {
        format!("{heading}\n\n{}", req.message)
    };
    let sha = r.commit(Change {
        branch: &pull.base,
        from: None,
        message: &message,
        author,
        files,
    });
    if let Some(commit) = r.commits.get_mut(&sha).filter(|_| req.style == "merge") {
        commit.parents.push(head_sha);
    }
    if req.delete_branch && pull.head != r.default_branch {
        r.branches.remove(&pull.head);
    }
    Ok(sha)
}

async fn merge(ctx: Ctx, Path((owner, repo, raw)): ItemPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let req = MergeRequest::parse(&Body::parse(&bytes)?)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let (login, email) = w
            .user_by_id(uid)
            .map(|u| (u.login.clone(), u.email.clone()))
            .unwrap_or_default();
        let r = repo_at_mut(w, index)?;
        let number = pull_of(r, &raw)?;
        let sha = merge_commit(r, number, &req, (&login, &email))?;
        let at = now();
        let issue = r.issue_mut(number).ok_or_else(ApiError::not_found)?;
        issue.closed = true;
        issue.closed_at = Some(at);
        issue.updated = at;
        if let Some(p) = issue.pull.as_mut() {
            p.merged = true;
            p.merged_at = Some(at);
            p.merged_by = Some(uid);
            p.merge_sha = Some(sha);
        }
        Ok(StatusCode::OK.into_response())
    })
}

async fn list_reviews(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let number = pull_of(r, &raw)?;
        let reviews = r
            .issue(number)
            .and_then(|i| i.pull.as_ref())
            .map(|p| p.reviews.clone())
            .unwrap_or_default();
        let items = reviews
            .iter()
            .map(|rv| w.review_json(r, number, rv))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn create_review(
    ctx: Ctx,
    Path((owner, repo, raw)): ItemPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let event = body.str("event")?.unwrap_or_else(|| "PENDING".to_string());
    let state = match event.as_str() {
        "APPROVED" | "APPROVE" => "APPROVED",
        "REQUEST_CHANGES" => "REQUEST_CHANGES",
        "COMMENT" => "COMMENT",
        "PENDING" | "" => "PENDING",
        other => {
            return Err(ApiError::unprocessable(format!(
                "unknown review event {other:?}"
            )));
        }
    };
    let text = body.str("body")?.unwrap_or_default();
    if matches!(state, "REQUEST_CHANGES" | "COMMENT") && text.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "review event COMMENT requires a body",
        ));
    }
    let comments = super::routes_review_comments::parse(&body)?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let id = w.next_id();
        let comment_ids: Vec<i64> = comments.iter().map(|_| w.next_id()).collect();
        let r = repo_at_mut(w, index)?;
        let number = pull_of(r, &raw)?;
        let pull = r
            .issue_mut(number)
            .and_then(|i| i.pull.as_mut())
            .ok_or_else(ApiError::not_found)?;
        let review = Review {
            id,
            user_id: uid,
            state: state.to_string(),
            body: text,
            commit_id: pull.head_sha.clone(),
            submitted: now(),
            dismissed: false,
            comments: super::routes_review_comments::build(
                comments,
                &comment_ids,
                uid,
                &pull.head_sha,
            ),
        };
        pull.reviews.push(review.clone());
        let r = repo_at(w, index)?;
        Ok(Json(w.review_json(r, number, &review)))
    })
}
