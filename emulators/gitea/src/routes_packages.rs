//! Packages of a user or organization (created by tests with `GiteaEmulator::add_package`):
//! listing with `type`/`q`, the versions of one package, one version, and deleting a
//! version (the owner, an organization member or a site admin may).

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::Shared;
use super::auth::Ctx;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::state::{User, World};
use super::state_extra::Package;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/packages/{owner}", get(list_packages))
        .route("/packages/{owner}/{type}/{name}", get(list_versions))
        .route(
            "/packages/{owner}/{type}/{name}/{version}",
            get(get_version).delete(delete_version),
        )
}

fn package_json(w: &World, p: &Package) -> Value {
    let owner = w.user_by_id(p.owner_id);
    let login = owner.map(|u| u.login.clone()).unwrap_or_default();
    json!({
        "id": p.id,
        "owner": owner.map(|u| w.user_json(u, false)).unwrap_or(Value::Null),
        "repository": Value::Null,
        "creator": w.user_ref(p.creator_id),
        "type": p.kind,
        "name": p.name,
        "version": p.version,
        "html_url": format!("{}{login}/-/packages/{}/{}/{}", w.root_url, p.kind, p.name, p.version),
        "created_at": p.created.to_string(),
    })
}

/// The owner, if the caller may see its packages (private owners: members and admins).
fn owner<'w>(w: &'w World, ctx: &Ctx, login: &str) -> Result<&'w User> {
    let user = w.user(login).ok_or_else(|| {
        ApiError::not_found_err(format!("user redirect does not exist [name: {login}]"))
    })?;
    if user.visibility == "private" && !may_write(ctx, user) {
        return Err(ApiError::not_found());
    }
    Ok(user)
}

fn may_write(ctx: &Ctx, owner: &User) -> bool {
    ctx.user_id()
        .is_some_and(|uid| ctx.is_admin() || uid == owner.id || owner.members.contains(&uid))
}

async fn list_packages(ctx: Ctx, Path(login): Path<String>) -> Result<Response> {
    ctx.scopes(&["package"])?;
    let kind = ctx.query.get("type").map(str::to_string);
    let q = ctx.query.get("q").map(str::to_lowercase);
    ctx.with(|w| {
        let id = owner(w, &ctx, &login)?.id;
        let items = w
            .extra
            .packages
            .iter()
            .filter(|p| p.owner_id == id)
            .filter(|p| kind.as_ref().is_none_or(|k| &p.kind == k))
            .filter(|p| q.as_ref().is_none_or(|q| p.name.to_lowercase().contains(q)))
            .map(|p| package_json(w, p))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

type PackagePath = Path<(String, String, String)>;
type VersionPath = Path<(String, String, String, String)>;

async fn list_versions(ctx: Ctx, Path((login, kind, name)): PackagePath) -> Result<Response> {
    ctx.scopes(&["package"])?;
    ctx.with(|w| {
        let id = owner(w, &ctx, &login)?.id;
        let items: Vec<Value> = w
            .extra
            .packages
            .iter()
            .filter(|p| p.owner_id == id && p.kind == kind && p.name == name)
            .map(|p| package_json(w, p))
            .collect();
        if items.is_empty() {
            return Err(ApiError::not_found_err("package does not exist"));
        }
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

fn version_pos(
    w: &World,
    owner_id: i64,
    (kind, name, version): (&str, &str, &str),
) -> Result<usize> {
    w.extra
        .packages
        .iter()
        .position(|p| {
            p.owner_id == owner_id && p.kind == kind && p.name == name && p.version == version
        })
        .ok_or_else(|| ApiError::not_found_err("package does not exist"))
}

async fn get_version(
    ctx: Ctx,
    Path((login, kind, name, version)): VersionPath,
) -> Result<Json<Value>> {
    ctx.scopes(&["package"])?;
    ctx.with(|w| {
        let id = owner(w, &ctx, &login)?.id;
        let pos = version_pos(w, id, (&kind, &name, &version))?;
        let p = w.extra.packages.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(package_json(w, p)))
    })
}

async fn delete_version(
    ctx: Ctx,
    Path((login, kind, name, version)): VersionPath,
) -> Result<StatusCode> {
    ctx.scopes(&["package"])?;
    ctx.require_user()?;
    ctx.with(|w| {
        let user = owner(w, &ctx, &login)?;
        if !may_write(&ctx, user) {
            return Err(ApiError::forbidden(
                "you are not allowed to delete this package",
            ));
        }
        let pos = version_pos(w, user.id, (&kind, &name, &version))?;
        w.extra.packages.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}
