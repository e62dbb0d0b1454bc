//! Actions secrets and variables of a repository (its admins) or an organization (its
//! members): names are upper-cased and must look like `[A-Z_][A-Z0-9_]*` without a
//! `GITEA_`/`GITHUB_` prefix, secrets are listed without their values, and PUT on a
//! secret creates (201) or updates (204), as in Gitea.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::access::find_repo;
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at};
use super::state::{World, now};
use super::state_extra::{ActionsOwner, Secret, Variable};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/{owner}/{repo}/actions/secrets", get(repo_secrets))
        .route(
            "/repos/{owner}/{repo}/actions/secrets/{secretname}",
            axum::routing::put(repo_put_secret).delete(repo_delete_secret),
        )
        .route(
            "/repos/{owner}/{repo}/actions/variables",
            get(repo_variables),
        )
        .route(
            "/repos/{owner}/{repo}/actions/variables/{variablename}",
            get(repo_get_variable)
                .post(repo_create_variable)
                .put(repo_update_variable)
                .delete(repo_delete_variable),
        )
        .route("/orgs/{org}/actions/secrets", get(org_secrets))
        .route(
            "/orgs/{org}/actions/secrets/{secretname}",
            axum::routing::put(org_put_secret).delete(org_delete_secret),
        )
        .route("/orgs/{org}/actions/variables", get(org_variables))
        .route(
            "/orgs/{org}/actions/variables/{variablename}",
            get(org_get_variable)
                .post(org_create_variable)
                .put(org_update_variable)
                .delete(org_delete_variable),
        )
}

/// The repository as an Actions owner; only its admins may manage its settings.
fn repo_owner(w: &World, ctx: &Ctx, owner: &str, repo: &str) -> Result<ActionsOwner> {
    ctx.scopes(&["repository"])?;
    ctx.require_user()?;
    let (index, perm) = find_repo(w, ctx, owner, repo)?;
    if !perm.admin {
        return Err(ApiError::forbidden(
            "user should be an owner or a collaborator with admin write of a repository",
        ));
    }
    Ok(ActionsOwner::Repo(repo_at(w, index)?.id))
}

/// The organization as an Actions owner; only its members (or admins) may manage it.
fn org_owner(w: &World, ctx: &Ctx, org: &str) -> Result<ActionsOwner> {
    ctx.scopes(&["organization"])?;
    let uid = ctx.require_user()?;
    let o = w
        .user(org)
        .filter(|u| u.is_org)
        .ok_or_else(|| ApiError::not_found_err(format!("org does not exist [name: {org}]")))?;
    if !(ctx.is_admin() || o.members.contains(&uid)) {
        return Err(ApiError::forbidden("must be an organization owner"));
    }
    Ok(ActionsOwner::Org(o.id))
}

fn valid_name(raw: &str) -> Result<String> {
    let name = raw.to_uppercase();
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with("GITEA_")
        && !name.starts_with("GITHUB_");
    if ok {
        Ok(name)
    } else {
        Err(ApiError::bad_request(format!(
            "invalid variable or secret name: {raw:?}"
        )))
    }
}

fn ids(owner: ActionsOwner) -> (i64, i64) {
    match owner {
        ActionsOwner::Repo(id) => (0, id),
        ActionsOwner::Org(id) => (id, 0),
    }
}

fn variable_json(v: &Variable) -> Value {
    let (owner_id, repo_id) = ids(v.owner);
    json!({"owner_id": owner_id, "repo_id": repo_id, "name": v.name, "data": v.data, "description": v.description})
}

fn list_secrets(w: &World, ctx: &Ctx, owner: ActionsOwner) -> Response {
    let items = w
        .extra
        .secrets
        .iter()
        .filter(|s| s.owner == owner)
        .map(|s| json!({"name": s.name, "description": s.description, "created_at": s.created.to_string()}))
        .collect();
    paged(&w.root_url, &ctx.path, &ctx.query, items).into_response()
}

fn put_secret(w: &mut World, owner: ActionsOwner, raw: &str, body: &Body) -> Result<StatusCode> {
    let name = valid_name(raw)?;
    let data = body.required_str("data")?;
    let description = body.str("description")?.unwrap_or_default();
    let existing = w
        .extra
        .secrets
        .iter_mut()
        .find(|s| s.owner == owner && s.name == name);
    if let Some(s) = existing {
        s.data = data;
        s.description = description;
        return Ok(StatusCode::NO_CONTENT);
    }
    w.extra.secrets.push(Secret {
        owner,
        name,
        data,
        description,
        created: now(),
    });
    Ok(StatusCode::CREATED)
}

fn delete_secret(w: &mut World, owner: ActionsOwner, raw: &str) -> Result<StatusCode> {
    let name = raw.to_uppercase();
    let pos = w
        .extra
        .secrets
        .iter()
        .position(|s| s.owner == owner && s.name == name)
        .ok_or_else(|| ApiError::not_found_err("secret not found"))?;
    w.extra.secrets.remove(pos);
    Ok(StatusCode::NO_CONTENT)
}

fn list_variables(w: &World, ctx: &Ctx, owner: ActionsOwner) -> Response {
    let items = w
        .extra
        .variables
        .iter()
        .filter(|v| v.owner == owner)
        .map(variable_json)
        .collect();
    paged(&w.root_url, &ctx.path, &ctx.query, items).into_response()
}

fn variable_pos(w: &World, owner: ActionsOwner, raw: &str) -> Result<usize> {
    let name = raw.to_uppercase();
    w.extra
        .variables
        .iter()
        .position(|v| v.owner == owner && v.name == name)
        .ok_or_else(|| ApiError::not_found_err("variable not found"))
}

