//! Forks: `POST /repos/{owner}/{repo}/forks` copies the git data (commits, branches,
//! tags) into a new repository of the caller or of one of their organizations, with
//! `fork: true` and `parent`; issues, labels, pulls and releases stay behind, as in
//! Gitea. `GET …/forks` lists the forks the caller can see.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::Shared;
use super::access::{find_repo, perm};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::RepoPath;
use super::routes_repos::valid_repo_name;
use super::state::{World, now};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route(
        "/repos/{owner}/{repo}/forks",
        get(list_forks).post(create_fork),
    )
}

async fn list_forks(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let source = w.repos.get(index).ok_or_else(ApiError::not_found)?.id;
        let items = w
            .repos
            .iter()
            .filter(|r| r.parent == Some(source))
            .filter_map(|r| {
                let p = perm(w, &ctx, r);
                p.pull.then(|| w.repo_json(r, p.tuple()))
            })
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

/// The id of the account the fork goes to: the caller, or `organization` if the
/// caller is a member (403 otherwise, 422 when it is not an organization).
fn target_owner(w: &World, ctx: &Ctx, uid: i64, org: Option<&str>) -> Result<i64> {
    let Some(name) = org else {
        return Ok(uid);
    };
    let org = w.user(name).filter(|u| u.is_org).ok_or_else(|| {
        ApiError::unprocessable(format!("organization does not exist [name: {name}]"))
    })?;
    if org.members.contains(&uid) || ctx.is_admin() {
        Ok(org.id)
    } else {
        Err(ApiError::forbidden("User is no Member of Organisation"))
    }
}

async fn create_fork(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let org = body.str("organization")?.filter(|o| !o.is_empty());
    let name = body.str("name")?.filter(|n| !n.is_empty());
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let source = w.repos.get(index).ok_or_else(ApiError::not_found)?.clone();
        let owner_id = target_owner(w, &ctx, uid, org.as_deref())?;
        let name = name.unwrap_or_else(|| source.name.clone());
        if !valid_repo_name(&name) {
            return Err(ApiError::unprocessable("[Name]: Invalid repo name"));
        }
        if owner_id == source.owner_id {
            return Err(ApiError::conflict(
                "a repository cannot be forked into its own owner",
            ));
        }
        if w.repos
            .iter()
            .any(|r| r.owner_id == owner_id && r.parent == Some(source.id))
        {
            return Err(ApiError::conflict("repository is already forked by user"));
        }
        let login = w
            .user_by_id(owner_id)
            .map(|u| u.login.clone())
            .unwrap_or_default();
        if w.repo_index(&login, &name).is_some() {
            return Err(ApiError::conflict(
                "The repository with the same name already exists.",
            ));
        }
        let fork = w.add_repo(owner_id, &name, source.private);
        let r = w.repos.get_mut(fork).ok_or_else(ApiError::not_found)?;
        r.parent = Some(source.id);
        r.description = source.description;
        r.default_branch = source.default_branch;
        r.commits = source.commits;
        r.branches = source.branches;
        r.tags = source.tags;
        r.updated = now();
        let r = w.repos.get(fork).ok_or_else(ApiError::not_found)?;
        let out = w.repo_json(r, perm(w, &ctx, r).tuple());
        Ok((StatusCode::ACCEPTED, Json(out)).into_response())
    })
}
