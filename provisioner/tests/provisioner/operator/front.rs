//! `serve` as the thin front over Tenant resources: the same API (202 order, GET phase,
//! 409 for another guid, 422 naming the field, 401 without the token), the operator doing
//! the work, DELETE leaving nothing.

use std::time::{Duration, Instant};

use emulator_support::serve::spawn_http;
use provisioner::front::{FrontState, router};
use provisioner::serve::ApiToken;
use serde_json::{Value, json};

use super::harness::{OpLab, PROFILE};
use crate::tenants::lab::tenant_objects;

const TOKEN: &str = "front-token-0123456789";

async fn call(
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_front_orders_reads_and_deletes_tenant_resources() {
    use reqwest::Method;
    let op = OpLab::start().await;
    let task = op.operator(op.options());
    let state =
        FrontState::new(op.client.clone(), PROFILE).with_token(ApiToken::new(TOKEN).unwrap());
    let server = spawn_http(router(state), 0).await.unwrap();
    let base = server.base_url().trim_end_matches('/').to_string();
    let tenants = format!("{base}/tenants");
    // Attacker without the token: 401, nothing created.
    let (s, _) = call(
        Method::POST,
        &tenants,
        Some(json!({"username": "lena", "guid": "glena"})),
        None,
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = call(
        Method::POST,
        &tenants,
        Some(json!({"username": "lena", "guid": "glena"})),
        Some("wrong-token-0123456789"),
    )
    .await;
    assert_eq!(s, 401);
    assert!(op.get("lena").await.is_none());
    let (s, body) = call(
        Method::POST,
        &tenants,
        Some(json!({"username": "kube-x", "guid": "g1"})),
        Some(TOKEN),
    )
    .await;
    assert_eq!(
        (s, body["field"].as_str()),
        (422, Some("username")),
        "{body}"
    );
    let (s, body) = call(
        Method::POST,
        &tenants,
        Some(json!({"username": "lena", "guid": "glena"})),
        Some(TOKEN),
    )
    .await;
    assert_eq!((s, body["phase"].as_str()), (202, Some("queued")), "{body}");
    let (s, body) = call(
        Method::POST,
        &tenants,
        Some(json!({"username": "lena", "guid": "gother"})),
        Some(TOKEN),
    )
    .await;
    assert_eq!((s, body["field"].as_str()), (409, Some("guid")), "{body}");
    let url = format!("{tenants}/lena");
    let start = Instant::now();
    loop {
        let (s, body) = call(Method::GET, &url, None, Some(TOKEN)).await;
        assert_eq!(s, 200);
        if body["phase"] == "ready" {
            assert_eq!(body["tenant"]["guid"], "glena");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, _) = call(
        Method::DELETE,
        &format!("{url}?guid=gother"),
        None,
        Some(TOKEN),
    )
    .await;
    assert_eq!(s, 409);
    assert!(
        op.lab.gitea.user_exists("lena"),
        "a wrong guid deletes nothing"
    );
    let (s, _) = call(
        Method::DELETE,
        &format!("{url}?guid=glena"),
        None,
        Some(TOKEN),
    )
    .await;
    assert_eq!(s, 202);
    op.wait_gone("lena").await;
    let (s, _) = call(Method::GET, &url, None, Some(TOKEN)).await;
    assert_eq!(s, 404);
    assert!(tenant_objects(&op.lab.kube, "lena").is_empty());
    task.abort();
}
