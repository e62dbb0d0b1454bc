//! A Keycloak (Red Hat build of Keycloak) emulator for tests: the parts of Keycloak the
//! platform uses, over real HTTP with Keycloak's paths and JSON shapes
//! (platform-contract.md §1).
//!
//! - `POST /realms/{realm}/protocol/openid-connect/token`: the OAuth password grant
//!   (`client_id=admin-cli` for the master realm's admin; any realm user with any client
//!   of the realm), answering an RS256-signed access token.
//! - `GET /realms/{realm}/.well-known/openid-configuration`, `…/protocol/openid-connect/certs`
//!   (JWKS) and `…/userinfo`: enough OIDC for a resource server to check those tokens.
//! - The Admin REST API's users of a realm: `POST /admin/realms/{realm}/users` (201 with
//!   `Location`, 409 on a taken username or email), `GET …/users?username=&exact=`,
//!   `GET|DELETE …/users/{id}`, `PUT …/users/{id}/reset-password`; a missing, bad or
//!   expired token answers 401, a non-admin's token 403.
//!
//! Tests reach inside with [`KeycloakEmulator`]'s hooks: seed a user "someone else"
//! made, add clients with their own audience and lifetime, move the clock forward.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let kc = keycloak_emulator::KeycloakEmulator::new(Default::default());
//! let running = kc.serve(0).await?;
//! println!("{} admin {}", running.base_url(), kc.config().admin_user);
//! # Ok(()) }
//! ```

mod admin;
mod error;
mod oidc;
mod signing;
pub mod store;
mod users;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::{get, post, put};

use emulator_support::serve::{ServerHandle, spawn_http};

pub use error::KeycloakError;
pub use store::{ClientSpec, Realm, User};

use signing::SigningKey;

/// The largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The realm that holds the admin.
pub const MASTER_REALM: &str = "master";

/// What the emulator starts with.
#[derive(Debug, Clone)]
pub struct KeycloakConfig {
    /// The master realm's admin (`keycloak-initial-admin`'s `username`).
    pub admin_user: String,
    /// Its password.
    pub admin_password: String,
    /// Realms besides `master` (the lab's is `sso`).
    pub realms: Vec<String>,
    /// Access token lifetime of clients without their own.
    pub token_lifetime: Duration,
}

impl Default for KeycloakConfig {
    fn default() -> Self {
        KeycloakConfig {
            admin_user: "admin".into(),
            admin_password: uuid::Uuid::new_v4().simple().to_string(),
            realms: vec!["sso".into()],
            token_lifetime: Duration::from_secs(300),
        }
    }
}

/// Mutable data behind one lock.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) realms: BTreeMap<String, Realm>,
    /// Added to the wall clock (tests make tokens expire without sleeping).
    pub(crate) clock_offset: Duration,
    /// `http://127.0.0.1:<port>` once served; issuers and `Location`s start with it.
    pub(crate) base_url: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: KeycloakConfig,
    pub(crate) key: SigningKey,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Seconds since the epoch, with the test clock offset.
    pub(crate) fn now(&self) -> i64 {
        let offset = self.lock().clock_offset;
        let now = SystemTime::now() + offset;
        now.duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }

    /// The base URL: the served one, else from the request's `Host`.
    pub(crate) fn base_url(&self, host: Option<&str>) -> String {
        self.lock()
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", host.unwrap_or("localhost")))
    }
}

/// A Keycloak emulator (cheap to clone; clones share their data).
#[derive(Debug, Clone)]
pub struct KeycloakEmulator {
    inner: Arc<Shared>,
}

/// A served emulator: stops when dropped.
#[derive(Debug)]
pub struct RunningKeycloak {
    handle: ServerHandle,
}

impl RunningKeycloak {
    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    /// Stops the server.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

impl KeycloakEmulator {
    /// An emulator with the master realm (holding the admin) and `config.realms`.
    pub fn new(config: KeycloakConfig) -> Self {
        let mut realms = BTreeMap::new();
        let mut master = Realm::with_admin_cli();
        let admin = new_user(&config.admin_user, Some(&config.admin_password), true);
        master.users.insert(admin.id.clone(), admin);
        realms.insert(MASTER_REALM.to_string(), master);
        for name in &config.realms {
            realms.insert(name.clone(), Realm::with_admin_cli());
        }
        KeycloakEmulator {
            inner: Arc::new(Shared {
                config,
                key: SigningKey::generate(),
                state: Mutex::new(State {
                    realms,
                    ..State::default()
                }),
            }),
        }
    }

