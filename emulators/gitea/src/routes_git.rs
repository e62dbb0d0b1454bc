//! Branches, tags and commits of the snapshot git model.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::{self, Paging, paged};
use super::repo_handler::{ItemPath, RepoPath, repo_at, repo_at_mut};
use super::state::{Repo, Tag, sha_of};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/branches",
            get(list_branches).post(create_branch),
        )
        .route(
            "/repos/{owner}/{repo}/branches/{*branch}",
            get(get_branch).delete(delete_branch).patch(rename_branch),
        )
        .route(
            "/repos/{owner}/{repo}/tags",
            get(list_tags).post(create_tag),
        )
        .route(
            "/repos/{owner}/{repo}/tags/{*tag}",
            get(get_tag).delete(delete_tag),
        )
        .route("/repos/{owner}/{repo}/commits", get(list_commits))
        .route("/repos/{owner}/{repo}/git/commits/{sha}", get(get_commit))
        .route("/repos/{owner}/{repo}/git/trees/{sha}", get(get_tree))
}

fn empty_repo() -> ApiError {
    ApiError::not_found_err("Git Repository is empty.")
}

fn branch_missing(name: &str) -> ApiError {
    ApiError::not_found_err(format!("branch does not exist [name: {name}]"))
}

async fn list_branches(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let items = r
            .branches
            .iter()
            .filter_map(|(name, sha)| {
                r.commits
                    .get(sha)
                    .map(|c| w.branch_json(r, name, c, perm.push))
            })
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn get_branch(ctx: Ctx, Path((owner, repo, branch)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let commit = r
            .branches
            .get(&branch)
            .and_then(|sha| r.commits.get(sha))
            .ok_or_else(|| branch_missing(&branch))?;
        Ok(Json(w.branch_json(r, &branch, commit, perm.push)))
    })
}

fn valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '/'])
        && !name.ends_with(['/', '.'])
        && !name.contains("..")
        && !name.contains("//")
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c))
}

async fn create_branch(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("new_branch_name")?;
    if !valid_ref_name(&name) {
        return Err(ApiError::unprocessable("[NewBranchName]: GitRefName"));
    }
    let old_ref = body.str("old_ref_name")?.filter(|s| !s.is_empty());
    let old_branch = body.str("old_branch_name")?.filter(|s| !s.is_empty());
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        if r.commits.is_empty() {
            return Err(empty_repo());
        }
        if r.branches.contains_key(&name) {
            return Err(ApiError::conflict("The branch already exists."));
        }
        let sha = match (old_ref, old_branch) {
            (Some(reference), _) => r
                .resolve(
                    reference
                        .trim_start_matches("refs/heads/")
                        .trim_start_matches("refs/tags/"),
                )
                .map(|c| c.sha.clone())
                .ok_or_else(|| ApiError::not_found_err("The old ref does not exist"))?,
            (None, old) => {
                let from = old.unwrap_or_else(|| r.default_branch.clone());
                r.branches
                    .get(&from)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found_err("The old branch does not exist"))?
            }
        };
        r.branches.insert(name.clone(), sha.clone());
        let r = repo_at(w, index)?;
        let commit = r.commits.get(&sha).ok_or_else(ApiError::not_found)?;
        Ok((
            StatusCode::CREATED,
            Json(w.branch_json(r, &name, commit, true)),
        )
            .into_response())
    })
}

async fn delete_branch(ctx: Ctx, Path((owner, repo, branch)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        if r.default_branch == branch {
            return Err(ApiError::forbidden("can not delete default branch"));
        }
        r.branches
            .remove(&branch)
            .ok_or_else(|| branch_missing(&branch))?;
        Ok(StatusCode::NO_CONTENT)
    })
}

/// `PATCH /branches/{branch}` `{name}`: renames, moving the default branch and open pull
/// requests along.
async fn rename_branch(
    ctx: Ctx,
    Path((owner, repo, branch)): ItemPath,
    bytes: Bytes,
) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("name")?;
    if !valid_ref_name(&name) {
        return Err(ApiError::unprocessable("[Name]: GitRefName"));
    }
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        if r.branches.contains_key(&name) {
            return Err(ApiError::unprocessable("branch already exists"));
        }
        let sha = r
            .branches
            .remove(&branch)
            .ok_or_else(|| branch_missing(&branch))?;
        r.branches.insert(name.clone(), sha);
        if r.default_branch == branch {
            r.default_branch = name.clone();
        }
        for pull in r
            .issues
            .iter_mut()
            .filter(|i| !i.closed)
            .filter_map(|i| i.pull.as_mut())
        {
            for end in [&mut pull.head, &mut pull.base] {
                if *end == branch {
                    *end = name.clone();
                }
            }
        }
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn list_tags(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let items = r.tags.values().rev().map(|t| w.tag_json(r, t)).collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn get_tag(ctx: Ctx, Path((owner, repo, tag)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let t = r
            .tags
            .get(&tag)
            .ok_or_else(|| ApiError::not_found_err(format!("tag does not exist [name: {tag}]")))?;
        Ok(Json(w.tag_json(r, t)))
    })
}

