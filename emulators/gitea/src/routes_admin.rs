//! Site administration of users: list, create, edit, delete (with `purge`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/admin/users",
            get(admin_list_users).post(admin_create_user),
        )
        .route(
            "/admin/users/{username}",
            patch(admin_edit_user).delete(admin_delete_user),
        )
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

fn user_missing(name: &str) -> ApiError {
    ApiError::not_found_err(format!("user redirect does not exist [name: {name}]"))
}

async fn admin_list_users(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["admin"])?;
    ctx.require_admin()?;
    let q = ctx.query.get("q").unwrap_or_default().to_lowercase();
    let is_admin = ctx.query.flag("is_admin");
    let is_active = ctx.query.flag("is_active");
    let login_name = ctx.query.get("login_name").map(str::to_string);
    ctx.with(|w| {
        let users: Vec<Value> = w
            .users
            .iter()
            .filter(|u| !u.is_org)
            .filter(|u| {
                q.is_empty()
                    || u.login.to_lowercase().contains(&q)
                    || u.email.to_lowercase().contains(&q)
            })
            .filter(|u| is_admin.is_none_or(|a| u.is_admin == a))
            .filter(|u| is_active.is_none_or(|a| u.active == a))
            .filter(|u| login_name.as_ref().is_none_or(|l| &u.login_name == l))
            .map(|u| w.user_json(u, true))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, users).into_response())
    })
}

pub(crate) fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with(['-', '.'])
}

pub(crate) fn valid_visibility(v: &str) -> Result<()> {
    if matches!(v, "public" | "limited" | "private") {
        Ok(())
    } else {
        Err(ApiError::unprocessable(format!("[Visibility]: In: {v}")))
    }
}

async fn admin_create_user(ctx: Ctx, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["admin"])?;
    ctx.require_admin()?;
    let body = Body::parse(&bytes)?;
    let username = body.required_str("username")?;
    let email = body.required_str("email")?;
    if !valid_username(&username) {
        return Err(ApiError::unprocessable("[Username]: Invalid username"));
    }
    if !email.contains('@') {
        return Err(ApiError::unprocessable(
            "[Email]: Email is not a valid email address",
        ));
    }
    let visibility = body
        .str("visibility")?
        .unwrap_or_else(|| "public".to_string());
    valid_visibility(&visibility)?;
    let password = body.str("password")?.unwrap_or_default();
    ctx.with(|w| {
        if w.user(&username).is_some() {
            return Err(ApiError::unprocessable(format!(
                "user already exists [name: {username}]"
            )));
        }
        if w.users.iter().any(|u| u.email.eq_ignore_ascii_case(&email)) {
            return Err(ApiError::unprocessable(format!(
                "e-mail already in use [email: {email}]"
            )));
        }
        let user = w.add_user(&username, &email, &password);
        user.must_change_password = body.bool("must_change_password")?.unwrap_or(true);
        user.full_name = body.str("full_name")?.unwrap_or_default();
        user.restricted = body.bool("restricted")?.unwrap_or(false);
        user.visibility = visibility;
        if let Some(login_name) = body.str("login_name")? {
            user.login_name = login_name;
        }
        user.source_id = body.i64("source_id")?.unwrap_or(0);
        let user = user.clone();
        Ok(created(w.user_json(&user, true)))
    })
}

async fn admin_edit_user(
    ctx: Ctx,
    Path(username): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["admin"])?;
    ctx.require_admin()?;
    let body = Body::parse(&bytes)?;
    if let Some(v) = body.str("visibility")? {
        valid_visibility(&v)?;
    }
    ctx.with(|w| {
        if let Some(email) = body.str("email")? {
            let taken = w.users.iter().any(|u| {
                u.email.eq_ignore_ascii_case(&email) && !u.login.eq_ignore_ascii_case(&username)
            });
            if taken {
                return Err(ApiError::unprocessable(format!(
                    "e-mail already in use [email: {email}]"
                )));
            }
        }
        let user = w
            .user_mut(&username)
            .filter(|u| !u.is_org)
            .ok_or_else(|| user_missing(&username))?;
        macro_rules! set {
            ($field:ident, $getter:ident) => {
                if let Some(v) = body.$getter(stringify!($field))? {
                    user.$field = v;
                }
            };
        }
        set!(email, str);
        set!(password, str);
        set!(full_name, str);
        set!(login_name, str);
        set!(source_id, i64);
        set!(must_change_password, bool);
        set!(active, bool);
        set!(restricted, bool);
        set!(prohibit_login, bool);
        set!(visibility, str);
        set!(location, str);
        set!(website, str);
        set!(description, str);
        if let Some(admin) = body.bool("admin")? {
            user.is_admin = admin;
        }
        let user = user.clone();
        Ok(Json(w.user_json(&user, true)))
    })
}

async fn admin_delete_user(ctx: Ctx, Path(username): Path<String>) -> Result<StatusCode> {
    ctx.scopes(&["admin"])?;
    let doer = ctx.require_admin()?;
    let purge = ctx.query.flag("purge").unwrap_or(false);
    ctx.with(|w| {
        let user = w.user(&username).ok_or_else(|| user_missing(&username))?;
        let uid = user.id;
        if user.is_org {
            return Err(ApiError::unprocessable("user is an organization"));
        }
        if uid == doer {
            return Err(ApiError::unprocessable("you can not delete yourself"));
        }
        let owned = w.repos.iter().filter(|r| r.owner_id == uid).count();
        if owned > 0 && !purge {
            return Err(ApiError::unprocessable(format!(
                "user still has ownership of repositories [uid: {uid}, count: {owned}]"
            )));
        }
        w.repos.retain(|r| r.owner_id != uid);
        w.tokens.retain(|t| t.user_id != uid);
        w.users.retain(|u| u.id != uid);
        for org in w.users.iter_mut().filter(|u| u.is_org) {
            org.members.retain(|m| *m != uid);
        }
        Ok(StatusCode::NO_CONTENT)
    })
}
