//! Who is calling: the bearer token of a request checked as Keycloak does - our
//! signature, not expired, issued by the expected realm, for a user that still exists and
//! is enabled. The admin API also requires that user to be the master realm's admin.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST};
use serde_json::{Map, Value};

use crate::error::KeycloakError;
use crate::{MASTER_REALM, Shared};

/// The claims of the request's bearer token, if it was issued by `realm` and is valid now.
pub(crate) fn bearer_claims(
    shared: &Shared,
    headers: &HeaderMap,
    realm: &str,
) -> Result<Map<String, Value>, KeycloakError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(KeycloakError::Unauthorized)?;
    let claims = shared
        .key
        .verify(token)
        .ok_or(KeycloakError::Unauthorized)?;
    let expires = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if expires <= shared.now() {
        return Err(KeycloakError::Unauthorized);
    }
    let issuer = format!("{}/realms/{realm}", shared.base_url(host(headers)));
    if claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str()) {
        return Err(KeycloakError::Unauthorized);
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let alive = shared
        .lock()
        .realms
        .get(realm)
        .and_then(|r| r.users.get(sub))
        .is_some_and(|u| u.enabled);
    if !alive {
        return Err(KeycloakError::Unauthorized);
    }
    Ok(claims)
}

/// Passes only for a valid token of the master realm's admin. A valid token of a plain
/// user (of the master realm or of `realm`, the realm being administered) is 403.
pub(crate) fn require_admin(
    shared: &Shared,
    headers: &HeaderMap,
    realm: &str,
) -> Result<(), KeycloakError> {
    let claims = match bearer_claims(shared, headers, MASTER_REALM) {
        Ok(claims) => claims,
        Err(e) => {
            return match bearer_claims(shared, headers, realm) {
                Ok(_) => Err(KeycloakError::Forbidden),
                Err(_) => Err(e),
            };
        }
    };
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let admin = shared
        .lock()
        .realms
        .get(MASTER_REALM)
        .and_then(|r| r.users.get(sub))
        .is_some_and(|u| u.admin);
    if admin {
        Ok(())
    } else {
        Err(KeycloakError::Forbidden)
    }
}

/// The request's `Host`.
pub(crate) fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(HOST).and_then(|v| v.to_str().ok())
}
