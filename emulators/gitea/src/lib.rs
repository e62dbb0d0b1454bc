//! An in-memory Gitea 1.26 REST API (`/api/v1`), enough for a Gitea MCP server and the
//! provisioner: users, tokens with enforced scopes, repositories with files and branches,
//! issues, comments, labels, milestones, pull requests and releases, plus wiki pages, time
//! tracking, notifications, packages, Actions (settings, runs, jobs, logs, artifacts) and
//! issue attachments. Shapes follow
//! `shared/specs/gitea-swagger.v1.json`; errors are Gitea's `{message, url}`.
//!
//! [`GiteaEmulator`] is a cheap `Clone` handle over one independent world, so tests run
//! in parallel. Use [`GiteaEmulator::router`] in process or [`GiteaEmulator::serve`] on a
//! loopback port.

mod access;
mod auth;
mod body;
pub mod catalog;
mod error;
mod git_model;
mod git_objects;
mod inspect;
mod issue_edit;
mod issue_filter;
mod paging;
mod query;
mod render;
mod render_git;
mod render_labels;
mod render_review;
mod repo_handler;
mod routes_actions_config;
mod routes_actions_runs;
mod routes_admin;
mod routes_attachments;
mod routes_comments;
mod routes_contents;
mod routes_dependencies;
mod routes_forks;
mod routes_git;
mod routes_issues;
mod routes_labels;
mod routes_milestones;
mod routes_notifications;
mod routes_org_labels;
mod routes_packages;
mod routes_pull_changes;
mod routes_pulls;
mod routes_releases;
mod routes_repos;
mod routes_review_comments;
mod routes_reviews;
mod routes_statuses;
mod routes_times;
mod routes_users;
mod routes_wiki;
mod seed;
mod seed_extra;
mod state;
mod state_extra;

use std::sync::{Arc, Mutex};

use axum::Router;

use emulator_support::serve::ServerHandle;
use state::{Change, World};

pub use seed::LabGitea;
pub use seed_extra::SeedJob;

/// The admin user every emulator starts with.
pub const ADMIN_USER: &str = "gitea-admin";
/// Its password (Basic auth works with it).
pub const ADMIN_PASSWORD: &str = "gitea-admin-password";
/// The version `GET /api/v1/version` reports.
pub const GITEA_VERSION: &str = "1.26.3";

/// State shared by all handlers of one emulator.
#[derive(Debug)]
pub(crate) struct Shared {
    world: Mutex<World>,
    /// `(METHOD, route)` of every operation served so far (for coverage checks).
    served: Mutex<std::collections::BTreeSet<(String, String)>>,
}

impl Shared {
    /// Runs `f` with the world locked (never across an `.await`).
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let mut guard = self
            .world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    pub(crate) fn root_url(&self) -> String {
        self.with(|w| w.root_url.clone())
    }
}

/// An in-memory Gitea; clones share the same world.
#[derive(Debug, Clone)]
pub struct GiteaEmulator {
    shared: Arc<Shared>,
    admin_token: String,
}

impl Default for GiteaEmulator {
    fn default() -> Self {
        Self::new()
    }
}

/// A Gitea emulator served on a loopback port. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningGitea {
    server: ServerHandle,
    emulator: GiteaEmulator,
}

