//! The conformance check must fail when a shape drifts: deliberately wrong values, unknown
//! fields and nulls where Go never writes one are rejected, on responses and requests.

use serde_json::{Value, json};

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
