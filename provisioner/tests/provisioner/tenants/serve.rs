//! `provisioner serve` over a real socket: orders are accepted at once, run on a bounded
//! worker pool, can be followed with GET, and deleted; bad orders get 4xx.

use std::time::{Duration, Instant};

use emulator_support::serve::spawn_http;
use provisioner::Mode;
use provisioner::serve::{ApiToken, AppState, router};
use serde_json::{Value, json};

use super::lab::{Expand, Lab, tenant_objects};

const TOKEN: &str = "test-api-token-0123456789";

/// A client sending the API token on every request.
fn authed() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {TOKEN}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn phase(http: &reqwest::Client, base: &str, u: &str) -> Value {
    http.get(format!("{base}/tenants/{u}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn wait_phase(http: &reqwest::Client, base: &str, u: &str, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let got = phase(http, base, u).await;
        if got["phase"] == want {
            return got;
        }
        assert!(got["phase"] != "failed", "{u}: {got}");
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{u} never reached {want}: {got}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn orders_over_http_with_a_bounded_pool() {
    let lab = Lab::start(Expand::Nothing).await;
    let state = AppState::new(lab.provisioner(Mode::Bootstrap), 3)
        .with_token(ApiToken::new(TOKEN).unwrap());
    let server = spawn_http(router(state), 0).await.unwrap();
    let base = server.base_url();
    let http = authed();

    let post = |body: Value| http.post(format!("{base}/tenants")).json(&body).send();
    assert_eq!(
        post(json!({ "username": "Bad_Name", "guid": "g" }))
            .await
            .unwrap()
            .status(),
        422
    );
    let raw = http
        .post(format!("{base}/tenants"))
        .body("nope")
        .send()
        .await
        .unwrap();
    assert!(raw.status().is_client_error());
    assert_eq!(
        http.get(format!("{base}/tenants/nobody"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        http.delete(format!("{base}/tenants/nobody"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    let users: Vec<String> = (0..6).map(|i| format!("s{i}")).collect();
    for u in &users {
        let resp = post(json!({ "username": u, "guid": format!("g{u}") }))
            .await
            .unwrap();
        assert_eq!(resp.status(), 202, "{u}");
    }
    let again = post(json!({ "username": "s0", "guid": "gs0" }))
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a tenant has one operation in flight");
    for u in &users {
        let done = wait_phase(&http, &base, u, "ready").await;
        assert_eq!(done["report"]["steps"].as_array().unwrap().len(), 13, "{u}");
    }
    for u in &users {
        let resp = http
            .delete(format!("{base}/tenants/{u}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202);
    }
    for u in &users {
        wait_phase(&http, &base, u, "destroyed").await;
        assert!(tenant_objects(&lab.kube, u).is_empty(), "{u}");
    }
}

/// Attack: the API without a token, with a wrong one, and destroy with another order's
/// guid: 401 / 409, nothing created or deleted.
#[tokio::test]
async fn the_api_refuses_callers_without_the_token_and_wrong_guids() {
    let lab = Lab::start(Expand::Nothing).await;
    let state = AppState::new(lab.provisioner(Mode::Bootstrap), 2)
        .with_token(ApiToken::new(TOKEN).unwrap());
    let server = spawn_http(router(state), 0).await.unwrap();
    let base = server.base_url();
    let anonymous = reqwest::Client::new();
    let order = json!({ "username": "alice", "guid": "galice" });
    let wrong = format!("Bearer {}x", TOKEN);
    for auth in [None, Some(wrong.as_str()), Some("Bearer "), Some(TOKEN)] {
        let mut post = anonymous.post(format!("{base}/tenants")).json(&order);
        let mut delete = anonymous.delete(format!("{base}/tenants/alice?guid=galice"));
        let mut get = anonymous.get(format!("{base}/stats"));
        if let Some(a) = auth {
            post = post.header("Authorization", a);
            delete = delete.header("Authorization", a);
            get = get.header("Authorization", a);
        }
        for req in [post, delete, get] {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 401, "{auth:?}");
            let body: Value = resp.json().await.unwrap();
            assert!(
                body["error"].as_str().unwrap().contains("bearer token"),
                "{body}"
            );
        }
    }
    assert!(tenant_objects(&lab.kube, "alice").is_empty());
    let health = anonymous
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the health check stays open");

    let http = authed();
    assert_eq!(
        http.post(format!("{base}/tenants"))
            .json(&order)
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    wait_phase(&http, &base, "alice", "ready").await;
    let before = tenant_objects(&lab.kube, "alice");
    let resp = http
        .delete(format!("{base}/tenants/alice?guid=someone-else"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["field"], "guid", "{body}");
    let resp = http
        .post(format!("{base}/tenants"))
        .json(&json!({ "username": "alice", "guid": "someone-else" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        409,
        "another order may not re-provision alice"
    );
    // A username colliding with alice's tenant: 422 naming the field, at once.
    let resp = http
        .post(format!("{base}/tenants"))
        .json(&json!({ "username": "x-alice", "guid": "gx" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.json::<Value>().await.unwrap()["field"], "username");
    let resp = http
        .post(format!("{base}/tenants"))
        .json(&json!({ "username": "monitoring", "guid": "gm" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(
        tenant_objects(&lab.kube, "alice"),
        before,
        "nothing deleted"
    );
    let resp = http
        .delete(format!("{base}/tenants/alice?guid=galice"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    wait_phase(&http, &base, "alice", "destroyed").await;
    assert!(tenant_objects(&lab.kube, "alice").is_empty());
}
