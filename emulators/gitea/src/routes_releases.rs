//! Releases: list, get (by id, latest, by tag), create (tagging the target) and delete.

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
use super::routes_git::make_tag;
use super::state::{Release, World, now};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/releases",
            get(list_releases).post(create_release),
        )
        .route("/repos/{owner}/{repo}/releases/latest", get(latest_release))
        .route(
            "/repos/{owner}/{repo}/releases/tags/{tag}",
            get(release_by_tag),
        )
        .route(
            "/repos/{owner}/{repo}/releases/{id}",
            get(get_release).delete(delete_release),
        )
}

async fn list_releases(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let draft = ctx.query.flag("draft");
    let pre = ctx.query.flag("pre-release");
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let items = r
            .releases
            .iter()
            .rev()
            .filter(|rel| perm.push || !rel.draft)
            .filter(|rel| {
                draft.is_none_or(|d| rel.draft == d) && pre.is_none_or(|p| rel.prerelease == p)
            })
            .map(|rel| w.release_json(r, rel))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

fn release_missing() -> ApiError {
    ApiError::not_found()
}

fn find_release(
    ctx: &Ctx,
    w: &World,
    owner: &str,
    repo: &str,
    pick: impl Fn(&Release) -> bool,
) -> Result<Value> {
    let (index, perm) = find_repo(w, ctx, owner, repo)?;
    let r = repo_at(w, index)?;
    let rel = r
        .releases
        .iter()
        .rev()
        .filter(|rel| perm.push || !rel.draft)
        .find(|rel| pick(rel))
        .ok_or_else(release_missing)?;
    Ok(w.release_json(r, rel))
}

async fn get_release(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let id = parse_id(&raw)?;
    ctx.with(|w| find_release(&ctx, w, &owner, &repo, |rel| rel.id == id).map(Json))
}

async fn latest_release(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        find_release(&ctx, w, &owner, &repo, |rel| !rel.draft && !rel.prerelease).map(Json)
    })
}

async fn release_by_tag(ctx: Ctx, Path((owner, repo, tag)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| find_release(&ctx, w, &owner, &repo, |rel| rel.tag_name == tag).map(Json))
}

async fn create_release(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let tag_name = body.required_str("tag_name")?;
    let target = body.str("target_commitish")?.filter(|t| !t.is_empty());
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let id = w.next_id();
        let r = repo_at_mut(w, index)?;
        if r.releases.iter().any(|rel| rel.tag_name == tag_name) {
            return Err(ApiError::conflict(format!(
                "release tag already exist [tag_name: {tag_name}]"
            )));
        }
        let draft = body.bool("draft")?.unwrap_or(false);
        if !draft && !r.tags.contains_key(&tag_name) {
            make_tag(
                r,
                &tag_name,
                target.as_deref(),
                &body.str("tag_message")?.unwrap_or_default(),
            )?;
        }
        let release = Release {
            id,
            target: target.unwrap_or_else(|| r.default_branch.clone()),
            name: body.str("name")?.unwrap_or_else(|| tag_name.clone()),
            tag_name,
            body: body.str("body")?.unwrap_or_default(),
            draft,
            prerelease: body.bool("prerelease")?.unwrap_or(false),
            author_id: uid,
            created: now(),
        };
        r.releases.push(release.clone());
        let r = repo_at(w, index)?;
        Ok((StatusCode::CREATED, Json(w.release_json(r, &release))).into_response())
    })
}

async fn delete_release(ctx: Ctx, Path((owner, repo, raw)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    let id = parse_id(&raw)?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let r = repo_at_mut(w, index)?;
        let before = r.releases.len();
        r.releases.retain(|rel| rel.id != id);
        if r.releases.len() == before {
            return Err(release_missing());
        }
        Ok(StatusCode::NO_CONTENT)
    })
}
