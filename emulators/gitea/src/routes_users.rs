//! Server version, users, organizations and access tokens.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::auth::{Ctx, validate_scopes};
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::routes_admin::{valid_username, valid_visibility};
use super::state::{Token, World, now, random_sha};
use super::{GITEA_VERSION, Shared};

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
        .route("/orgs", axum::routing::post(create_org))
        .route("/orgs/{org}", get(get_org))
        .route("/orgs/{org}/teams/search", get(search_teams))
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

/// Teams are not emulated: an existing organization has none.
async fn search_teams(ctx: Ctx, Path(org): Path<String>) -> Result<Response> {
    ctx.scopes(&["organization"])?;
    ctx.require_user()?;
    ctx.with(|w| {
        w.user(&org)
            .filter(|o| o.is_org)
            .ok_or_else(|| user_missing(&org))?;
        let page = paged(&w.root_url, &ctx.path, &ctx.query, Vec::new());
        Ok((page.headers, Json(json!({"ok": true, "data": page.items}))).into_response())
    })
}
