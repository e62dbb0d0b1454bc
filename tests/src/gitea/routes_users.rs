//! Server version, users, organizations, access tokens and site-admin user management.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::auth::{Ctx, validate_scopes};
use super::body::Body;
use super::error::ApiError;
use super::paging::paged;
use super::state::{Token, World, now, random_sha};
use super::{GITEA_VERSION, Shared};

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/version", get(version))
        .route("/user", get(current_user))
        .route("/user/orgs", get(my_orgs))
        .route("/users/search", get(search_users))
        .route("/users/{username}", get(get_user))
        .route(
            "/users/{username}/tokens",
            get(list_tokens).post(create_token),
        )
        .route("/users/{username}/tokens/{token}", delete(delete_token))
        .route(
            "/admin/users",
            get(admin_list_users).post(admin_create_user),
        )
        .route(
            "/admin/users/{username}",
            patch(admin_edit_user).delete(admin_delete_user),
        )
        .route("/orgs", axum::routing::post(create_org))
        .route("/orgs/{org}", get(get_org))
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

fn user_missing(name: &str) -> ApiError {
    ApiError::not_found_err(format!("user redirect does not exist [name: {name}]"))
}

async fn version() -> Json<Value> {
    Json(json!({ "version": GITEA_VERSION }))
}

async fn current_user(ctx: Ctx) -> Result<Json<Value>> {
    ctx.scopes(&["user"])?;
    let id = ctx.require_user()?;
    ctx.with(|w| {
        let user = w.user_by_id(id).ok_or_else(|| user_missing(""))?;
        Ok(Json(w.user_json(user, true)))
    })
}

async fn my_orgs(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["user", "organization"])?;
    let id = ctx.require_user()?;
    ctx.with(|w| {
        let orgs: Vec<Value> = w
            .users
            .iter()
            .filter(|u| u.is_org && u.members.contains(&id))
            .map(|o| w.org_json(o))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, orgs).into_response())
    })
}

/// Whether the caller sees real emails: any signed-in caller does, as in Gitea with the
/// default `KeepEmailPrivate = false`; anonymous callers get `<login>@noreply.localhost`.
fn sees_private(ctx: &Ctx, _user_id: i64) -> bool {
    ctx.user_id().is_some()
}

async fn search_users(ctx: Ctx) -> Result<Response> {
    ctx.scopes(&["user"])?;
    let q = ctx.query.get("q").unwrap_or_default().to_lowercase();
    let uid = ctx.query.get("uid").and_then(|u| u.parse::<i64>().ok());
    ctx.with(|w| {
        let users: Vec<Value> = w
            .users
            .iter()
            .filter(|u| !u.is_org)
            .filter(|u| u.visibility == "public" || ctx.user_id().is_some())
            .filter(|u| uid.is_none_or(|id| u.id == id))
            .filter(|u| {
                q.is_empty()
                    || u.login.to_lowercase().contains(&q)
                    || u.full_name.to_lowercase().contains(&q)
            })
            .map(|u| w.user_json(u, sees_private(&ctx, u.id)))
            .collect();
        let page = paged(&w.root_url, &ctx.path, &ctx.query, users);
        Ok((
            page.headers,
            Json(json!({ "ok": true, "data": page.items })),
        )
            .into_response())
    })
}

async fn get_user(ctx: Ctx, Path(username): Path<String>) -> Result<Json<Value>> {
    ctx.scopes(&["user"])?;
    ctx.with(|w| {
        let user = w
            .user(&username)
            .filter(|u| u.visibility == "public" || ctx.user_id().is_some())
            .ok_or_else(|| user_missing(&username))?;
        Ok(Json(w.user_json(user, sees_private(&ctx, user.id))))
    })
}

/// `reqSelfOrAdmin` on `/users/{username}/tokens`, after Basic auth.
fn token_owner(w: &World, ctx: &Ctx, username: &str) -> Result<i64> {
    let doer = ctx.require_basic()?;
    let user = w.user(username).ok_or_else(|| user_missing(username))?;
    if user.id != doer && !ctx.is_admin() {
        return Err(ApiError::forbidden(
            "doer should be the site admin or be same as the contextUser",
        ));
    }
    Ok(user.id)
}

