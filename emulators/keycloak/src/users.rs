//! The Admin REST API's users of a realm (`/admin/realms/{realm}/users…`): create (201 with
//! `Location`, 409 on a taken username or email), list with Keycloak's `username`,
//! `email`, `search`, `exact`, `first` and `max` filters, get, delete and reset-password.
//! Every route requires the master realm admin's token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::admin::{host, require_admin};
use crate::error::KeycloakError;
use crate::store::{Realm, User};
use crate::{Shared, new_user};

/// The longest username, email or name accepted (Keycloak's column size).
const MAX_ATTRIBUTE: usize = 255;

/// `POST /admin/realms/{realm}/users`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, KeycloakError> {
    require_admin(&shared, &headers, &realm)?;
    let Json(body) = body.map_err(KeycloakError::body)?;
    let username = text(&body, "username")?
        .ok_or_else(|| KeycloakError::field("username", "Please specify username."))?;
    let email = text(&body, "email")?;
    let mut user = new_user(&username, None, false);
    user.enabled = flag(&body, "enabled")?.unwrap_or(false);
    user.email_verified = flag(&body, "emailVerified")?.unwrap_or(false);
    user.first_name = text(&body, "firstName")?;
    user.last_name = text(&body, "lastName")?;
    user.email = email.clone();
    if let Some((value, temporary)) = password_credential(&body)? {
        user.password = Some(value);
        user.temporary_password = temporary;
    }
    let id = user.id.clone();
    {
        let mut data = shared.lock();
        let r = realm_mut(&mut data.realms, &realm)?;
        if r.by_username(&username).is_some() {
            return Err(KeycloakError::Conflict("username"));
        }
        if email.as_deref().is_some_and(|e| r.by_email(e).is_some()) {
            return Err(KeycloakError::Conflict("email"));
        }
        r.users.insert(id.clone(), user);
    }
    let location = format!(
        "{}/admin/realms/{realm}/users/{id}",
        shared.base_url(host(&headers))
    );
    Ok((StatusCode::CREATED, [(LOCATION, location)]).into_response())
}

/// `GET /admin/realms/{realm}/users`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Value>>, KeycloakError> {
    require_admin(&shared, &headers, &realm)?;
    let exact = query.get("exact").is_some_and(|v| v == "true");
    let number = |key: &'static str, default: usize| -> Result<usize, KeycloakError> {
        query.get(key).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| KeycloakError::field(key, format!("{v:?} is not a number")))
        })
    };
    let (first, max) = (number("first", 0)?, number("max", 100)?);
    let matches = |have: Option<&str>, want: Option<&String>| match want {
        None => true,
        Some(w) => {
            let (have, w) = (have.unwrap_or_default().to_lowercase(), w.to_lowercase());
            if exact { have == w } else { have.contains(&w) }
        }
    };
    let data = shared.lock();
    let r = data
        .realms
        .get(&realm)
        .ok_or(KeycloakError::RealmNotFound)?;
    let mut found: Vec<&User> = r
        .users
        .values()
        .filter(|u| matches(Some(&u.username), query.get("username")))
        .filter(|u| matches(u.email.as_deref(), query.get("email")))
        .filter(|u| match query.get("search") {
            None => true,
            Some(s) => {
                let s = s.trim_matches('*').to_lowercase();
                u.username.contains(&s)
                    || u.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(&s))
            }
        })
        .collect();
    found.sort_by(|a, b| a.username.cmp(&b.username));
    Ok(Json(
        found
            .into_iter()
            .skip(first)
            .take(max)
            .map(User::representation)
            .collect(),
    ))
}

/// `GET /admin/realms/{realm}/users/{id}`.
pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, KeycloakError> {
    require_admin(&shared, &headers, &realm)?;
    let data = shared.lock();
    let r = data
        .realms
        .get(&realm)
        .ok_or(KeycloakError::RealmNotFound)?;
    let user = r.users.get(&id).ok_or(KeycloakError::UserNotFound)?;
    Ok(Json(user.representation()))
}

/// `DELETE /admin/realms/{realm}/users/{id}`: 204, or 404 when there is no such user.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, KeycloakError> {
    require_admin(&shared, &headers, &realm)?;
    let mut data = shared.lock();
    let r = realm_mut(&mut data.realms, &realm)?;
    r.users.remove(&id).ok_or(KeycloakError::UserNotFound)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /admin/realms/{realm}/users/{id}/reset-password` with a `CredentialRepresentation`.
pub(crate) async fn reset_password(
    State(shared): State<Arc<Shared>>,
    Path((realm, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, KeycloakError> {
    require_admin(&shared, &headers, &realm)?;
    let Json(body) = body.map_err(KeycloakError::body)?;
    let (value, temporary) = credential(&body)?;
    let mut data = shared.lock();
    let r = realm_mut(&mut data.realms, &realm)?;
    let user = r.users.get_mut(&id).ok_or(KeycloakError::UserNotFound)?;
    user.password = Some(value);
    user.temporary_password = temporary;
    Ok(StatusCode::NO_CONTENT)
}

fn realm_mut<'a>(
    realms: &'a mut std::collections::BTreeMap<String, Realm>,
    realm: &str,
) -> Result<&'a mut Realm, KeycloakError> {
    realms.get_mut(realm).ok_or(KeycloakError::RealmNotFound)
}

/// A string attribute of the body: absent or null is `None`; empty, too long or not a
/// string is a 400 naming it.
fn text(body: &Value, key: &'static str) -> Result<Option<String>, KeycloakError> {
    match &body[key] {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Err(KeycloakError::field(
            key,
            format!("{key} must not be empty"),
        )),
        Value::String(s) if s.len() > MAX_ATTRIBUTE => Err(KeycloakError::field(
            key,
            format!("{key} is longer than {MAX_ATTRIBUTE} characters"),
        )),
        Value::String(s) => Ok(Some(s.trim().to_string())),
        _ => Err(KeycloakError::field(key, format!("{key} must be a string"))),
    }
}

fn flag(body: &Value, key: &'static str) -> Result<Option<bool>, KeycloakError> {
    match &body[key] {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        _ => Err(KeycloakError::field(
            key,
            format!("{key} must be a boolean"),
        )),
    }
}

/// The first `password` entry of `credentials`, if any.
fn password_credential(body: &Value) -> Result<Option<(String, bool)>, KeycloakError> {
    match &body["credentials"] {
        Value::Null => Ok(None),
        Value::Array(list) => list
            .iter()
            .find(|c| c["type"] == "password")
            .map(credential)
            .transpose(),
        _ => Err(KeycloakError::field(
            "credentials",
            "credentials must be an array",
        )),
    }
}

/// `{type: "password", value, temporary}`.
fn credential(body: &Value) -> Result<(String, bool), KeycloakError> {
    if !body["type"].is_null() && body["type"] != "password" {
        return Err(KeycloakError::field(
            "type",
            "only type password is supported",
        ));
    }
    let value = match &body["value"] {
        Value::String(v) if !v.is_empty() && v.len() <= MAX_ATTRIBUTE => v.clone(),
        _ => {
            return Err(KeycloakError::field(
                "value",
                "the password value must be a non-empty string of at most 255 characters",
            ));
        }
    };
    let temporary = match &body["temporary"] {
        Value::Null => false,
        Value::Bool(b) => *b,
        _ => {
            return Err(KeycloakError::field(
                "temporary",
                "temporary must be a boolean",
            ));
        }
    };
    Ok((value, temporary))
}
