use serde_json::{Value, json};
use testbed::llm::{LlmConfig, Script};

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
    method: reqwest::Method,
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
    let post = reqwest::Method::POST;
    let get = reqwest::Method::GET;
    let (status, created) = call(
        &served,
        post.clone(),
        "/key/generate",
        "sk-master",
        Some(generate_body("virtkey-abc12")),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let key = created["key"].as_str().unwrap().to_string();
    let token = created["token"].as_str().unwrap().to_string();
    assert!(key.starts_with("sk-"));
    assert_ne!(key, token);
    assert_eq!(created["key_alias"], "virtkey-abc12");
    assert!(created["expires"].is_string());

    let (status, again) = call(
        &served,
        post.clone(),
        "/key/generate",
        "sk-master",
        Some(generate_body("virtkey-abc12")),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(again["error"]["code"], "400");

    // Destroy the way the RHDP role does: list hashes, find the alias through info, delete.
    let (status, list) = call(&served, get.clone(), "/key/list", "sk-master", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["keys"], json!([token]));
    let (status, info) = call(
        &served,
        get.clone(),
        &format!("/key/info?key={token}"),
        "sk-master",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(info["info"]["key_alias"], "virtkey-abc12");
    assert_eq!(info["info"]["metadata"]["guid"], "abc12");
    assert_eq!(
        info["info"]["models"],
        json!(["llama-scout-17b", "qwen3-14b"])
    );
    let (status, deleted) = call(
        &served,
        post.clone(),
        "/key/delete",
        "sk-master",
        Some(json!({"keys": [token]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(deleted["deleted_keys"], json!([token]));
    let (status, _) = call(
        &served,
        get,
        &format!("/key/info?key={token}"),
        "sk-master",
        None,
    )
    .await;
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
    let (_, created) = call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        "sk-master",
        Some(generate_body("k1")),
    )
    .await;
    let key = created["key"].as_str().unwrap();
    let mut body = chat_body(&[]);
    body["model"] = json!("qwen3-14b");
    assert_eq!(served.post(key, &body).await.0, 200);
    body["model"] = json!("other");
    let (status, text) = served.post(key, &body).await.into_status();
    assert_eq!(status, 401);
    assert!(text.contains("key_model_access_denied"), "{text}");
    let (status, models) = call(&served, reqwest::Method::GET, "/v1/models", key, None).await;
    assert_eq!(status, 200);
    assert_eq!(models["data"].as_array().unwrap().len(), 2);
    // A key may read its own info, not manage keys.
    let (status, own) = call(&served, reqwest::Method::GET, "/key/info", key, None).await;
    assert_eq!(
        (status, own["info"]["key_alias"].as_str()),
        (200, Some("k1"))
    );
    let (status, _) = call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        key,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = call(
        &served,
        reqwest::Method::GET,
        "/key/list",
        "sk-testbed",
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn budgets_and_expiry_are_enforced() {
    let served = served().await;
    let (_, created) = call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        "sk-master",
        Some(json!({"key_alias": "b", "max_budget": 0.5})),
    )
    .await;
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

    let (status, created) = call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        "sk-master",
        Some(json!({"key_alias": "short", "duration": "0s"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, text) = served
        .post(created["key"].as_str().unwrap(), &body)
        .await
        .into_status();
    assert_eq!(status, 401);
    assert!(text.contains("Expired Key"), "{text}");
    let (status, bad) = call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        "sk-master",
        Some(json!({"duration": "three days"})),
    )
    .await;
    assert_eq!(
        (status, bad["error"]["param"].as_str()),
        (400, Some("duration"))
    );
}

#[tokio::test]
async fn delete_by_alias_and_unknown_keys() {
    let served = served().await;
    call(
        &served,
        reqwest::Method::POST,
        "/key/generate",
        "sk-master",
        Some(generate_body("gone")),
    )
    .await;
    let (status, _) = call(
        &served,
        reqwest::Method::POST,
        "/key/delete",
        "sk-master",
        Some(json!({"keys": ["sk-nope"]})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &served,
        reqwest::Method::POST,
        "/key/delete",
        "sk-master",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, deleted) = call(
        &served,
        reqwest::Method::POST,
        "/key/delete",
        "sk-master",
        Some(json!({"key_aliases": ["gone"]})),
    )
    .await;
    assert_eq!(
        (status, deleted["deleted_keys"].clone()),
        (200, json!(["gone"]))
    );
    assert!(served.llm.keys().is_empty());
}
