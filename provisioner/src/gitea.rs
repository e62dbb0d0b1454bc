//! The Gitea admin calls a tenant needs (gitea-mcp.md §3.2): create the user (never take
//! over an existing one: the caller checks the user's id against the tenant's state),
//! migrate the lab repository and give it a `broken` branch, issue a scoped token for the
//! MCP server, and purge the user on destroy.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::config::{GiteaAccess, Secret};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// Name of the MCP server's token.
pub const TOKEN_NAME: &str = "mcp";
/// Scopes of that token: read the user and repositories, read and write issues.
pub const TOKEN_SCOPES: [&str; 4] = ["read:user", "read:repository", "read:issue", "write:issue"];

/// A Gitea admin client.
#[derive(Debug, Clone)]
pub struct Gitea {
    http: reqwest::Client,
    access: GiteaAccess,
    retry: RetryPolicy,
}

enum Auth<'a> {
    Admin,
    User(&'a str, &'a Secret),
    Token(&'a Secret),
}

impl Gitea {
    /// A client with a per-request timeout.
    pub fn new(access: GiteaAccess) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|source| Error::Http {
                service: "gitea",
                action: "build client".into(),
                source,
            })?;
        Ok(Gitea {
            http,
            access,
            retry: RetryPolicy::default(),
        })
    }

    /// The public root URL.
    pub fn url(&self) -> &str {
        &self.access.url
    }

    fn request(&self, method: Method, path: &str, auth: &Auth<'_>) -> RequestBuilder {
        let rb = self
            .http
            .request(method, format!("{}/api/v1{path}", self.access.url));
        match auth {
            Auth::Admin => match (&self.access.admin_password, &self.access.admin_token) {
                (Some(pw), _) => rb.basic_auth(&self.access.admin_user, Some(pw.expose())),
                (None, Some(tok)) => rb.header("Authorization", format!("token {}", tok.expose())),
                (None, None) => rb,
            },
            Auth::User(user, pw) => rb.basic_auth(user, Some(pw.expose())),
            Auth::Token(tok) => rb.header("Authorization", format!("token {}", tok.expose())),
        }
    }

    /// Sends with retries on transient failures; returns status and JSON body (or Null).
    async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value)> {
        let action = format!("{method} {}", path.split('?').next().unwrap_or(path));
        self.retry
            .run(&action, || async {
                let rb = self.request(method.clone(), path, &auth);
                crate::json_api::send("gitea", &action, rb, body).await
            })
            .await
    }

    /// Creates the user; `None` when a user of that name already exists (whoever made it:
    /// the caller decides, from the tenant's state, whether it is ours).
    pub async fn create_user(&self, user: &str, password: &Secret) -> Result<Option<i64>> {
        let body = json!({ "username": user, "email": format!("{user}@demo.redhat.com"),
            "password": password.expose(), "must_change_password": false });
        let (status, answer) = self
            .call(Method::POST, "/admin/users", Auth::Admin, Some(&body))
            .await?;
        match status.as_u16() {
            201 => answer["id"]
                .as_i64()
                .map(Some)
                .ok_or_else(|| remote("POST /admin/users", status, "answer has no id")),
            422 | 409 => Ok(None),
            _ => expect("POST /admin/users", status, &answer, &[201]).map(|_| None),
        }
    }

    /// Sets the password of a user the provisioner created (so the tenant's known
    /// password is valid again after someone changed it).
    pub async fn reset_password(&self, user: &str, password: &Secret) -> Result<()> {
        let body = json!({ "login_name": user, "source_id": 0,
            "password": password.expose(), "must_change_password": false });
        let path = format!("/admin/users/{user}");
        let (status, answer) = self
            .call(Method::PATCH, &path, Auth::Admin, Some(&body))
            .await?;
        expect(&format!("PATCH {path}"), status, &answer, &[200])
    }

    /// Whether `password` authenticates as `user` (basic auth on `GET /user`).
    pub async fn password_works(&self, user: &str, password: &Secret) -> Result<bool> {
        if password.expose().is_empty() {
            return Ok(false);
        }
        let (status, answer) = self
            .call(Method::GET, "/user", Auth::User(user, password), None)
            .await?;
        Ok(status == StatusCode::OK && answer["login"].as_str() == Some(user))
    }

    /// The user's numeric id, or `None` when there is no such user.
    pub async fn user_id(&self, user: &str) -> Result<Option<i64>> {
        let path = format!("/users/{user}");
        let (status, answer) = self.call(Method::GET, &path, Auth::Admin, None).await?;
        match status.as_u16() {
            200 => Ok(answer["id"].as_i64()),
            404 => Ok(None),
            _ => expect(&format!("GET {path}"), status, &answer, &[200]).map(|_| None),
        }
    }

    /// Migrates the lab repository into the user's account (an existing repo is kept)
    /// and makes sure it has a `broken` branch missing `broken_file`.
    pub async fn ensure_repo(
        &self,
        user: &str,
        repo: &str,
        source: &str,
        broken_file: &str,
    ) -> Result<()> {
        let path = format!("/repos/{user}/{repo}");
        let (status, _) = self.call(Method::GET, &path, Auth::Admin, None).await?;
        if status == StatusCode::NOT_FOUND {
            let body = json!({ "clone_addr": source, "repo_name": repo, "repo_owner": user,
                "mirror": false, "private": false, "service": "git" });
            let (status, answer) = self
                .call(Method::POST, "/repos/migrate", Auth::Admin, Some(&body))
                .await?;
            if status != StatusCode::CONFLICT {
                expect("POST /repos/migrate", status, &answer, &[201])?;
            }
        }
        let branch = format!("{path}/branches/broken");
        let (status, _) = self.call(Method::GET, &branch, Auth::Admin, None).await?;
        if status == StatusCode::OK {
            return Ok(());
        }
        let body = json!({ "new_branch_name": "broken", "old_branch_name": "main" });
        let (status, answer) = self
            .call(
                Method::POST,
                &format!("{path}/branches"),
                Auth::Admin,
                Some(&body),
            )
            .await?;
        if status != StatusCode::CONFLICT {
            expect("POST branches", status, &answer, &[201])?;
        }
        self.remove_file(&path, broken_file).await
    }

    /// Deletes `file` on the `broken` branch so the build fails at its COPY.
    async fn remove_file(&self, repo_path: &str, file: &str) -> Result<()> {
        let path = format!("{repo_path}/contents/{file}?ref=broken");
        let (status, answer) = self.call(Method::GET, &path, Auth::Admin, None).await?;
        if status == StatusCode::NOT_FOUND {
            tracing::warn!(
                file,
                "file to remove on the broken branch is absent; branch left as is"
            );
            return Ok(());
        }
        expect("GET contents", status, &answer, &[200])?;
        let sha = answer["sha"].as_str().unwrap_or_default().to_string();
        let body = json!({ "sha": sha, "branch": "broken",
            "message": format!("Remove {file}: the lab's failing build") });
        let path = format!("{repo_path}/contents/{file}");
        let (status, answer) = self
            .call(Method::DELETE, &path, Auth::Admin, Some(&body))
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        expect("DELETE contents", status, &answer, &[200, 204])
    }

    /// Whether `token` still authenticates as `user`.
    pub async fn token_works(&self, user: &str, token: &Secret) -> Result<bool> {
        if token.expose().is_empty() {
            return Ok(false);
        }
        let (status, answer) = self
            .call(Method::GET, "/user", Auth::Token(token), None)
            .await?;
        Ok(status == StatusCode::OK && answer["login"].as_str() == Some(user))
    }

    /// Replaces the user's `mcp` token with a new one (as the user, by basic auth).
    pub async fn rotate_token(&self, user: &str, password: &Secret) -> Result<Secret> {
        let path = format!("/users/{user}/tokens/{TOKEN_NAME}");
        let (status, answer) = self
            .call(Method::DELETE, &path, Auth::User(user, password), None)
            .await?;
        expect("DELETE token", status, &answer, &[204, 404, 422])?;
        let body = json!({ "name": TOKEN_NAME, "scopes": TOKEN_SCOPES });
        let path = format!("/users/{user}/tokens");
        let (status, answer) = self
            .call(Method::POST, &path, Auth::User(user, password), Some(&body))
            .await?;
        expect("POST token", status, &answer, &[201])?;
        answer["sha1"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(Secret::new)
            .ok_or_else(|| remote("POST token", status, "answer has no sha1"))
    }

    /// Deletes the user and everything they own; absent users are fine.
    pub async fn purge_user(&self, user: &str) -> Result<bool> {
        let path = format!("/admin/users/{user}?purge=true");
        let (status, answer) = self.call(Method::DELETE, &path, Auth::Admin, None).await?;
        match status.as_u16() {
            204 => Ok(true),
            404 => Ok(false),
            _ => expect("DELETE /admin/users", status, &answer, &[204]).map(|_| false),
        }
    }

    /// Whether the user exists.
    pub async fn user_exists(&self, user: &str) -> Result<bool> {
        let (status, _) = self
            .call(Method::GET, &format!("/users/{user}"), Auth::Admin, None)
            .await?;
        Ok(status == StatusCode::OK)
    }
}

fn remote(action: &str, status: StatusCode, text: &str) -> Error {
    crate::json_api::remote("gitea", action, status, text)
}

fn expect(action: &str, status: StatusCode, answer: &Value, ok: &[u16]) -> Result<()> {
    if ok.contains(&status.as_u16()) {
        Ok(())
    } else {
        Err(remote(action, status, &answer.to_string()))
    }
}
