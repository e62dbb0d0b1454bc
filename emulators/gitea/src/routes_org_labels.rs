//! Organization labels (`/orgs/{org}/labels`): listed to anyone who can see the org,
//! written by its members (the emulator's org members are owners), and usable on the
//! issues of every repository of the org (see `World::usable_labels`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::Shared;
use super::access::parse_id;
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::routes_labels::{apply_edit, edited_color, new_label, normalize_color};
use super::state::World;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/orgs/{org}/labels", get(list).post(create))
        .route(
            "/orgs/{org}/labels/{id}",
            get(get_one).patch(edit).delete(remove),
        )
}

/// The org's user id and login; 404 when it does not exist, is a user, or is private
/// to the caller. With `write`, the caller must be a member (or a site admin): 403.
fn find_org(w: &World, ctx: &Ctx, name: &str, write: bool) -> Result<(i64, String)> {
    let missing =
        || ApiError::not_found_err(format!("user redirect does not exist [name: {name}]"));
    let org = w.user(name).filter(|u| u.is_org).ok_or_else(missing)?;
    let member = ctx
        .user_id()
        .is_some_and(|uid| org.members.contains(&uid) || ctx.is_admin());
    let visible = match org.visibility.as_str() {
        "public" => true,
        "limited" => ctx.user_id().is_some(),
        _ => member,
    };
    if !visible {
        return Err(missing());
    }
    if write {
        ctx.require_user()?;
        if !member {
            return Err(ApiError::forbidden("Must be an organization owner"));
        }
    }
    Ok((org.id, org.login.clone()))
}

fn label_pos(w: &World, org: i64, raw: &str) -> Result<usize> {
    let id = parse_id(raw)?;
    w.org_labels
        .iter()
        .position(|(o, l)| *o == org && l.id == id)
        .ok_or_else(|| ApiError::not_found_err(format!("label does not exist [label_id: {id}]")))
}

async fn list(ctx: Ctx, Path(org): Path<String>) -> Result<Response> {
    ctx.scopes(&["organization"])?;
    ctx.with(|w| {
        let (id, login) = find_org(w, &ctx, &org, false)?;
        let items = w
            .org_labels
            .iter()
            .filter(|(o, _)| *o == id)
            .map(|(_, l)| w.org_label_json(&login, l))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn get_one(ctx: Ctx, Path((org, raw)): Path<(String, String)>) -> Result<Json<Value>> {
    ctx.scopes(&["organization"])?;
    ctx.with(|w| {
        let (id, login) = find_org(w, &ctx, &org, false)?;
        let pos = label_pos(w, id, &raw)?;
        let (_, label) = w.org_labels.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(w.org_label_json(&login, label)))
    })
}

async fn create(ctx: Ctx, Path(org): Path<String>, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["organization"])?;
    let body = Body::parse(&bytes)?;
    let name = body.required_str("name")?;
    let color = normalize_color(&body.required_str("color")?)?;
    ctx.with(|w| {
        let (org_id, login) = find_org(w, &ctx, &org, true)?;
        let label = new_label(w.next_id(), name, color, &body)?;
        let out = w.org_label_json(&login, &label);
        w.org_labels.push((org_id, label));
        Ok((StatusCode::CREATED, Json(out)).into_response())
    })
}

async fn edit(
    ctx: Ctx,
    Path((org, raw)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["organization"])?;
    let body = Body::parse(&bytes)?;
    let color = edited_color(&body)?;
    ctx.with(|w| {
        let (org_id, login) = find_org(w, &ctx, &org, true)?;
        let pos = label_pos(w, org_id, &raw)?;
        let (_, label) = w.org_labels.get_mut(pos).ok_or_else(ApiError::not_found)?;
        apply_edit(label, &body, color)?;
        let label = label.clone();
        Ok(Json(w.org_label_json(&login, &label)))
    })
}

async fn remove(ctx: Ctx, Path((org, raw)): Path<(String, String)>) -> Result<StatusCode> {
    ctx.scopes(&["organization"])?;
    ctx.with(|w| {
        let (org_id, _) = find_org(w, &ctx, &org, true)?;
        let pos = label_pos(w, org_id, &raw)?;
        let (_, removed) = w.org_labels.remove(pos);
        for repo in w.repos.iter_mut().filter(|r| r.owner_id == org_id) {
            for issue in &mut repo.issues {
                issue.labels.retain(|l| *l != removed.id);
            }
        }
        Ok(StatusCode::NO_CONTENT)
    })
}
