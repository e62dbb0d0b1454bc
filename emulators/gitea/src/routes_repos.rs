//! Repositories: get, delete, list, create (user, org, admin-for-user), migrate and search.
//! A migration copies the content of a registered source repository (or of a repository
//! of this emulator when the clone URL points at it), else it starts with a README.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::access::{find_repo, perm};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::state::{Change, Repo, World};
use super::{GiteaEmulator, Shared};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/{owner}/{repo}", get(get_repo).delete(delete_repo))
        .route("/user/repos", get(my_repos).post(create_user_repo))
        .route("/users/{username}/repos", get(user_repos))
        .route("/orgs/{org}/repos", get(user_repos).post(create_org_repo))
        .route("/admin/users/{username}/repos", post(admin_create_repo))
        .route("/repos/migrate", post(migrate))
        .route("/repos/search", get(search))
}

pub(crate) fn valid_repo_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name != "."
        && name != ".."
        && !name.ends_with(".git")
}

async fn get_repo(ctx: Ctx, Path((owner, repo)): Path<(String, String)>) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        let r = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.repo_json(r, perm.tuple())))
    })
}

async fn delete_repo(ctx: Ctx, Path((owner, repo)): Path<(String, String)>) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    ctx.require_user()?;
    ctx.with(|w| {
        let (index, perm) = find_repo(w, &ctx, &owner, &repo)?;
        if !perm.admin {
            return Err(ApiError::forbidden(
                "Given user is not owner of organization.",
            ));
        }
        w.repos.remove(index);
        Ok(StatusCode::NO_CONTENT)
    })
}

fn list_repos(w: &World, ctx: &Ctx, owner_ids: &[i64]) -> Vec<Value> {
    w.repos
        .iter()
        .filter(|r| owner_ids.contains(&r.owner_id))
        .filter_map(|r| {
            let p = perm(w, ctx, r);
            p.pull.then(|| w.repo_json(r, p.tuple()))
        })
        .collect()
}

async fn my_repos(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["user", "repository"])?;
    let uid = ctx.require_user()?;
    ctx.with(|w| {
        let mut owners = vec![uid];
        owners.extend(
            w.users
                .iter()
                .filter(|u| u.is_org && u.members.contains(&uid))
                .map(|u| u.id),
        );
        let repos = list_repos(w, &ctx, &owners);
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, repos).into_response())
    })
}

async fn user_repos(ctx: Ctx, Path(owner): Path<String>) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let user = w.user(&owner).ok_or_else(|| {
            ApiError::not_found_err(format!("user redirect does not exist [name: {owner}]"))
        })?;
        let repos = list_repos(w, &ctx, &[user.id]);
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, repos).into_response())
    })
}

/// Creates a repository for `owner_id` from a `CreateRepoOption` body.
fn create_repo(w: &mut World, ctx: &Ctx, owner_id: i64, body: &Body) -> Result<Response> {
    let name = body.required_str("name")?;
    if !valid_repo_name(&name) {
        return Err(ApiError::unprocessable("[Name]: Invalid repo name"));
    }
    let owner = w
        .user_by_id(owner_id)
        .map(|u| (u.login.clone(), u.email.clone()))
        .unwrap_or_default();
    if w.repo_index(&owner.0, &name).is_some() {
        return Err(ApiError::conflict(
            "The repository with the same name already exists.",
        ));
    }
    let private = body.bool("private")?.unwrap_or(false);
    let description = body.str("description")?.unwrap_or_default();
    let default_branch = body
        .str("default_branch")?
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "main".into());
    let auto_init = body.bool("auto_init")?.unwrap_or(false);
    let index = w.add_repo(owner_id, &name, private);
    let repo = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
    repo.description = description.clone();
    repo.default_branch = default_branch.clone();
    if auto_init {
        let readme = format!("# {name}\n\n{description}\n");
        repo.commit(Change {
            branch: &default_branch,
            from: None,
            message: "Initial commit",
            author: (&owner.0, &owner.1),
            files: vec![("README.md".to_string(), Some(readme.into_bytes()))],
        });
    }
    let repo = w.repos.get(index).ok_or_else(ApiError::not_found)?;
    let out = w.repo_json(repo, perm(w, ctx, repo).tuple());
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn create_user_repo(ctx: Ctx, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["user", "repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| create_repo(w, &ctx, uid, &body))
}

/// The org `name` if the caller is a member (or admin); Gitea's texts otherwise.
fn org_for_create(w: &World, ctx: &Ctx, name: &str) -> Result<i64> {
    let uid = ctx.require_user()?;
    let org = w.user(name).ok_or_else(|| {
        ApiError::not_found_err(format!("user redirect does not exist [name: {name}]"))
    })?;
    if !org.is_org {
        return Err(ApiError::forbidden("Given user is not an organization."));
    }
    if !org.members.contains(&uid) && !ctx.is_admin() {
        return Err(ApiError::forbidden(
            "Given user is not owner of organization.",
        ));
    }
    Ok(org.id)
}

async fn create_org_repo(ctx: Ctx, Path(org): Path<String>, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["organization", "repository"])?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let org_id = org_for_create(w, &ctx, &org)?;
        create_repo(w, &ctx, org_id, &body)
    })
}

async fn admin_create_repo(
    ctx: Ctx,
    Path(username): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["admin", "repository"])?;
    ctx.require_admin()?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = w.user(&username).map(|u| u.id).ok_or_else(|| {
            ApiError::not_found_err(format!("user redirect does not exist [name: {username}]"))
        })?;
        create_repo(w, &ctx, owner, &body)
    })
}

