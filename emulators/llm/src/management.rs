//! The non-chat routes: `/v1/models` and LiteLLM's key management (`/key/generate`,
//! `/key/list`, `/key/info`, `/key/delete`), as the provisioner calls them.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::chat::authenticate;
use super::error::LiteLlmError;
use super::keys::{Caller, GenerateKeyRequest};
use super::{LlmEmulator, lock};

type ApiResult = Result<Response, LiteLlmError>;

fn require_master(llm: &LlmEmulator, headers: &HeaderMap) -> Result<(), LiteLlmError> {
    match authenticate(llm, headers)? {
        Caller::Master => Ok(()),
        _ => Err(LiteLlmError::auth(
            "Authentication Error, only the proxy admin (master key) can manage keys",
        )),
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, LiteLlmError> {
    serde_json::from_slice(body)
        .map_err(|err| LiteLlmError::bad_request(format!("Invalid request body: {err}")))
}

/// `GET /v1/models`: the served models the caller's key may use.
pub(crate) async fn list_models(State(llm): State<LlmEmulator>, headers: HeaderMap) -> ApiResult {
    let caller = authenticate(&llm, &headers)?;
    let allowed: Vec<String> = match &caller {
        Caller::Generated(token) => lock(&llm.shared.keys)
            .find(token)
            .map(|k| k.models.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let data: Vec<Value> = llm
        .config()
        .models
        .iter()
        .filter(|m| allowed.is_empty() || allowed.contains(m))
        .map(
            |m| json!({"id": m, "object": "model", "created": 1_677_610_602, "owned_by": "openai"}),
        )
        .collect();
    Ok(axum::Json(json!({"object": "list", "data": data})).into_response())
}

/// `POST /key/generate` (master key).
pub(crate) async fn generate_key(
    State(llm): State<LlmEmulator>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_master(&llm, &headers)?;
    let request: GenerateKeyRequest = parse_body(&body)?;
    let record = lock(&llm.shared.keys).generate(request)?;
    let mut response = record.info();
    response["key"] = json!(record.key);
    response["token"] = json!(record.token);
    response["token_id"] = json!(record.token);
    tracing::info!(alias = ?record.alias, "llm emulator generated a key");
    Ok(axum::Json(response).into_response())
}

/// `GET /key/list` (master key): token hashes, paginated (page from 1, size ≤ 100).
pub(crate) async fn list_keys(
    State(llm): State<LlmEmulator>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    require_master(&llm, &headers)?;
    let number = |name: &str, default: usize| -> Result<usize, LiteLlmError> {
        query.get(name).map_or(Ok(default), |text| {
            text.parse().map_err(|_| {
                LiteLlmError::bad_request(format!(
                    "{name} must be a positive integer, got '{text}'"
                ))
                .param(name)
            })
        })
    };
    let page = number("page", 1)?.max(1);
    let size = number("size", 10)?.clamp(1, 100);
    let full = query.get("return_full_object").is_some_and(|v| v == "true");
    let alias = query.get("key_alias");
    let user = query.get("user_id");
    let keys = lock(&llm.shared.keys);
    let matching: Vec<_> = keys
        .all()
        .filter(|k| alias.is_none() || k.alias.as_ref() == alias)
        .filter(|k| user.is_none() || k.user_id.as_ref() == user)
        .collect();
    let total = matching.len();
    let shown: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|k| {
            if full {
                let mut info = k.info();
                info["token"] = json!(k.token);
                info
            } else {
                json!(k.token)
            }
        })
        .collect();
    Ok(axum::Json(json!({
        "keys": shown,
        "total_count": total,
        "current_page": page,
        "total_pages": total.div_ceil(size),
    }))
    .into_response())
}

/// `GET /key/info?key=<secret or token>`: the master key may ask about any key, a
/// generated key about itself (also without `key`).
pub(crate) async fn key_info(
    State(llm): State<LlmEmulator>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let caller = authenticate(&llm, &headers)?;
    let asked = match (query.get("key"), &caller) {
        (Some(key), _) => key.clone(),
        (None, Caller::Generated(token)) => token.clone(),
        (None, _) => {
            return Err(
                LiteLlmError::bad_request("key is a required query parameter").param("key"),
            );
        }
    };
    let keys = lock(&llm.shared.keys);
    let record = keys.find(&asked).ok_or_else(|| {
        LiteLlmError::new(
            StatusCode::NOT_FOUND,
            "not_found_error",
            "Key not found in database",
        )
    })?;
    let allowed = match &caller {
        Caller::Master => true,
        Caller::Generated(token) => *token == record.token,
        Caller::Static => false,
    };
    if !allowed {
        return Err(LiteLlmError::new(
            StatusCode::FORBIDDEN,
            "auth_error",
            "You may only query your own key",
        ));
    }
    Ok(axum::Json(json!({"key": asked, "info": record.info()})).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DeleteRequest {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    key_aliases: Vec<String>,
}

/// `POST /key/delete` (master key): `{"keys": [...]}` and/or `{"key_aliases": [...]}`.
pub(crate) async fn delete_keys(
    State(llm): State<LlmEmulator>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    require_master(&llm, &headers)?;
    let request: DeleteRequest = parse_body(&body)?;
    if request.keys.is_empty() && request.key_aliases.is_empty() {
        return Err(
            LiteLlmError::bad_request("Either keys or key_aliases must be provided").param("keys"),
        );
    }
    let deleted = lock(&llm.shared.keys).delete(&request.keys, &request.key_aliases)?;
    Ok(axum::Json(json!({"deleted_keys": deleted})).into_response())
}