    /// The configuration (the admin's credentials).
    pub fn config(&self) -> &KeycloakConfig {
        &self.inner.config
    }

    /// The HTTP API.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/realms/{realm}/protocol/openid-connect/token",
                post(oidc::token),
            )
            .route(
                "/realms/{realm}/.well-known/openid-configuration",
                get(oidc::discovery),
            )
            .route(
                "/realms/{realm}/protocol/openid-connect/certs",
                get(oidc::certs),
            )
            .route(
                "/realms/{realm}/protocol/openid-connect/userinfo",
                get(oidc::userinfo),
            )
            .route(
                "/admin/realms/{realm}/users",
                post(users::create).get(users::list),
            )
            .route(
                "/admin/realms/{realm}/users/{id}",
                get(users::get_one).delete(users::delete),
            )
            .route(
                "/admin/realms/{realm}/users/{id}/reset-password",
                put(users::reset_password),
            )
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.inner.clone())
    }

    /// Serves on `127.0.0.1:port` (`0`: a free port).
    pub async fn serve(&self, port: u16) -> std::io::Result<RunningKeycloak> {
        let handle = spawn_http(self.router(), port).await?;
        self.inner.lock().base_url = Some(handle.base_url());
        Ok(RunningKeycloak { handle })
    }

    /// The issuer of `realm`'s tokens (`<base>/realms/<realm>`).
    pub fn issuer(&self, realm: &str) -> String {
        format!("{}/realms/{realm}", self.inner.base_url(None))
    }

    /// Adds an empty realm (with `admin-cli`).
    pub fn add_realm(&self, realm: &str) {
        self.inner
            .lock()
            .realms
            .entry(realm.into())
            .or_insert_with(Realm::with_admin_cli);
    }

    /// Adds (or replaces) a client of `realm`; false when the realm does not exist.
    pub fn add_client(&self, realm: &str, client: ClientSpec) -> bool {
        let mut state = self.inner.lock();
        let Some(r) = state.realms.get_mut(realm) else {
            return false;
        };
        r.clients.insert(client.client_id.clone(), client);
        true
    }

    /// Creates an enabled user directly (as somebody other than the code under test
    /// would); returns its id, or `None` when the realm is unknown or the name taken.
    pub fn seed_user(&self, realm: &str, username: &str, password: &str) -> Option<String> {
        let mut state = self.inner.lock();
        let r = state.realms.get_mut(realm)?;
        if r.by_username(username).is_some() {
            return None;
        }
        let user = new_user(username, Some(password), false);
        let id = user.id.clone();
        r.users.insert(id.clone(), user);
        Some(id)
    }

    /// The user of `realm` named `username`.
    pub fn user(&self, realm: &str, username: &str) -> Option<User> {
        self.inner
            .lock()
            .realms
            .get(realm)?
            .by_username(username)
            .cloned()
    }

    /// Every user of `realm`.
    pub fn users(&self, realm: &str) -> Vec<User> {
        self.inner
            .lock()
            .realms
            .get(realm)
            .map(|r| r.users.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether `password` is the password of `realm`'s `username`.
    pub fn password_matches(&self, realm: &str, username: &str, password: &str) -> bool {
        self.user(realm, username)
            .is_some_and(|u| u.password_is(password))
    }

    /// Moves the emulator's clock forward (tokens expire without sleeping).
    pub fn advance_clock(&self, by: Duration) {
        self.inner.lock().clock_offset += by;
    }
}

/// A new user with a fresh id (enabled, no profile fields).
pub(crate) fn new_user(username: &str, password: Option<&str>, admin: bool) -> User {
    User {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.to_lowercase(),
        enabled: true,
        first_name: None,
        last_name: None,
        email: None,
        email_verified: false,
        created_ms: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default(),
        password: password.map(str::to_string),
        temporary_password: false,
        admin,
    }
}
