//! LiteLLM virtual keys: the store behind `/key/generate`, `/key/list`, `/key/info`,
//! `/key/delete`, and the check every chat request goes through (which key, is it
//! expired, may it use this model, is its budget spent).
//!
//! As in LiteLLM, a generated key is `sk-` plus random characters and is shown once;
//! it is stored by its SHA-256 hash (the `token`), and management calls accept either.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, StatusCode};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::error::LiteLlmError;

/// Who is calling.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// The proxy's master key: may manage keys and use every model.
    Master,
    /// The configured static API key: every model.
    Static,
    /// A generated key, by its token (hash).
    Generated(String),
}

/// A generated key as stored.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// The secret (`sk-…`).
    pub key: String,
    /// SHA-256 of the secret, hex: LiteLLM's `token`.
    pub token: String,
    /// `key_alias`.
    pub alias: Option<String>,
    /// Allowed models (empty: all).
    pub models: Vec<String>,
    /// `user_id`.
    pub user_id: Option<String>,
    /// `metadata`.
    pub metadata: Value,
    /// `max_budget` in dollars.
    pub max_budget: Option<f64>,
    /// Dollars spent so far.
    pub spend: f64,
    /// When the key stops working.
    pub expires: Option<Timestamp>,
    /// When it was made.
    pub created_at: Timestamp,
}

impl KeyRecord {
    /// LiteLLM's abbreviated display name, `sk-...abcd`.
    fn key_name(&self) -> String {
        let tail: String = self
            .key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("sk-...{tail}")
    }

    /// The fields `/key/info` and `/key/generate` report.
    pub fn info(&self) -> Value {
        json!({
            "key_name": self.key_name(),
            "key_alias": self.alias,
            "spend": self.spend,
            "max_budget": self.max_budget,
            "expires": self.expires.map(|t| t.to_string()),
            "models": self.models,
            "user_id": self.user_id,
            "metadata": self.metadata,
            "created_at": self.created_at.to_string(),
        })
    }
}

/// The body of `POST /key/generate` (the fields the emulator honours; others ignored).
#[derive(Debug, Deserialize)]
pub(crate) struct GenerateKeyRequest {
    #[serde(default)]
    models: Vec<String>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    key_alias: Option<String>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    max_budget: Option<f64>,
    /// A caller-chosen secret (must start with `sk-`).
    #[serde(default)]
    key: Option<String>,
}

/// All generated keys, by token.
#[derive(Debug, Default)]
pub(crate) struct KeyStore {
    keys: BTreeMap<String, KeyRecord>,
}

