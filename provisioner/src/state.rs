//! The credentials generated for a tenant (passwords, LibreChat keys, the Gitea token,
//! the LiteLLM key), kept in one Secret in the control namespace so a re-run reuses
//! them instead of rotating everything; and what proves the tenant's ownership: the
//! order's guid (destroy must name it) and the ids of the Gitea and Keycloak users the
//! provisioner created (no other user is ever reset or purged).

use rand::Rng;
use serde_json::Value;

/// Generated credentials of a tenant. Empty strings mean "not made yet".
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TenantState {
    /// Gitea password of the tenant's user.
    pub gitea_password: String,
    /// LibreChat password.
    pub librechat_password: String,
    /// LibreChat `CREDS_KEY` (32 hex).
    pub creds_key: String,
    /// LibreChat `JWT_SECRET`.
    pub jwt_secret: String,
    /// LibreChat `JWT_REFRESH_SECRET`.
    pub jwt_refresh_secret: String,
    /// Meilisearch master key (16 hex).
    pub meili_master_key: String,
    /// Gitea token of the MCP server.
    pub gitea_token: String,
    /// LiteLLM virtual key.
    pub llm_key: String,
    /// The guid of the order that made this tenant (empty in states of older versions).
    pub guid: String,
    /// Id of the Gitea user the provisioner created (empty: none created yet).
    pub gitea_user_id: String,
    /// The attendee's OpenShift (Keycloak) password: the guide's `{password}`.
    pub keycloak_password: String,
    /// Id of the Keycloak user the provisioner created (empty: none created yet).
    pub keycloak_user_id: String,
    /// Admin password of the tenant's own Gitea instance (`gitea.mode: perTenant`).
    pub gitea_admin_password: String,
}

impl std::fmt::Debug for TenantState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantState(***)")
    }
}

const KEYS: [&str; 13] = [
    "gitea_password",
    "librechat_password",
    "creds_key",
    "jwt_secret",
    "jwt_refresh_secret",
    "meili_master_key",
    "gitea_token",
    "llm_key",
    "guid",
    "gitea_user_id",
    "keycloak_password",
    "keycloak_user_id",
    "gitea_admin_password",
];

impl TenantState {
    /// Fills every empty generated field (not the token or key, which remote services issue).
    pub fn fill_generated(&mut self) {
        for (field, len) in [
            (&mut self.gitea_password, 24),
            (&mut self.librechat_password, 24),
            (&mut self.creds_key, 64),
            (&mut self.jwt_secret, 64),
            (&mut self.jwt_refresh_secret, 64),
            (&mut self.meili_master_key, 16),
            (&mut self.keycloak_password, 24),
            (&mut self.gitea_admin_password, 24),
        ] {
            if field.is_empty() {
                *field = random_hex(len);
            }
        }
    }

    /// Field name and value pairs, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        KEYS.iter()
            .map(|k| (*k, self.field(k).to_string()))
            .collect()
    }

    fn field(&self, key: &str) -> &str {
        match key {
            "gitea_password" => &self.gitea_password,
            "librechat_password" => &self.librechat_password,
            "creds_key" => &self.creds_key,
            "jwt_secret" => &self.jwt_secret,
            "jwt_refresh_secret" => &self.jwt_refresh_secret,
            "meili_master_key" => &self.meili_master_key,
            "gitea_token" => &self.gitea_token,
            "llm_key" => &self.llm_key,
            "guid" => &self.guid,
            "gitea_user_id" => &self.gitea_user_id,
            "keycloak_password" => &self.keycloak_password,
            "keycloak_user_id" => &self.keycloak_user_id,
            "gitea_admin_password" => &self.gitea_admin_password,
            _ => "",
        }
    }

    fn field_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "gitea_password" => &mut self.gitea_password,
            "librechat_password" => &mut self.librechat_password,
            "creds_key" => &mut self.creds_key,
            "jwt_secret" => &mut self.jwt_secret,
            "jwt_refresh_secret" => &mut self.jwt_refresh_secret,
            "meili_master_key" => &mut self.meili_master_key,
            "gitea_token" => &mut self.gitea_token,
            "llm_key" => &mut self.llm_key,
            "guid" => &mut self.guid,
            "gitea_user_id" => &mut self.gitea_user_id,
            "keycloak_password" => &mut self.keycloak_password,
            "keycloak_user_id" => &mut self.keycloak_user_id,
            "gitea_admin_password" => &mut self.gitea_admin_password,
            _ => return None,
        })
    }

    /// Reads the state back from a Secret object (`data`, base64; or `stringData`).
    /// Undecodable fields are treated as missing and regenerated.
    pub fn from_secret(secret: &Value) -> Self {
        use base64::Engine;
        let enc = base64::engine::general_purpose::STANDARD;
        let mut state = TenantState::default();
        for key in KEYS {
            let value = secret["data"][key]
                .as_str()
                .and_then(|b| enc.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .or_else(|| secret["stringData"][key].as_str().map(str::to_string));
            if let (Some(v), Some(slot)) = (value, state.field_mut(key)) {
                *slot = v;
            }
        }
        state
    }

    /// Placeholder state for `render`: no cluster, nothing generated.
    pub fn placeholder() -> Self {
        let mut s = TenantState::default();
        for key in KEYS {
            if let Some(slot) = s.field_mut(key) {
                *slot = "<generated at provision>".into();
            }
        }
        s
    }
}

/// `len` random lower-case hex characters.
pub fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}
