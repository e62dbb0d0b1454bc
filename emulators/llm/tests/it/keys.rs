use llm_emulator::{LlmConfig, Script};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Served, chat_body, serve_with};

async fn served() -> Served {
    let config = LlmConfig {
        models: vec!["llama-scout-17b".into(), "qwen3-14b".into(), "other".into()],
        ..Default::default()
    };
    serve_with(config, Script::default()).await
}

async fn call(
    served: &Served,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = served
        .http
        .request(method, format!("{}{path}", served.running.root_url()))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The LiteLLM master key: the one the provisioner manages keys with.
const MASTER: &str = "sk-master";

/// POSTs `body` to `/key/generate` with the master key, as the provisioner does.
async fn generate(served: &Served, body: Value) -> (u16, Value) {
    call(served, Method::POST, "/key/generate", MASTER, Some(body)).await
}

/// POSTs `body` to `/key/delete` with the master key, as the provisioner does.
async fn delete(served: &Served, body: Value) -> (u16, Value) {
    call(served, Method::POST, "/key/delete", MASTER, Some(body)).await
}

/// GETs `path` with `key` (most key reads carry no body).
async fn get(served: &Served, path: &str, key: &str) -> (u16, Value) {
    call(served, Method::GET, path, key, None).await
}

fn generate_body(alias: &str) -> Value {
    json!({
        "models": ["llama-scout-17b", "qwen3-14b"],
        "duration": "3d",
        "user_id": "user1@lab.opentlc.com",
        "key_alias": alias,
        "metadata": {"guid": "abc12", "created_by": "babylon"},
    })
}

#[tokio::test]
async fn provisioner_lifecycle_generate_list_info_delete() {
    let served = served().await;
    let (status, created) = generate(&served, generate_body("virtkey-abc12")).await;
    assert_eq!(status, 200, "{created}");
    let key = created["key"].as_str().unwrap().to_string();
    let token = created["token"].as_str().unwrap().to_string();
    assert!(key.starts_with("sk-"));
    assert_ne!(key, token);
    assert_eq!(created["key_alias"], "virtkey-abc12");
    assert!(created["expires"].is_string());

    let (status, again) = generate(&served, generate_body("virtkey-abc12")).await;
    assert_eq!(status, 400);
    assert_eq!(again["error"]["code"], "400");

    // Destroy the way the RHDP role does: list hashes, find the alias through info, delete.
    let (status, list) = get(&served, "/key/list", MASTER).await;
    assert_eq!(status, 200);
    assert_eq!(list["keys"], json!([token]));
    let (status, info) = get(&served, &format!("/key/info?key={token}"), MASTER).await;
    assert_eq!(status, 200);
    assert_eq!(info["info"]["key_alias"], "virtkey-abc12");
    assert_eq!(info["info"]["metadata"]["guid"], "abc12");
    assert_eq!(
        info["info"]["models"],
        json!(["llama-scout-17b", "qwen3-14b"])
    );
    let (status, deleted) = delete(&served, json!({"keys": [token]})).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["deleted_keys"], json!([token]));
    let (status, _) = get(&served, &format!("/key/info?key={token}"), MASTER).await;
    assert_eq!(status, 404);
    let (status, _) = served.post(&key, &chat_body(&[])).await.into_status();
    assert_eq!(status, 401);
}

trait IntoStatus {
    fn into_status(self) -> (u16, String);
}
impl IntoStatus for (u16, reqwest::header::HeaderMap, String) {
    fn into_status(self) -> (u16, String) {
        (self.0, self.2)
    }
}

#[tokio::test]
async fn generated_keys_reach_only_their_models() {
    let served = served().await;
    let (_, created) = generate(&served, generate_body("k1")).await;
    let key = created["key"].as_str().unwrap();
    let mut body = chat_body(&[]);
    body["model"] = json!("qwen3-14b");
    assert_eq!(served.post(key, &body).await.0, 200);
    body["model"] = json!("other");
    let (status, text) = served.post(key, &body).await.into_status();
    assert_eq!(status, 401);
    assert!(text.contains("key_model_access_denied"), "{text}");
    let (status, models) = get(&served, "/v1/models", key).await;
    assert_eq!(status, 200);
    assert_eq!(models["data"].as_array().unwrap().len(), 2);
    // A key may read its own info, not manage keys.
    let (status, own) = get(&served, "/key/info", key).await;
    assert_eq!(
        (status, own["info"]["key_alias"].as_str()),
        (200, Some("k1"))
    );
    let (status, _) = call(&served, Method::POST, "/key/generate", key, Some(json!({}))).await;
    assert_eq!(status, 401);
    let (status, _) = get(&served, "/key/list", "sk-testbed").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn budgets_and_expiry_are_enforced() {
    let served = served().await;
    let (_, created) = generate(&served, json!({"key_alias": "b", "max_budget": 0.5})).await;
    let key = created["key"].as_str().unwrap();
    let body = {
        let mut b = chat_body(&[]);
        b["model"] = json!("other");
        b
    };
    assert_eq!(served.post(key, &body).await.0, 200);
    assert!(served.llm.keys()[0].spend > 0.0);
    assert!(served.llm.set_key_spend("b", 0.5));
    let (status, text) = served.post(key, &body).await.into_status();
    assert_eq!(status, 400);
    assert!(text.contains("budget_exceeded"), "{text}");

    let (status, created) =
        generate(&served, json!({"key_alias": "short", "duration": "0s"})).await;
    assert_eq!(status, 200);
    let (status, text) = served
        .post(created["key"].as_str().unwrap(), &body)
        .await
        .into_status();
    assert_eq!(status, 401);
    assert!(text.contains("Expired Key"), "{text}");
    let (status, bad) = generate(&served, json!({"duration": "three days"})).await;
    assert_eq!(
        (status, bad["error"]["param"].as_str()),
        (400, Some("duration"))
    );
}

#[tokio::test]
async fn delete_by_alias_and_unknown_keys() {
    let served = served().await;
    generate(&served, generate_body("gone")).await;
    let (status, _) = delete(&served, json!({"keys": ["sk-nope"]})).await;
    assert_eq!(status, 404);
    let (status, _) = delete(&served, json!({})).await;
    assert_eq!(status, 400);
    let (status, deleted) = delete(&served, json!({"key_aliases": ["gone"]})).await;
    assert_eq!(
        (status, deleted["deleted_keys"].clone()),
        (200, json!(["gone"]))
    );
    assert!(served.llm.keys().is_empty());
}

#[tokio::test]
async fn list_filters_pages_and_rejects_bad_numbers() {
    let served = served().await;
    for alias in ["a", "b", "c"] {
        generate(&served, generate_body(alias)).await;
    }
    let (status, page) = get(&served, "/key/list?size=2&page=2", MASTER).await;
    assert_eq!(status, 200);
    assert_eq!(
        (page["total_count"].as_u64(), page["total_pages"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(page["keys"].as_array().unwrap().len(), 1);
    let (_, only_b) = get(
        &served,
        "/key/list?key_alias=b&return_full_object=true",
        MASTER,
    )
    .await;
    assert_eq!(only_b["keys"].as_array().unwrap().len(), 1);
    assert_eq!(only_b["keys"][0]["key_alias"], "b");
    assert!(only_b["keys"][0]["token"].as_str().unwrap().len() == 64);
    let (status, bad) = get(&served, "/key/list?page=x", MASTER).await;
    assert_eq!(
        (status, bad["error"]["param"].as_str()),
        (400, Some("page"))
    );
}