fn create_variable(
    w: &mut World,
    owner: ActionsOwner,
    raw: &str,
    body: &Body,
) -> Result<StatusCode> {
    let name = valid_name(raw)?;
    let data = body.required_str("value")?;
    if variable_pos(w, owner, &name).is_ok() {
        return Err(ApiError::conflict("variable name already exists"));
    }
    w.extra.variables.push(Variable {
        owner,
        name,
        data,
        description: body.str("description")?.unwrap_or_default(),
    });
    Ok(StatusCode::CREATED)
}

fn update_variable(
    w: &mut World,
    owner: ActionsOwner,
    raw: &str,
    body: &Body,
) -> Result<StatusCode> {
    let pos = variable_pos(w, owner, raw)?;
    let data = body.required_str("value")?;
    let rename = body
        .str("name")?
        .filter(|n| !n.is_empty())
        .map(|n| valid_name(&n))
        .transpose()?;
    if let Some(new) = &rename
        && variable_pos(w, owner, new).is_ok_and(|other| other != pos)
    {
        return Err(ApiError::conflict("variable name already exists"));
    }
    let description = body.str("description")?;
    let v = w
        .extra
        .variables
        .get_mut(pos)
        .ok_or_else(ApiError::not_found)?;
    v.data = data;
    if let Some(n) = rename {
        v.name = n;
    }
    if let Some(d) = description {
        v.description = d;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn delete_variable(w: &mut World, owner: ActionsOwner, raw: &str) -> Result<StatusCode> {
    let pos = variable_pos(w, owner, raw)?;
    w.extra.variables.remove(pos);
    Ok(StatusCode::NO_CONTENT)
}

async fn repo_secrets(ctx: Ctx, Path((o, r)): RepoPath) -> Result<Response> {
    ctx.with(|w| Ok(list_secrets(w, &ctx, repo_owner(w, &ctx, &o, &r)?)))
}
async fn repo_put_secret(ctx: Ctx, Path((o, r, n)): ItemPath, bytes: Bytes) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = repo_owner(w, &ctx, &o, &r)?;
        put_secret(w, owner, &n, &body)
    })
}
async fn repo_delete_secret(ctx: Ctx, Path((o, r, n)): ItemPath) -> Result<StatusCode> {
    ctx.with(|w| {
        let owner = repo_owner(w, &ctx, &o, &r)?;
        delete_secret(w, owner, &n)
    })
}
async fn repo_variables(ctx: Ctx, Path((o, r)): RepoPath) -> Result<Response> {
    ctx.with(|w| Ok(list_variables(w, &ctx, repo_owner(w, &ctx, &o, &r)?)))
}
async fn repo_get_variable(ctx: Ctx, Path((o, r, n)): ItemPath) -> Result<Json<Value>> {
    ctx.with(|w| {
        let pos = variable_pos(w, repo_owner(w, &ctx, &o, &r)?, &n)?;
        let v = w.extra.variables.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(variable_json(v)))
    })
}
async fn repo_create_variable(
    ctx: Ctx,
    Path((o, r, n)): ItemPath,
    bytes: Bytes,
) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = repo_owner(w, &ctx, &o, &r)?;
        create_variable(w, owner, &n, &body)
    })
}
async fn repo_update_variable(
    ctx: Ctx,
    Path((o, r, n)): ItemPath,
    bytes: Bytes,
) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = repo_owner(w, &ctx, &o, &r)?;
        update_variable(w, owner, &n, &body)
    })
}
async fn repo_delete_variable(ctx: Ctx, Path((o, r, n)): ItemPath) -> Result<StatusCode> {
    ctx.with(|w| {
        let owner = repo_owner(w, &ctx, &o, &r)?;
        delete_variable(w, owner, &n)
    })
}

type OrgItem = Path<(String, String)>;

async fn org_secrets(ctx: Ctx, Path(org): Path<String>) -> Result<Response> {
    ctx.with(|w| Ok(list_secrets(w, &ctx, org_owner(w, &ctx, &org)?)))
}
async fn org_put_secret(ctx: Ctx, Path((org, n)): OrgItem, bytes: Bytes) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = org_owner(w, &ctx, &org)?;
        put_secret(w, owner, &n, &body)
    })
}
async fn org_delete_secret(ctx: Ctx, Path((org, n)): OrgItem) -> Result<StatusCode> {
    ctx.with(|w| {
        let owner = org_owner(w, &ctx, &org)?;
        delete_secret(w, owner, &n)
    })
}
async fn org_variables(ctx: Ctx, Path(org): Path<String>) -> Result<Response> {
    ctx.with(|w| Ok(list_variables(w, &ctx, org_owner(w, &ctx, &org)?)))
}
async fn org_get_variable(ctx: Ctx, Path((org, n)): OrgItem) -> Result<Json<Value>> {
    ctx.with(|w| {
        let pos = variable_pos(w, org_owner(w, &ctx, &org)?, &n)?;
        let v = w.extra.variables.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(variable_json(v)))
    })
}
async fn org_create_variable(
    ctx: Ctx,
    Path((org, n)): OrgItem,
    bytes: Bytes,
) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = org_owner(w, &ctx, &org)?;
        create_variable(w, owner, &n, &body)
    })
}
async fn org_update_variable(
    ctx: Ctx,
    Path((org, n)): OrgItem,
    bytes: Bytes,
) -> Result<StatusCode> {
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let owner = org_owner(w, &ctx, &org)?;
        update_variable(w, owner, &n, &body)
    })
}
async fn org_delete_variable(ctx: Ctx, Path((org, n)): OrgItem) -> Result<StatusCode> {
    ctx.with(|w| {
        let owner = org_owner(w, &ctx, &org)?;
        delete_variable(w, owner, &n)
    })
}
