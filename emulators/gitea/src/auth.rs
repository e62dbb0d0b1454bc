//! Who is calling and what they may do, decided as Gitea 1.26 does:
//! `Authorization: token <t>` or `Bearer <t>` (scheme case-insensitive), or Basic auth with
//! a password (all scopes) or a token as either half. Query tokens (`?token=`,
//! `?access_token=`) are ignored as with `DISABLE_QUERY_AUTH_TOKEN = true`, so such a
//! request is anonymous. Token scopes are checked per route category, read for GET/HEAD and
//! write for everything else, with Gitea's 403 message.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine;

use super::Shared;
use super::error::ApiError;
use super::query::Query;
use super::state::{Token, World};

/// The scope categories Gitea knows.
pub(crate) const CATEGORIES: [&str; 9] = [
    "activitypub",
    "admin",
    "issue",
    "misc",
    "notification",
    "organization",
    "package",
    "repository",
    "user",
];

/// Checks token scopes given at creation; Gitea's 400 texts.
pub(crate) fn validate_scopes(scopes: &[String]) -> Result<(), ApiError> {
    if scopes.is_empty() {
        return Err(ApiError::bad_request("access token must have a scope"));
    }
    for scope in scopes {
        let known = scope == "all"
            || scope == "public-only"
            || scope.split_once(':').is_some_and(|(level, cat)| {
                matches!(level, "read" | "write") && CATEGORIES.contains(&cat)
            });
        if !known {
            return Err(ApiError::bad_request(format!(
                "invalid access token scope provided: access token scope `{scope}` is not valid"
            )));
        }
    }
    Ok(())
}

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Anonymous,
    /// Signed in; `scopes` is `None` for password (Basic) authentication.
    User {
        id: i64,
        is_admin: bool,
        scopes: Option<Vec<String>>,
        basic_password: bool,
    },
}

/// Per-request context: shared state, caller, query and path.
pub(crate) struct Ctx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) caller: Caller,
    pub(crate) query: Query,
    pub(crate) path: String,
    write: bool,
}

fn token_caller(world: &World, token: &Token) -> Result<Caller, ApiError> {
    let user = world
        .user_by_id(token.user_id)
        .ok_or_else(|| ApiError::unauthorized("invalid username, password or token"))?;
    check_login_allowed(user, &world.root_url)?;
    Ok(Caller::User {
        id: user.id,
        is_admin: user.is_admin,
        scopes: Some(token.scopes.clone()),
        basic_password: false,
    })
}

/// Gitea's `verifyAuthWithOptions`: inactive or prohibited users and users who must change
/// their password are refused on every API route, whatever the credential.
fn check_login_allowed(user: &super::state::User, root_url: &str) -> Result<(), ApiError> {
    if !user.active || user.prohibit_login {
        return Err(ApiError::forbidden(
            "This account is prohibited from signing in, please contact your site administrator.",
        ));
    }
    if user.must_change_password {
        return Err(ApiError::forbidden(format!(
            "You must change your password. Change it at: {root_url}user/change_password"
        )));
    }
    Ok(())
}

fn find_token<'w>(world: &'w World, value: &str) -> Option<&'w Token> {
    world.tokens.iter().find(|t| t.sha1 == value)
}

/// Resolves the `Authorization` header (if any) to a caller.
pub(crate) fn authenticate(world: &World, authorization: Option<&str>) -> Result<Caller, ApiError> {
    let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(Caller::Anonymous);
    };
    let invalid = || ApiError::unauthorized("invalid username, password or token");
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    let credentials = credentials.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "token" | "bearer" => {
            let token = find_token(world, credentials).ok_or_else(invalid)?;
            token_caller(world, token)
        }
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credentials)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(invalid)?;
            let (login, password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
            if let Some(token) = find_token(world, login).or_else(|| find_token(world, password)) {
                return token_caller(world, token);
            }
            let user = world
                .user(login)
                .filter(|u| !u.is_org && !u.password.is_empty() && u.password == password)
                .ok_or_else(invalid)?;
            check_login_allowed(user, &world.root_url)?;
            Ok(Caller::User {
                id: user.id,
                is_admin: user.is_admin,
                scopes: None,
                basic_password: true,
            })
        }
        _ => Err(invalid()),
    }
}