/// `owner/name` of a repository of this emulator that `clone_addr` names.
fn local_source(w: &World, clone_addr: &str) -> Option<usize> {
    if let Some((owner, name)) = w.migration_sources.get(clone_addr) {
        return w.repo_index(owner, name);
    }
    let rest = clone_addr.strip_prefix(w.root_url.as_str())?;
    let (owner, name) = rest.trim_end_matches('/').split_once('/')?;
    w.repo_index(owner, name.trim_end_matches(".git"))
}

/// The owner a migration targets: the caller, an org they belong to, or (for admins) any
/// user.
fn migrate_owner(w: &World, ctx: &Ctx, uid: i64, body: &Body) -> Result<i64> {
    let Some(owner) = body.str("repo_owner")?.filter(|o| !o.is_empty()) else {
        return Ok(uid);
    };
    match w.user(&owner) {
        None => Err(ApiError::unprocessable(format!(
            "user does not exist [uid: 0, name: {owner}]"
        ))),
        Some(u) if u.id == uid => Ok(uid),
        Some(u) if u.is_org => org_for_create(w, ctx, &owner),
        Some(u) if ctx.is_admin() => Ok(u.id),
        Some(_) => Err(ApiError::forbidden("Given user is not an organization.")),
    }
}

/// Fills a migrated repository: the source's git data (and labels, with fresh ids, when
/// asked), or a README naming the clone URL when the source is unknown.
fn fill_migrated(
    w: &mut World,
    index: usize,
    source: Option<Repo>,
    body: &Body,
    clone_addr: &str,
) -> Result<()> {
    let copy_labels = body.bool("labels")?.unwrap_or(false);
    let mirror = body.bool("mirror")?.unwrap_or(false);
    let mut labels = source
        .as_ref()
        .map(|s| s.labels.clone())
        .unwrap_or_default();
    for label in &mut labels {
        label.id = w.next_id();
    }
    let owner_id = w.repos.get(index).map(|r| r.owner_id).unwrap_or_default();
    let (login, email) = w
        .user_by_id(owner_id)
        .map(|u| (u.login.clone(), u.email.clone()))
        .unwrap_or_default();
    let repo = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
    repo.mirror = mirror;
    match source {
        Some(src) => {
            repo.commits = src.commits;
            repo.branches = src.branches;
            repo.tags = src.tags;
            repo.default_branch = src.default_branch;
            if copy_labels {
                repo.labels = labels;
            }
        }
        None => {
            let readme = format!("# {}\n\nMigrated from {clone_addr}\n", repo.name);
            repo.commit(Change {
                branch: "main",
                from: None,
                message: "Initial commit",
                author: (&login, &email),
                files: vec![("README.md".into(), Some(readme.into_bytes()))],
            });
        }
    }
    Ok(())
}

async fn migrate(ctx: Ctx, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let uid = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let clone_addr = body.required_str("clone_addr")?;
    let repo_name = body.required_str("repo_name")?;
    if !(clone_addr.starts_with("http://") || clone_addr.starts_with("https://")) {
        return Err(ApiError::unprocessable("Invalid url"));
    }
    ctx.with(|w| {
        let owner_id = migrate_owner(w, &ctx, uid, &body)?;
        let source = local_source(w, &clone_addr)
            .and_then(|i| w.repos.get(i))
            .cloned();
        let mut create = serde_json::Map::new();
        create.insert("name".into(), json!(repo_name));
        for key in ["private", "description"] {
            if let Some(v) = body.get(key) {
                create.insert(key.into(), v.clone());
            }
        }
        let create_body = Body::parse(&Bytes::from(Value::Object(create).to_string()))?;
        create_repo(w, &ctx, owner_id, &create_body)?;
        let owner_login = w
            .user_by_id(owner_id)
            .map(|u| u.login.clone())
            .unwrap_or_default();
        let index = w
            .repo_index(&owner_login, &repo_name)
            .ok_or_else(ApiError::not_found)?;
        fill_migrated(w, index, source, &body, &clone_addr)?;
        let repo = w.repos.get(index).ok_or_else(ApiError::not_found)?;
        let out = w.repo_json(repo, perm(w, &ctx, repo).tuple());
        Ok((StatusCode::CREATED, Json(out)).into_response())
    })
}

async fn search(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let q = ctx.query.get("q").unwrap_or_default().to_lowercase();
    let uid = ctx.query.get("uid").and_then(|u| u.parse::<i64>().ok());
    let private = ctx.query.flag("is_private");
    let include_desc = ctx.query.flag("includeDesc").unwrap_or(false);
    ctx.with(|w| {
        let repos: Vec<Value> = w
            .repos
            .iter()
            .filter(|r| uid.is_none_or(|id| r.owner_id == id))
            .filter(|r| private.is_none_or(|p| r.private == p))
            .filter(|r| {
                q.is_empty()
                    || r.name.to_lowercase().contains(&q)
                    || (include_desc && r.description.to_lowercase().contains(&q))
            })
            .filter_map(|r| {
                let p = perm(w, &ctx, r);
                p.pull.then(|| w.repo_json(r, p.tuple()))
            })
            .collect();
        let page = paged(&w.root_url, &ctx.path, &ctx.query, repos);
        Ok((page.headers, Json(json!({"ok": true, "data": page.items}))).into_response())
    })
}

impl GiteaEmulator {
    /// Makes `POST /repos/migrate` with `clone_addr` copy the content (commits, branches,
    /// tags, and labels when asked) of this emulator's `owner/repo`.
    pub fn register_migration_source(&self, clone_addr: &str, owner: &str, repo: &str) {
        self.shared.with(|w| {
            w.migration_sources.insert(
                clone_addr.to_string(),
                (owner.to_string(), repo.to_string()),
            );
        });
    }
}
