//! The OpenID Connect side of a realm: the token endpoint's password grant (RS256 access
//! tokens whose audience, scope and lifetime come from the client, plus the `scope` and
//! an `audience` the request may add), the discovery document, the JWKS and userinfo.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use crate::admin::{bearer_claims, host};
use crate::error::KeycloakError;
use crate::store::{ClientSpec, User};
use crate::{Shared, State as Data};

/// The longest form value accepted (usernames, passwords, scopes).
const MAX_FIELD: usize = 1024;

/// `POST /realms/{realm}/protocol/openid-connect/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Json<Value>, KeycloakError> {
    let Form(form) = form.map_err(|e| {
        KeycloakError::oauth(StatusCode::BAD_REQUEST, "invalid_request", &e.body_text())
    })?;
    if form.values().any(|v| v.len() > MAX_FIELD) {
        return Err(bad_request("a parameter is longer than 1024 characters"));
    }
    let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let grant =
        field("grant_type").ok_or_else(|| bad_request("Missing form parameter: grant_type"))?;
    if grant != "password" {
        return Err(KeycloakError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant_type",
        ));
    }
    let base = shared.base_url(host(&headers));
    let now = shared.now();
    let (client, user) = {
        let data = shared.lock();
        let client = client_of(&data, &realm, field("client_id"), field("client_secret"))?;
        let user = password_user(&data, &realm, field("username"), field("password"))?;
        (client, user)
    };
    let lifetime = client
        .lifetime
        .unwrap_or(shared.config.token_lifetime)
        .as_secs() as i64;
    let mut scopes = client.default_scopes.clone();
    for s in field("scope").unwrap_or_default().split_whitespace() {
        if !scopes.iter().any(|have| have == s) {
            scopes.push(s.to_string());
        }
    }
    let mut audience = client.audience.clone();
    if let Some(extra) = field("audience") {
        audience.push(extra.to_string());
    }
    let scope = scopes.join(" ");
    let mut claims = json!({
        "exp": now + lifetime,
        "iat": now,
        "auth_time": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "iss": format!("{base}/realms/{realm}"),
        "aud": if audience.len() == 1 { json!(audience[0]) } else { json!(audience) },
        "sub": user.id,
        "typ": "Bearer",
        "azp": client.client_id,
        "sid": uuid::Uuid::new_v4().to_string(),
        "scope": scope,
        "email_verified": user.email_verified,
        "preferred_username": user.username,
        "name": full_name(&user),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
    });
    // Absent profile fields are left out, as Keycloak's mappers do.
    if let Value::Object(map) = &mut claims {
        map.retain(|_, v| !v.is_null());
    }
    Ok(Json(json!({
        "access_token": shared.key.sign(&claims),
        "expires_in": lifetime,
        "refresh_expires_in": 0,
        "token_type": "Bearer",
        "not-before-policy": 0,
        "scope": scope,
    })))
}

/// The realm's client named by the request, its secret checked when it has one.
fn client_of(
    data: &Data,
    realm: &str,
    client_id: Option<&str>,
    secret: Option<&str>,
) -> Result<ClientSpec, KeycloakError> {
    let r = data.realms.get(realm).ok_or(KeycloakError::RealmNotFound)?;
    let invalid = || {
        KeycloakError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        )
    };
    let client = r
        .clients
        .get(client_id.ok_or_else(invalid)?)
        .ok_or_else(invalid)?;
    match (&client.secret, secret) {
        (None, _) => Ok(client.clone()),
        (Some(want), Some(got)) if want == got => Ok(client.clone()),
        _ => Err(invalid()),
    }
}

/// The user the password grant names, if the password is right and the user may log in.
fn password_user(
    data: &Data,
    realm: &str,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<User, KeycloakError> {
    let bad = || {
        KeycloakError::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "Invalid user credentials",
        )
    };
    let (Some(username), Some(password)) = (username, password) else {
        return Err(bad());
    };
    let r = data.realms.get(realm).ok_or(KeycloakError::RealmNotFound)?;
    let user = r.by_username(username).ok_or_else(bad)?;
    if !user.password_is(password) {
        return Err(bad());
    }
    if !user.enabled {
        return Err(KeycloakError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Account disabled",
        ));
    }
    if user.temporary_password {
        return Err(KeycloakError::oauth(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Account is not fully set up",
        ));
    }
    Ok(user.clone())
}

fn full_name(user: &User) -> Option<String> {
    let parts: Vec<&str> = [&user.first_name, &user.last_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn bad_request(description: &str) -> KeycloakError {
    KeycloakError::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn known_realm(shared: &Shared, realm: &str) -> Result<(), KeycloakError> {
    if shared.lock().realms.contains_key(realm) {
        Ok(())
    } else {
        Err(KeycloakError::RealmNotFound)
    }
}

/// `GET /realms/{realm}/.well-known/openid-configuration`.
pub(crate) async fn discovery(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, KeycloakError> {
    known_realm(&shared, &realm)?;
    let issuer = format!("{}/realms/{realm}", shared.base_url(host(&headers)));
    let oidc = format!("{issuer}/protocol/openid-connect");
    Ok(Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{oidc}/auth"),
        "token_endpoint": format!("{oidc}/token"),
        "userinfo_endpoint": format!("{oidc}/userinfo"),
        "end_session_endpoint": format!("{oidc}/logout"),
        "jwks_uri": format!("{oidc}/certs"),
        "introspection_endpoint": format!("{oidc}/token/introspect"),
        "grant_types_supported": ["password"],
        "response_types_supported": ["code", "none", "id_token", "token", "id_token token",
            "code id_token", "code token", "code id_token token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["aud", "sub", "iss", "auth_time", "name", "given_name",
            "family_name", "preferred_username", "email", "email_verified"],
    })))
}

/// `GET /realms/{realm}/protocol/openid-connect/certs`.
pub(crate) async fn certs(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
) -> Result<Json<Value>, KeycloakError> {
    known_realm(&shared, &realm)?;
    Ok(Json(json!({ "keys": [shared.key.jwk()] })))
}

/// `GET /realms/{realm}/protocol/openid-connect/userinfo` (bearer token of that realm).
pub(crate) async fn userinfo(
    State(shared): State<Arc<Shared>>,
    Path(realm): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, KeycloakError> {
    known_realm(&shared, &realm)?;
    let claims = bearer_claims(&shared, &headers, &realm)?;
    let mut info = serde_json::Map::new();
    for key in [
        "sub",
        "email_verified",
        "name",
        "preferred_username",
        "given_name",
        "family_name",
        "email",
    ] {
        if let Some(v) = claims.get(key).filter(|v| !v.is_null()) {
            info.insert(key.into(), v.clone());
        }
    }
    Ok(Json(Value::Object(info)))
}