/// SHA-256 hex of a secret.
pub(crate) fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl KeyStore {
    /// Creates a key, refusing a duplicate alias or secret.
    pub(crate) fn generate(
        &mut self,
        request: GenerateKeyRequest,
    ) -> Result<KeyRecord, LiteLlmError> {
        if let Some(alias) = &request.key_alias
            && self
                .keys
                .values()
                .any(|k| k.alias.as_deref() == Some(alias))
        {
            return Err(LiteLlmError::bad_request(format!(
                "Unique key aliases across all keys are required. Key alias '{alias}' already exists."
            ))
            .param("key_alias"));
        }
        let key = match request.key {
            Some(custom) if custom.starts_with("sk-") => custom,
            Some(_) => {
                return Err(LiteLlmError::bad_request(
                    "Invalid key format. LiteLLM Virtual Key must start with 'sk-'.",
                )
                .param("key"));
            }
            None => random_key(),
        };
        let token = hash_key(&key);
        if self.keys.contains_key(&token) {
            return Err(LiteLlmError::bad_request("This key already exists.").param("key"));
        }
        let now = Timestamp::now();
        let expires =
            match request.duration.as_deref() {
                None | Some("") => None,
                Some(text) => Some(now.checked_add(parse_duration(text)?).map_err(|err| {
                    LiteLlmError::bad_request(format!("duration too long: {err}"))
                })?),
            };
        let record = KeyRecord {
            key,
            token: token.clone(),
            alias: request.key_alias,
            models: request.models,
            user_id: request.user_id,
            metadata: request.metadata.unwrap_or_else(|| json!({})),
            max_budget: request.max_budget,
            spend: 0.0,
            expires,
            created_at: now,
        };
        self.keys.insert(token, record.clone());
        Ok(record)
    }

    /// Finds a key by secret or token.
    pub(crate) fn find(&self, key_or_token: &str) -> Option<&KeyRecord> {
        self.keys
            .get(key_or_token)
            .or_else(|| self.keys.get(&hash_key(key_or_token)))
    }

    /// Finds a key by secret, token or alias, mutably.
    pub(crate) fn find_mut(&mut self, needle: &str) -> Option<&mut KeyRecord> {
        let hashed = hash_key(needle);
        self.keys
            .values_mut()
            .find(|k| k.token == needle || k.token == hashed || k.alias.as_deref() == Some(needle))
    }

    /// All keys, oldest token order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &KeyRecord> {
        self.keys.values()
    }

    /// Deletes by secrets/tokens and aliases; all must exist, or nothing is deleted.
    pub(crate) fn delete(
        &mut self,
        keys: &[String],
        aliases: &[String],
    ) -> Result<Vec<String>, LiteLlmError> {
        let mut tokens = Vec::new();
        for key in keys {
            match self.find(key) {
                Some(record) => tokens.push(record.token.clone()),
                None => return Err(not_found(key)),
            }
        }
        for alias in aliases {
            match self
                .keys
                .values()
                .find(|k| k.alias.as_deref() == Some(alias))
            {
                Some(record) => tokens.push(record.token.clone()),
                None => return Err(not_found(alias)),
            }
        }
        for token in &tokens {
            self.keys.remove(token);
        }
        Ok(keys.iter().chain(aliases).cloned().collect())
    }
}

fn not_found(what: &str) -> LiteLlmError {
    let shown: String = what.chars().take(12).collect();
    LiteLlmError::new(
        StatusCode::NOT_FOUND,
        "not_found_error",
        format!("Key not found: {shown}…"),
    )
}

fn random_key() -> String {
    let tail: String = rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(22)
        .map(char::from)
        .collect();
    format!("sk-{tail}")
}

/// LiteLLM durations: a number followed by `s`, `m`, `h`, `d`, `w` or `mo`.
pub(crate) fn parse_duration(text: &str) -> Result<SignedDuration, LiteLlmError> {
    let bad = || {
        LiteLlmError::bad_request(format!(
            "Invalid duration '{text}': expected a number followed by s, m, h, d, w or mo"
        ))
        .param("duration")
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let secs_per_unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "mo" => 30 * 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(secs_per_unit)
        .map(SignedDuration::from_secs)
        .ok_or_else(bad)
}

/// The bearer secret of a request: `Authorization: Bearer …` (any case), or the
/// `x-litellm-api-key` / `api-key` headers LiteLLM also reads.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        let key = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => value,
        };
        return (!key.is_empty()).then(|| key.to_string());
    }
    ["x-litellm-api-key", "api-key"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        .map(|v| v.trim().trim_start_matches("Bearer ").to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_litellm_units() {
        assert_eq!(parse_duration("3d").unwrap().as_secs(), 3 * 86_400);
        assert_eq!(parse_duration("72h").unwrap().as_secs(), 72 * 3600);
        assert_eq!(parse_duration("2mo").unwrap().as_secs(), 60 * 86_400);
        assert!(parse_duration("3 days").is_err());
        assert!(parse_duration("d").is_err());
    }

    #[test]
    fn keys_are_found_by_secret_or_hash() {
        let mut store = KeyStore::default();
        let request: GenerateKeyRequest =
            serde_json::from_value(json!({"key_alias": "a"})).unwrap();
        let record = store.generate(request).unwrap();
        assert!(record.key.starts_with("sk-"));
        assert_eq!(store.find(&record.key).unwrap().token, record.token);
        assert_eq!(store.find(&record.token).unwrap().key, record.key);
        let again: GenerateKeyRequest = serde_json::from_value(json!({"key_alias": "a"})).unwrap();
        assert_eq!(
            store.generate(again).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }
}