/// Gitea's `Sudo` header / `sudo` parameter: a site admin acts as another user, keeping
/// the token's scopes.
fn sudo_as(world: &World, caller: Caller, login: &str) -> Result<Caller, ApiError> {
    let Caller::User {
        is_admin: true,
        scopes,
        basic_password,
        ..
    } = caller
    else {
        return Err(ApiError::forbidden("Only administrators allowed to sudo."));
    };
    let user = world.user(login).filter(|u| !u.is_org).ok_or_else(|| {
        ApiError::not_found_err(format!("user redirect does not exist [name: {login}]"))
    })?;
    Ok(Caller::User {
        id: user.id,
        is_admin: user.is_admin,
        scopes,
        basic_password,
    })
}

/// Whether `scopes` grant `level:category` (`write` implies `read`, `all` grants all).
fn has_scope(scopes: &[String], write: bool, category: &str) -> bool {
    scopes.iter().any(|s| {
        s == "all"
            || *s == format!("write:{category}")
            || (!write && *s == format!("read:{category}"))
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx
where
    Arc<Shared>: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let shared: Arc<Shared> = axum::extract::FromRef::from_ref(state);
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let query = Query::parse(parts.uri.query());
        let sudo = parts
            .headers
            .get("sudo")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query.get("sudo").map(str::to_string));
        let caller = shared.with(|world| {
            let caller = authenticate(world, authorization.as_deref())?;
            match sudo {
                Some(login) => sudo_as(world, caller, &login),
                None => Ok(caller),
            }
        })?;
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let write = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        Ok(Self {
            shared,
            caller,
            query,
            path,
            write,
        })
    }
}

impl Ctx {
    /// The signed-in user's id, or Gitea's 401 `token is required`.
    pub(crate) fn require_user(&self) -> Result<i64, ApiError> {
        match &self.caller {
            Caller::User { id, .. } => Ok(*id),
            Caller::Anonymous => Err(ApiError::unauthorized("token is required")),
        }
    }

    pub(crate) fn user_id(&self) -> Option<i64> {
        match &self.caller {
            Caller::User { id, .. } => Some(*id),
            Caller::Anonymous => None,
        }
    }

    pub(crate) fn is_admin(&self) -> bool {
        matches!(self.caller, Caller::User { is_admin: true, .. })
    }

    /// Site admins only (`reqSiteAdmin`).
    pub(crate) fn require_admin(&self) -> Result<i64, ApiError> {
        let id = self.require_user()?;
        if self.is_admin() {
            Ok(id)
        } else {
            Err(ApiError::forbidden("user should be the site admin"))
        }
    }

    /// Basic auth with a password (`reqBasicOrRevProxyAuth`), as token creation needs.
    pub(crate) fn require_basic(&self) -> Result<i64, ApiError> {
        let id = self.require_user()?;
        match self.caller {
            Caller::User {
                basic_password: true,
                ..
            } => Ok(id),
            _ => Err(ApiError::unauthorized("auth method not allowed")),
        }
    }

    /// Gitea's `tokenRequiresScopes`: each category must be granted at the level the
    /// request method implies. Password and anonymous callers pass.
    pub(crate) fn scopes(&self, categories: &[&str]) -> Result<(), ApiError> {
        let Caller::User {
            scopes: Some(scopes),
            ..
        } = &self.caller
        else {
            return Ok(());
        };
        let level = if self.write { "write" } else { "read" };
        for category in categories {
            if !has_scope(scopes, self.write, category) {
                return Err(ApiError::forbidden(format!(
                    "token does not have at least one of required scope(s), required=[{level}:{category}], token scope={}",
                    scopes.join(",")
                )));
            }
        }
        Ok(())
    }

    /// Whether the token is limited to public resources (`public-only`).
    pub(crate) fn public_only(&self) -> bool {
        matches!(&self.caller, Caller::User { scopes: Some(s), .. } if s.iter().any(|x| x == "public-only"))
    }

    /// Runs `f` with the world locked.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        self.shared.with(f)
    }
}
