//! The Keycloak (RHBK) Admin REST client of the identity step (platform-contract.md §1):
//! the master realm admin's token from the `admin-cli` password grant (kept until shortly
//! before it expires, fetched again on a 401), and the realm's users - look up by exact
//! username, create (201 with `Location`, or 409), reset the password, delete - plus the
//! password grant that proves a password is a user's.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

pub use crate::config::KeycloakAccess;

/// What the attendee's Keycloak user looks like when created.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Username (the tenant's).
    pub username: &'a str,
    /// `firstName`.
    pub first_name: &'a str,
    /// `lastName`.
    pub last_name: &'a str,
    /// `email` (verified), if any.
    pub email: Option<&'a str>,
    /// The initial password (not temporary).
    pub password: &'a Secret,
}

/// A Keycloak admin client (cheap to clone; clones share the cached token).
#[derive(Debug, Clone)]
pub struct Keycloak {
    http: reqwest::Client,
    access: KeycloakAccess,
    token: Arc<Mutex<Option<(Secret, Instant)>>>,
    retry: RetryPolicy,
}

impl Keycloak {
    /// A client with bounded timeouts.
    pub fn new(mut access: KeycloakAccess) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|source| Error::Http {
                service: "keycloak",
                action: "build client".into(),
                source,
            })?;
        access.url = access.url.trim_end_matches('/').to_string();
        Ok(Keycloak {
            http,
            access,
            token: Arc::new(Mutex::new(None)),
            retry: RetryPolicy::default(),
        })
    }

    /// The root URL.
    pub fn url(&self) -> &str {
        &self.access.url
    }

    /// A password grant on `realm`'s `admin-cli`: the access token, or `None` when
    /// Keycloak refuses the credentials (401/400).
    pub async fn password_grant(
        &self,
        realm: &str,
        user: &str,
        password: &Secret,
    ) -> Result<Option<(Secret, Duration)>> {
        if password.expose().is_empty() {
            return Ok(None);
        }
        let path = format!("/realms/{realm}/protocol/openid-connect/token");
        let action = format!("POST {path}");
        let form = [
            ("client_id", "admin-cli"),
            ("grant_type", "password"),
            ("username", user),
            ("password", password.expose()),
        ];
        let (status, answer) = self
            .retry
            .run(&action, || async {
                let rb = self
                    .http
                    .post(format!("{}{path}", self.access.url))
                    .form(&form);
                crate::json_api::send("keycloak", &action, rb, None).await
            })
            .await?;
        match status.as_u16() {
            200 => {
                let token = answer["access_token"]
                    .as_str()
                    .ok_or_else(|| remote(&action, status, "answer has no access_token"))?;
                let life = answer["expires_in"].as_u64().unwrap_or(60);
                Ok(Some((Secret::new(token), Duration::from_secs(life))))
            }
            400 | 401 => Ok(None),
            _ => Err(remote(&action, status, &answer.to_string())),
        }
    }

    /// Whether `password` is `user`'s password in `realm` (a token is issued).
    pub async fn password_works(&self, realm: &str, user: &str, password: &Secret) -> Result<bool> {
        Ok(self.password_grant(realm, user, password).await?.is_some())
    }

    /// The admin's token: the cached one while it has ≥ 10 s left, else a new one.
    async fn admin_token(&self, fresh: bool) -> Result<Secret> {
        if !fresh
            && let Some((token, until)) = self.cached()
            && until > Instant::now()
        {
            return Ok(token);
        }
        let (token, life) = self
            .password_grant(
                "master",
                &self.access.admin_user,
                &self.access.admin_password,
            )
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "KEYCLOAK_ADMIN_PASSWORD",
                    "Keycloak refused the admin credentials (master realm, admin-cli)",
                )
            })?;
        let until = Instant::now() + life.saturating_sub(Duration::from_secs(10));
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = Some((token.clone(), until));
        Ok(token)
    }

    fn cached(&self) -> Option<(Secret, Instant)> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// An admin API call (`/admin/realms/…`) with retries; a 401 fetches a new admin
    /// token once. Returns status, `Location` and the JSON body.
    async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Option<String>, Value)> {
        let action = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut fresh = false;
        loop {
            let token = self.admin_token(fresh).await?;
            let answer = self
                .retry
                .run(&action, || async {
                    let mut rb = self
                        .http
                        .request(method.clone(), format!("{}/admin{path}", self.access.url))
                        .bearer_auth(token.expose());
                    if let Some(b) = body {
                        rb = rb.json(b);
                    }
                    let resp = rb.send().await.map_err(|source| Error::Http {
                        service: "keycloak",
                        action: action.clone(),
                        source,
                    })?;
                    let status = resp.status();
                    let location = resp
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let text = resp.text().await.unwrap_or_default();
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                        return Err(remote(&action, status, &text));
                    }
                    Ok((
                        status,
                        location,
                        serde_json::from_str(&text).unwrap_or(Value::Null),
                    ))
                })
                .await?;
            if answer.0 == StatusCode::UNAUTHORIZED && !fresh {
                fresh = true;
                continue;
            }
            return Ok(answer);
        }
    }

    /// The id of `realm`'s user named exactly `username`, if there is one.
    pub async fn user_id(&self, realm: &str, username: &str) -> Result<Option<String>> {
        let path = format!("/realms/{realm}/users?username={username}&exact=true");
        let (status, _, answer) = self.admin(Method::GET, &path, None).await?;
        if status != StatusCode::OK {
            return Err(remote("GET users", status, &answer.to_string()));
        }
        let wanted = username.to_lowercase();
        Ok(answer
            .as_array()
            .into_iter()
            .flatten()
            .find(|u| u["username"].as_str().map(str::to_lowercase).as_deref() == Some(&wanted))
            .and_then(|u| u["id"].as_str())
            .map(str::to_string))
    }

    /// Creates the user with its password: `Some(id)` (from `Location`) on 201, `None`
    /// on 409 (a user of that name or email exists, whoever made it: the caller decides).
    pub async fn create_user(&self, realm: &str, user: &NewUser<'_>) -> Result<Option<String>> {
        let mut body = json!({
            "username": user.username, "enabled": true,
            "firstName": user.first_name, "lastName": user.last_name,
            "credentials": [{ "type": "password", "value": user.password.expose(), "temporary": false }],
        });
        if let Some(email) = user.email {
            body["email"] = json!(email);
            body["emailVerified"] = json!(true);
        }
        let path = format!("/realms/{realm}/users");
        let (status, location, answer) = self.admin(Method::POST, &path, Some(&body)).await?;
        match status.as_u16() {
            201 => location
                .as_deref()
                .and_then(|l| l.rsplit('/').next())
                .filter(|id| !id.is_empty())
                .map(|id| Some(id.to_string()))
                .ok_or_else(|| remote("POST users", status, "201 without a Location")),
            409 => Ok(None),
            _ => Err(remote("POST users", status, &answer.to_string())),
        }
    }

    /// Sets the user's password (not temporary).
    pub async fn reset_password(&self, realm: &str, id: &str, password: &Secret) -> Result<()> {
        let body = json!({ "type": "password", "temporary": false, "value": password.expose() });
        let path = format!("/realms/{realm}/users/{id}/reset-password");
        let (status, _, answer) = self.admin(Method::PUT, &path, Some(&body)).await?;
        match status.as_u16() {
            204 | 200 => Ok(()),
            _ => Err(remote("PUT reset-password", status, &answer.to_string())),
        }
    }

    /// Deletes the user: true when deleted, false when it was already gone (404).
    pub async fn delete_user(&self, realm: &str, id: &str) -> Result<bool> {
        let path = format!("/realms/{realm}/users/{id}");
        let (status, _, answer) = self.admin(Method::DELETE, &path, None).await?;
        match status.as_u16() {
            204 | 200 => Ok(true),
            404 => Ok(false),
            _ => Err(remote("DELETE user", status, &answer.to_string())),
        }
    }
}

fn remote(action: &str, status: StatusCode, text: &str) -> Error {
    crate::json_api::remote("keycloak", action, status, text)
}
