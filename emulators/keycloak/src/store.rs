//! The emulator's data: realms, each with its users (Keycloak's user representation plus
//! the password) and its clients (which audience, scope and lifetime their tokens get).
//! Usernames are kept lower-case, as Keycloak stores them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

/// A realm user.
#[derive(Debug, Clone)]
pub struct User {
    /// Keycloak's id (a UUID).
    pub id: String,
    /// Lower-case username.
    pub username: String,
    /// Whether the user may log in.
    pub enabled: bool,
    /// `firstName`.
    pub first_name: Option<String>,
    /// `lastName`.
    pub last_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `emailVerified`.
    pub email_verified: bool,
    /// Creation time, milliseconds since the epoch.
    pub created_ms: i64,
    /// The password credential, if one is set.
    pub(crate) password: Option<String>,
    /// Whether the password must be changed at the next login (`temporary: true`).
    pub temporary_password: bool,
    /// Realm admin (may call the Admin REST API; the master realm's admin).
    pub admin: bool,
}

impl User {
    /// The Admin REST API's `UserRepresentation`.
    pub fn representation(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "username": self.username,
            "enabled": self.enabled,
            "emailVerified": self.email_verified,
            "createdTimestamp": self.created_ms,
            "totp": false,
            "disableableCredentialTypes": [],
            "requiredActions": if self.temporary_password { json!(["UPDATE_PASSWORD"]) } else { json!([]) },
            "notBefore": 0,
            "access": { "manageGroupMembership": true, "view": true, "mapRoles": true,
                        "impersonate": false, "manage": true },
        });
        for (key, value) in [
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("email", &self.email),
        ] {
            if let Some(value) = value {
                v[key] = json!(value);
            }
        }
        v
    }

    /// Whether `password` is this user's password.
    pub(crate) fn password_is(&self, password: &str) -> bool {
        self.password.as_deref() == Some(password)
    }
}

/// A client of a realm: who may ask for tokens and what its tokens carry.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    /// `client_id`.
    pub client_id: String,
    /// Required `client_secret` (a confidential client); `None` for a public client.
    pub secret: Option<String>,
    /// The token's `aud` (default: `account`, as Keycloak's default mappers give).
    pub audience: Vec<String>,
    /// Scopes always in the token's `scope` (requested ones are added).
    pub default_scopes: Vec<String>,
    /// Access token lifetime; the realm's when `None`.
    pub lifetime: Option<Duration>,
}

impl ClientSpec {
    /// A public client with Keycloak's defaults.
    pub fn public(client_id: &str) -> Self {
        ClientSpec {
            client_id: client_id.into(),
            secret: None,
            audience: vec!["account".into()],
            default_scopes: vec!["profile".into(), "email".into()],
            lifetime: None,
        }
    }

    /// Sets the audience.
    pub fn with_audience(mut self, audience: &[&str]) -> Self {
        self.audience = audience.iter().map(|a| a.to_string()).collect();
        self
    }

    /// Sets the token lifetime.
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Makes the client confidential.
    pub fn with_secret(mut self, secret: &str) -> Self {
        self.secret = Some(secret.into());
        self
    }
}

/// A realm: users by id, clients by id.
#[derive(Debug, Clone, Default)]
pub struct Realm {
    /// Users by id.
    pub users: BTreeMap<String, User>,
    /// Clients by `client_id`.
    pub clients: BTreeMap<String, ClientSpec>,
}

impl Realm {
    /// A realm with the `admin-cli` public client, as every Keycloak realm has.
    pub fn with_admin_cli() -> Self {
        let mut realm = Realm::default();
        realm
            .clients
            .insert("admin-cli".into(), ClientSpec::public("admin-cli"));
        realm
    }

    /// The user named `username` (case-insensitive).
    pub fn by_username(&self, username: &str) -> Option<&User> {
        let wanted = username.to_lowercase();
        self.users.values().find(|u| u.username == wanted)
    }

    /// The user with `email` (case-insensitive).
    pub fn by_email(&self, email: &str) -> Option<&User> {
        let wanted = email.to_lowercase();
        self.users
            .values()
            .find(|u| u.email.as_deref().map(str::to_lowercase).as_deref() == Some(&wanted))
    }
}