async fn list_tokens(ctx: Ctx, Path(username): Path<String>) -> Result<Response> {
    ctx.scopes(&["user"])?;
    ctx.with(|w| {
        let uid = token_owner(w, &ctx, &username)?;
        let tokens: Vec<Value> = w
            .tokens
            .iter()
            .filter(|t| t.user_id == uid)
            .map(|t| World::token_json(t, false))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, tokens).into_response())
    })
}

async fn create_token(ctx: Ctx, Path(username): Path<String>, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["user"])?;
    let body = Body::parse(&bytes)?;
    ctx.with(|w| {
        let uid = token_owner(w, &ctx, &username)?;
        let name = body.required_str("name")?;
        let mut scopes = body.strings("scopes")?.unwrap_or_default();
        scopes.dedup();
        if w.tokens.iter().any(|t| t.user_id == uid && t.name == name) {
            return Err(ApiError::bad_request(
                "access token name has been used already",
            ));
        }
        validate_scopes(&scopes)?;
        let token = Token {
            id: w.next_id(),
            user_id: uid,
            name,
            sha1: random_sha(),
            scopes,
            created: now(),
        };
        let out = World::token_json(&token, true);
        w.tokens.push(token);
        Ok(created(out))
    })
}

async fn delete_token(
    ctx: Ctx,
    Path((username, token)): Path<(String, String)>,
) -> Result<StatusCode> {
    ctx.scopes(&["user"])?;
    ctx.with(|w| {
        let uid = token_owner(w, &ctx, &username)?;
        let by_id = token.parse::<i64>().ok();
        let matches: Vec<i64> = w
            .tokens
            .iter()
            .filter(|t| t.user_id == uid && (Some(t.id) == by_id || t.name == token))
            .map(|t| t.id)
            .collect();
        match matches.as_slice() {
            [] => Err(ApiError::not_found_err(format!(
                "access token does not exist [id: {}]",
                by_id.unwrap_or(0)
            ))),
            [id] => {
                w.tokens.retain(|t| t.id != *id);
                Ok(StatusCode::NO_CONTENT)
            }
            _ => Err(ApiError::unprocessable(format!(
                "multiple matches for token name '{token}'"
            ))),
        }
    })
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

fn valid_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with(['-', '.'])
}

fn valid_visibility(v: &str) -> Result<()> {
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

async fn create_org(ctx: Ctx, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["organization"])?;
    let doer = ctx.require_user()?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("username")?;
    if !valid_username(&name) {
        return Err(ApiError::unprocessable("[UserName]: Invalid username"));
    }
    let visibility = body
        .str("visibility")?
        .unwrap_or_else(|| "public".to_string());
    valid_visibility(&visibility)?;
    ctx.with(|w| {
        if w.user(&name).is_some() {
            return Err(ApiError::unprocessable(format!(
                "user already exists [name: {name}]"
            )));
        }
        let org = w.add_user(&name, &body.str("email")?.unwrap_or_default(), "");
        org.is_org = true;
        org.members = vec![doer];
        org.visibility = visibility;
        org.full_name = body.str("full_name")?.unwrap_or_default();
        org.description = body.str("description")?.unwrap_or_default();
        org.website = body.str("website")?.unwrap_or_default();
        org.location = body.str("location")?.unwrap_or_default();
        let org = org.clone();
        Ok(created(w.org_json(&org)))
    })
}

async fn get_org(ctx: Ctx, Path(org): Path<String>) -> Result<Json<Value>> {
    ctx.scopes(&["organization"])?;
    ctx.with(|w| {
        let found = w
            .user(&org)
            .filter(|o| o.is_org)
            .filter(|o| {
                o.visibility == "public"
                    || ctx
                        .user_id()
                        .is_some_and(|id| o.members.contains(&id) || ctx.is_admin())
            })
            .ok_or_else(|| user_missing(&org))?;
        Ok(Json(w.org_json(found)))
    })
}
