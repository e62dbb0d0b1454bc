//! The conformance check must fail when a shape drifts: deliberately wrong values, unknown
//! fields and nulls where Go never writes one are rejected, on responses and requests.

use serde_json::{Value, json};

use super::checker::{Checker, Who};
use super::common::Fixture;
use super::spec::Spec;

#[tokio::test]
async fn drift_is_detected() {
    let f = Fixture::new().await;
    let spec = Spec::load();
    let response = f
        .client
        .post(f.url("/repos/user1/mcp/issues"))
        .header("Authorization", format!("token {}", f.lab.user_token))
        .json(&json!({"title": "t"}))
        .send()
        .await
        .unwrap();
    let issue: Value = response.json().await.unwrap();
    spec.validate_definition("Issue", &issue).unwrap();
    let mut wrong_type = issue.clone();
    wrong_type["number"] = json!("1");
    assert!(
        spec.validate_definition("Issue", &wrong_type).is_err(),
        "number as a string must fail"
    );
    let mut misspelt = issue.clone();
    misspelt["html-url"] = issue["html_url"].clone();
    assert!(
        spec.validate_definition("Issue", &misspelt).is_err(),
        "unknown field must fail"
    );
    let mut nested = issue.clone();
    nested["user"]["id"] = json!("x");
    assert!(
        spec.validate_definition("Issue", &nested).is_err(),
        "nested drift must fail"
    );
    let mut not_null = issue;
    not_null["title"] = Value::Null;
    assert!(
        spec.validate_definition("Issue", &not_null).is_err(),
        "a Go string is never null"
    );
    // Request side: a body the spec does not allow is caught before sending.
    let op = spec
        .operation("POST", "/repos/{owner}/{repo}/issues")
        .unwrap();
    let schema = spec.body_schema(op).unwrap();
    assert!(
        spec.validate(&schema, &json!({"title": "ok", "labels": [1]}))
            .is_ok()
    );
    assert!(
        spec.validate(&schema, &json!({"title": "ok", "labels": ["bug"]}))
            .is_err()
    );
    assert!(
        spec.validate(&schema, &json!({"body": "no title"}))
            .is_err()
    );
}

/// Renames `number` to `index` in every JSON object response, as a drifted server would.
async fn tamper(response: axum::response::Response) -> axum::response::Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(number) = value.as_object_mut().and_then(|m| m.remove("number")) {
        value["index"] = number;
    }
    let mut parts = parts;
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    axum::response::Response::from_parts(parts, axum::body::Body::from(value.to_string()))
}

#[tokio::test]
async fn the_checker_fails_on_a_drifted_server() {
    let emu = gitea_emulator::GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let router = emu.router().layer(axum::middleware::map_response(tamper));
    let server = emulator_support::serve::spawn_http(router, 0)
        .await
        .unwrap();
    emu.set_root_url(&server.base_url());
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    let mut c = Checker::for_server(client, &server.base_url());
    let who = Who::Token(&lab.user_token);
    c.post(who, "/repos/user1/mcp/issues", json!({"title": "t"}), 201)
        .await;
    assert_eq!(c.failures.len(), 1, "{:?}", c.failures);
    assert!(
        c.failures[0].contains("response drifts from the spec"),
        "{:?}",
        c.failures
    );
    assert!(
        c.failures[0].contains("'index' was unexpected"),
        "{:?}",
        c.failures
    );
    c.failures.clear();
}