/// Creates tag `name` at `target` (branch, tag or sha; default branch when empty).
pub(crate) fn make_tag(
    r: &mut Repo,
    name: &str,
    target: Option<&str>,
    message: &str,
) -> Result<Tag> {
    if r.tags.contains_key(name) {
        return Err(ApiError::conflict("tag exist"));
    }
    let commit = r
        .resolve_or_default(target)
        .ok_or_else(|| ApiError::not_found_err("target not found"))?
        .sha
        .clone();
    let tag = Tag {
        name: name.to_string(),
        id: if message.is_empty() {
            commit.clone()
        } else {
            sha_of(&[b"tag", name.as_bytes(), commit.as_bytes()])
        },
        commit,
        message: message.to_string(),
    };
    r.tags.insert(name.to_string(), tag.clone());
    Ok(tag)
}

async fn create_tag(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("tag_name")?;
    if !valid_ref_name(&name) {
        return Err(ApiError::unprocessable("[TagName]: GitRefName"));
    }
    let target = body.str("target")?;
    let message = body.str("message")?.unwrap_or_default();
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        if r.commits.is_empty() {
            return Err(empty_repo());
        }
        let tag = make_tag(r, &name, target.as_deref(), &message)?;
        let r = repo_at(w, index)?;
        // The spec documents 200 (not 201) for tag creation.
        Ok(Json(w.tag_json(r, &tag)).into_response())
    })
}

async fn delete_tag(ctx: Ctx, Path((owner, repo, tag)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        if r.releases
            .iter()
            .any(|rel| rel.tag_name == tag && !rel.draft)
        {
            return Err(ApiError::conflict(
                "a tag attached to a release cannot be deleted directly",
            ));
        }
        r.tags
            .remove(&tag)
            .ok_or_else(|| ApiError::not_found_err(format!("tag does not exist [name: {tag}]")))?;
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn list_commits(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        if r.commits.is_empty() {
            return Err(ApiError::conflict("Git Repository is empty."));
        }
        let reference = ctx.query.get("sha");
        let head = r.resolve_or_default(reference).ok_or_else(|| {
            ApiError::not_found_err(format!(
                "object does not exist [id: {}, rel_path: ]",
                reference.unwrap_or_default()
            ))
        })?;
        let path = ctx.query.get("path");
        let history: Vec<_> = r
            .history(&head.sha)
            .into_iter()
            .filter(|c| {
                path.is_none_or(|p| {
                    let parent = c.parents.first().cloned().unwrap_or_default();
                    r.changed_paths(&parent, &c.sha)
                        .iter()
                        .any(|(f, _)| f == p || f.starts_with(&format!("{p}/")))
                })
            })
            .collect();
        let page = Paging::from_query(&ctx.query);
        let total = history.len();
        let mut headers = paging::headers(&w.root_url, &ctx.path, &ctx.query, page, total);
        paging::commit_headers(&mut headers, page, total);
        let items: Vec<Value> = page
            .slice(&history)
            .into_iter()
            .map(|c| w.commit_json(r, c))
            .collect();
        Ok((headers, Json(Value::Array(items))).into_response())
    })
}

async fn get_commit(ctx: Ctx, Path((owner, repo, sha)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let commit = r.resolve(&sha).ok_or_else(|| {
            ApiError::not_found_err(format!("object does not exist [id: {sha}, rel_path: ]"))
        })?;
        Ok(Json(w.commit_json(r, commit)))
    })
}

/// Gitea's default `per_page` for git trees.
const TREE_PAGE: usize = 1000;

/// `GitTreeResponse` of a commit (or branch/tag): top level, or every entry with
/// `recursive=true`; directories are `tree` entries, files `blob` entries.
async fn get_tree(ctx: Ctx, Path((owner, repo, sha)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let recursive = ctx.query.flag("recursive").unwrap_or(false);
    let page = ctx
        .query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1);
    let per_page = ctx
        .query
        .get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(TREE_PAGE);
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let commit = r.resolve(&sha).ok_or_else(|| ApiError::bad_request(format!("sha not found [{sha}]")))?;
        let api = w.repo_api(r);
        let mut entries: Vec<(String, Option<&Vec<u8>>)> = Vec::new();
        for (path, bytes) in &commit.tree {
            let parts: Vec<&str> = path.split('/').collect();
            for depth in 1..parts.len() {
                let dir = parts[..depth].join("/");
                if (recursive || depth == 1) && !entries.iter().any(|(p, _)| *p == dir) {
                    entries.push((dir, None));
                }
            }
            if recursive || parts.len() == 1 {
                entries.push((path.clone(), Some(bytes)));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let total = entries.len();
        let tree: Vec<Value> = entries
            .iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .map(|(path, bytes)| match bytes {
                Some(b) => {
                    let blob = sha_of(&[b"blob", b]);
                    json!({"path": path, "mode": "100644", "type": "blob", "size": b.len(), "sha": blob, "url": format!("{api}/git/blobs/{blob}")})
                }
                None => {
                    let id = sha_of(&[b"tree", path.as_bytes(), commit.sha.as_bytes()]);
                    json!({"path": path, "mode": "040000", "type": "tree", "size": 0, "sha": id, "url": format!("{api}/git/trees/{id}")})
                }
            })
            .collect();
        Ok(Json(json!({
            "sha": commit.sha,
            "url": format!("{api}/git/trees/{}", commit.sha),
            "tree": tree,
            "truncated": page.saturating_mul(per_page) < total,
            "page": page,
            "total_count": total,
        })))
    })
}
