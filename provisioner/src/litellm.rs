//! LiteLLM virtual keys (agent-peers.md §7, seed-contract §12.3): one key per tenant,
//! aliased `virtkey-<guid>`. An existing alias is reused when we still hold its key, and
//! rotated otherwise; only keys carrying this tenant's alias *and* made by the provisioner
//! for this tenant (`metadata.created_by`, `metadata.owner`) are ever deleted.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::config::{LlmAccess, Secret};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// A LiteLLM admin client (master key).
#[derive(Debug, Clone)]
pub struct LiteLlm {
    http: reqwest::Client,
    root: String,
    api_base: String,
    master: Secret,
    retry: RetryPolicy,
}

/// What a new key is for.
#[derive(Debug, Clone)]
pub struct KeyRequest<'a> {
    /// `virtkey-<guid>`.
    pub alias: &'a str,
    /// The order's guid.
    pub guid: &'a str,
    /// The tenant's username.
    pub user: &'a str,
    /// Allowed models.
    pub models: &'a [String],
    /// Lifetime (`3d`).
    pub duration: &'a str,
}

impl LiteLlm {
    /// A client; `url` may end in `/v1` (the key API lives at the root).
    pub fn new(access: LlmAccess) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|source| Error::Http {
                service: "litellm",
                action: "build client".into(),
                source,
            })?;
        let trimmed = access.url.trim_end_matches('/');
        let root = trimmed.strip_suffix("/v1").unwrap_or(trimmed).to_string();
        Ok(LiteLlm {
            http,
            api_base: format!("{root}/v1"),
            root,
            master: access.master_key,
            retry: RetryPolicy::default(),
        })
    }

    /// The OpenAI-compatible base URL (`…/v1`) tenants use.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value)> {
        let action = format!("{method} {}", path.split('?').next().unwrap_or(path));
        self.retry
            .run(&action, || async {
                let rb = self
                    .http
                    .request(method.clone(), format!("{}{path}", self.root))
                    .bearer_auth(self.master.expose());
                crate::json_api::send("litellm", &action, rb, body).await
            })
            .await
    }

    /// The alias of a key we hold, if LiteLLM still knows it.
    pub async fn alias_of(&self, key: &Secret) -> Result<Option<String>> {
        Ok(self
            .info(key)
            .await?
            .and_then(|info| info["key_alias"].as_str().map(str::to_string)))
    }

    /// `/key/info` of a key (or token hash), if LiteLLM knows it.
    async fn info(&self, key: &Secret) -> Result<Option<Value>> {
        if key.expose().is_empty() {
            return Ok(None);
        }
        let path = format!("/key/info?key={}", key.expose());
        let (status, answer) = self.call(Method::GET, &path, None).await?;
        if !status.is_success() {
            return Ok(None);
        }
        Ok(Some(answer["info"].clone()))
    }

    /// Reuses `held` when it is still this alias's key; otherwise deletes the alias's keys
    /// this provisioner made for `req.user` and generates a new one. A key under the alias
    /// that someone else made is never deleted: the order is refused instead.
    pub async fn ensure_key(&self, req: &KeyRequest<'_>, held: &Secret) -> Result<(Secret, bool)> {
        if self.alias_of(held).await?.as_deref() == Some(req.alias) {
            return Ok((held.clone(), false));
        }
        self.check_alias(req.alias, req.user).await?;
        self.delete_alias(req.alias, req.user).await?;
        match self.generate(req).await? {
            Some(key) => Ok((key, true)),
            None => {
                // Another run made the alias between our delete and generate: take over
                // (only if that run was ours, for this tenant).
                self.check_alias(req.alias, req.user).await?;
                self.delete_alias(req.alias, req.user).await?;
                let key = self.generate(req).await?.ok_or_else(|| {
                    remote(
                        "POST /key/generate",
                        StatusCode::BAD_REQUEST,
                        "alias still exists",
                    )
                })?;
                Ok((key, true))
            }
        }
    }

    /// A new key, or `None` when the alias already exists (LiteLLM answers 400).
    async fn generate(&self, req: &KeyRequest<'_>) -> Result<Option<Secret>> {
        let body = json!({
            "key_alias": req.alias,
            "models": req.models,
            "duration": req.duration,
            "user_id": format!("{}@lab.opentlc.com", req.guid),
            "metadata": { "guid": req.guid, "owner": req.user, "models": req.models.join(","),
                "duration": req.duration, "models_count": req.models.len(),
                "created_by": "provisioner" },
        });
        let (status, answer) = self
            .call(Method::POST, "/key/generate", Some(&body))
            .await?;
        match status.as_u16() {
            200 | 201 => answer["key"]
                .as_str()
                .filter(|k| k.starts_with("sk-"))
                .map(|k| Some(Secret::new(k)))
                .ok_or_else(|| remote("POST /key/generate", status, "answer has no sk- key")),
            400 => Ok(None),
            _ => Err(remote("POST /key/generate", status, &answer.to_string())),
        }
    }

    /// Keys whose alias is `alias` (and no other's): token hash and whether this
    /// provisioner made it for `owner` (its metadata says so).
    async fn alias_keys(&self, alias: &str, owner: &str) -> Result<Vec<(String, bool)>> {
        let path = format!("/key/list?return_full_object=true&key_alias={alias}");
        let (status, answer) = self.call(Method::GET, &path, None).await?;
        if !status.is_success() {
            return Err(remote("GET /key/list", status, &answer.to_string()));
        }
        let mut found = Vec::new();
        for entry in answer["keys"].as_array().into_iter().flatten() {
            let (hash, info) = match entry {
                Value::String(h) => (h.clone(), None),
                obj => (
                    obj["token"].as_str().unwrap_or_default().to_string(),
                    Some(obj.clone()),
                ),
            };
            if hash.is_empty() {
                continue;
            }
            let info = match info {
                Some(i) if i["key_alias"].is_string() => Some(i),
                _ => self.info(&Secret::new(hash.clone())).await?,
            };
            let Some(info) = info else { continue };
            if info["key_alias"].as_str() != Some(alias) {
                continue;
            }
            let meta = &info["metadata"];
            let ours = meta["created_by"] == "provisioner" && meta["owner"] == owner;
            found.push((hash, ours));
        }
        Ok(found)
    }

    /// Token hashes of the keys under `alias` that this provisioner made for `owner`.
    pub async fn keys_with_alias(&self, alias: &str, owner: &str) -> Result<Vec<String>> {
        Ok(self
            .alias_keys(alias, owner)
            .await?
            .into_iter()
            .filter_map(|(hash, ours)| ours.then_some(hash))
            .collect())
    }

    /// Refuses an alias that holds a key this provisioner did not make for `owner`.
    pub async fn check_alias(&self, alias: &str, owner: &str) -> Result<()> {
        let foreign = self
            .alias_keys(alias, owner)
            .await?
            .iter()
            .filter(|(_, ours)| !ours)
            .count();
        if foreign == 0 {
            return Ok(());
        }
        Err(Error::conflict(
            "guid",
            format!(
                "LiteLLM key alias {alias} holds {foreign} key(s) this provisioner did not \
                 make for {owner}; they are left alone"
            ),
        ))
    }

    /// Deletes the keys under `alias` that this provisioner made for `owner` (never anyone
    /// else's); returns how many were deleted and how many were left alone.
    pub async fn delete_alias(&self, alias: &str, owner: &str) -> Result<(usize, usize)> {
        let keys = self.alias_keys(alias, owner).await?;
        let foreign = keys.iter().filter(|(_, ours)| !ours).count();
        let hashes: Vec<String> = keys
            .into_iter()
            .filter_map(|(h, ours)| ours.then_some(h))
            .collect();
        if hashes.is_empty() {
            return Ok((0, foreign));
        }
        let body = json!({ "keys": hashes });
        let (status, answer) = self.call(Method::POST, "/key/delete", Some(&body)).await?;
        if status.is_success() || status == StatusCode::NOT_FOUND {
            Ok((hashes.len(), foreign))
        } else {
            Err(remote("POST /key/delete", status, &answer.to_string()))
        }
    }
}

fn remote(action: &str, status: StatusCode, text: &str) -> Error {
    crate::json_api::remote("litellm", action, status, text)
}
