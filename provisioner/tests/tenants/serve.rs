//! `provisioner serve` over a real socket: orders are accepted at once, run on a bounded
//! worker pool, can be followed with GET, and deleted; bad orders get 4xx.

use std::time::{Duration, Instant};

use provisioner::Mode;
use provisioner::serve::{AppState, router};
use serde_json::{Value, json};
use testbed::serve::spawn_http;

use super::lab::{Expand, Lab, tenant_objects};

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
    let lab = Lab::start(Expand::BootstrapOnly).await;
    let server = spawn_http(
        router(AppState::new(lab.provisioner(Mode::Bootstrap), 3)),
        0,
    )
    .await
    .unwrap();
    let base = server.base_url();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

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