impl RunningGitea {
    /// The root URL without `/api/v1` and without a trailing slash, e.g. `http://127.0.0.1:3000`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// `<base_url>/api/v1`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v1", self.server.base_url())
    }

    /// The emulator behind this server (same world).
    pub fn emulator(&self) -> &GiteaEmulator {
        &self.emulator
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

impl GiteaEmulator {
    /// A fresh world with the site admin [`ADMIN_USER`] / [`ADMIN_PASSWORD`] and an `all`
    /// scoped admin token ([`GiteaEmulator::admin_token`]). Root URL `http://localhost:3000/`
    /// until [`GiteaEmulator::serve`] or [`GiteaEmulator::set_root_url`] changes it.
    pub fn new() -> Self {
        let mut emulator = Self {
            shared: Arc::new(Shared {
                world: Mutex::new(World::new("http://localhost:3000/")),
                served: Mutex::default(),
            }),
            admin_token: String::new(),
        };
        emulator.create_user(ADMIN_USER, ADMIN_PASSWORD, true);
        emulator.admin_token = emulator.create_token(ADMIN_USER, "testbed-admin", &["all"]);
        emulator
    }

    /// The admin's `all`-scoped token.
    pub fn admin_token(&self) -> String {
        self.admin_token.clone()
    }

    /// Sets `ROOT_URL` (a trailing slash is added) used for `url`/`html_url` fields.
    pub fn set_root_url(&self, root_url: &str) {
        let root = format!("{}/", root_url.trim_end_matches('/'));
        self.shared.with(|w| w.root_url = root);
    }

    /// The current root URL (with trailing slash).
    pub fn root_url(&self) -> String {
        self.shared.root_url()
    }

    /// The `/api/v1/...` router (plus Gitea's 404 for anything else).
    pub fn router(&self) -> Router {
        let api = Router::new()
            .merge(routes_users::routes())
            .merge(routes_repos::routes())
            .merge(routes_git::routes())
            .merge(routes_contents::routes())
            .merge(routes_issues::routes())
            .merge(routes_comments::routes())
            .merge(routes_admin::routes())
            .merge(routes_labels::routes())
            .merge(routes_milestones::routes())
            .merge(routes_pulls::routes())
            .merge(routes_pull_changes::routes())
            .merge(routes_reviews::routes())
            .merge(routes_releases::routes())
            .merge(routes_statuses::routes())
            .merge(routes_forks::routes())
            .merge(routes_dependencies::routes())
            .merge(routes_org_labels::routes())
            .merge(routes_review_comments::routes())
            .merge(routes_wiki::routes())
            .merge(routes_times::routes())
            .merge(routes_notifications::routes())
            .merge(routes_packages::routes())
            .merge(routes_actions_config::routes())
            .merge(routes_actions_runs::routes())
            .merge(routes_attachments::routes())
            // Records which operation matched, for `served_operations`.
            .route_layer(axum::middleware::from_fn_with_state(
                self.shared.clone(),
                record_operation,
            ))
            .fallback(error::fallback)
            .method_not_allowed_fallback(error::method_not_allowed);
        Router::new()
            .nest("/api/v1", api)
            .route(
                "/attachments/{uuid}",
                axum::routing::get(routes_attachments::download),
            )
            .fallback(error::fallback)
            // Adds `url` (from ROOT_URL) to every APIError body.
            .layer(axum::middleware::from_fn_with_state(
                self.shared.clone(),
                error::fill_error_url,
            ))
            .with_state(self.shared.clone())
    }

    /// Serves on `127.0.0.1:port` (`0` = any free port) and sets the root URL to match.
    pub async fn serve(&self, port: u16) -> std::io::Result<RunningGitea> {
        let server = emulator_support::serve::spawn_http(self.router(), port).await?;
        // No request can arrive before we return the URL, so setting it now is race-free.
        self.set_root_url(&format!("{}/", server.base_url()));
        Ok(RunningGitea {
            server,
            emulator: self.clone(),
        })
    }

    /// Creates (or updates the password/admin flag of) a user; email `<login>@example.com`.
    pub fn create_user(&self, login: &str, password: &str, admin: bool) {
        self.shared.with(|w| {
            if let Some(user) = w.user_mut(login) {
                user.password = password.to_string();
                user.is_admin = admin;
                return;
            }
            let user = w.add_user(login, &format!("{login}@example.com"), password);
            user.is_admin = admin;
        });
    }

    /// Creates an access token and returns its value (`sha1`). Creates the user (without
    /// password) if missing. Scopes are not validated here; the API validates them.
    pub fn create_token(&self, login: &str, name: &str, scopes: &[&str]) -> String {
        self.shared.with(|w| {
            let user_id = match w.user(login) {
                Some(user) => user.id,
                None => w.add_user(login, &format!("{login}@example.com"), "").id,
            };
            let id = w.next_id();
            let sha1 = state::random_sha();
            w.tokens.push(state::Token {
                id,
                user_id,
                name: name.to_string(),
                sha1: sha1.clone(),
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                created: state::now(),
            });
            sha1
        })
    }

    /// Creates an empty repository (default branch `main`); the owner user is created if
    /// missing. No-op if it exists.
    pub fn create_repo(&self, owner: &str, name: &str, private: bool) {
        self.shared.with(|w| {
            if w.repo_index(owner, name).is_some() {
                return;
            }
            let owner_id = match w.user(owner) {
                Some(user) => user.id,
                None => w.add_user(owner, &format!("{owner}@example.com"), "").id,
            };
            w.add_repo(owner_id, name, private);
        });
    }

    /// Commits `content` at `path` on `branch` (created from the default branch if
    /// missing; the repository is created public if missing).
    pub fn put_file(&self, owner: &str, repo: &str, branch: &str, path: &str, content: &[u8]) {
        self.change_files(
            owner,
            repo,
            branch,
            &format!("Add {path}"),
            vec![(path.to_string(), Some(content.to_vec()))],
        );
    }

    /// Deletes `path` on `branch` with a commit (no-op commit if it does not exist).
    pub fn delete_file(&self, owner: &str, repo: &str, branch: &str, path: &str) {
        self.change_files(
            owner,
            repo,
            branch,
            &format!("Delete {path}"),
            vec![(path.to_string(), None)],
        );
    }

    fn change_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        message: &str,
        files: Vec<(String, Option<Vec<u8>>)>,
    ) {
        self.create_repo(owner, repo, false);
        self.shared.with(|w| {
            let email = w.user(owner).map(|u| u.email.clone()).unwrap_or_default();
            let Some(index) = w.repo_index(owner, repo) else {
                return;
            };
            let Some(r) = w.repos.get_mut(index) else {
                return;
            };
            let from = r.default_branch.clone();
            r.commit(Change {
                branch,
                from: Some(&from),
                message,
                author: (owner, &email),
                files,
            });
        });
    }

    /// Creates branch `name` at the head of branch `from` (no-op if `from` is unknown).
    pub fn create_branch(&self, owner: &str, repo: &str, name: &str, from: &str) {
        self.shared.with(|w| {
            let Some(r) = w.repo_index(owner, repo).and_then(|i| w.repos.get_mut(i)) else {
                return;
            };
            if let Some(sha) = r.branches.get(from).cloned() {
                r.branches.insert(name.to_string(), sha);
            }
        });
    }

    /// The repository's issues (not pulls), newest first, as the API renders them.
    pub fn issues(&self, owner: &str, repo: &str) -> Vec<serde_json::Value> {
        self.shared.with(|w| {
            let Some(r) = w.repo_index(owner, repo).and_then(|i| w.repos.get(i)) else {
                return Vec::new();
            };
            r.issues
                .iter()
                .rev()
                .filter(|i| i.pull.is_none())
                .map(|i| w.issue_json(r, i))
                .collect()
        })
    }

    /// Names of the repository's branches.
    pub fn branches(&self, owner: &str, repo: &str) -> Vec<String> {
        self.shared.with(|w| {
            w.repo_index(owner, repo)
                .and_then(|i| w.repos.get(i))
                .map(|r| r.branches.keys().cloned().collect())
                .unwrap_or_default()
        })
    }

    /// A file's bytes at a branch, tag or commit.
    pub fn file(&self, owner: &str, repo: &str, reference: &str, path: &str) -> Option<Vec<u8>> {
        self.shared.with(|w| {
            let r = w.repo_index(owner, repo).and_then(|i| w.repos.get(i))?;
            r.resolve(reference)?.tree.get(path).cloned()
        })
    }

    /// Every file under the folder `prefix` (no trailing `/`) at a branch, tag or commit,
    /// with paths relative to it.
    pub fn files_under(
        &self,
        owner: &str,
        repo: &str,
        reference: &str,
        prefix: &str,
    ) -> Vec<(String, Vec<u8>)> {
        let folder = format!("{}/", prefix.trim_end_matches('/'));
        self.shared.with(|w| {
            let Some(commit) = w
                .repo_index(owner, repo)
                .and_then(|i| w.repos.get(i))
                .and_then(|r| r.resolve(reference))
            else {
                return Vec::new();
            };
            commit
                .tree
                .iter()
                .filter_map(|(path, bytes)| {
                    path.strip_prefix(&folder)
                        .map(|rel| (rel.to_string(), bytes.clone()))
                })
                .collect()
        })
    }

    /// `(METHOD, route)` pairs (routes as in [`catalog::OPERATIONS`]) served so far.
    pub fn served_operations(&self) -> Vec<(String, String)> {
        let served = self
            .shared
            .served
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        served.iter().cloned().collect()
    }

    /// Whether a user (or org) exists.
    pub fn user_exists(&self, login: &str) -> bool {
        self.shared.with(|w| w.user(login).is_some())
    }
}

/// Notes the matched route of each request (before the handler runs).
async fn record_operation(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(matched) = request.extensions().get::<axum::extract::MatchedPath>() {
        let route = matched.as_str();
        let route = route.strip_prefix("/api/v1").unwrap_or(route).to_string();
        let method = request.method().as_str().to_string();
        shared
            .served
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((method, route));
    }
    next.run(request).await
}
