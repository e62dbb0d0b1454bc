//! Watch resume from a resourceVersion and 410 Expired; defaulting, dry runs,
//! generateName and the scale subresource over raw HTTP.

use axum::body::Body;
use http::StatusCode;
use kube_emulator::KubeEmulator;
use serde_json::{Value, json};

use super::util::{JSON, json_of, send};

#[tokio::test]
async fn watch_resumes_from_a_resource_version_and_expires_old_ones() {
    let emu = KubeEmulator::new();
    let cms = "/api/v1/namespaces/default/configmaps";
    let (_, created) = json_of(
        &emu,
        "POST",
        cms,
        &[JSON],
        r#"{"metadata":{"name":"w","labels":{"app":"x"}},"data":{"n":"0"}}"#,
    )
    .await;
    let rv = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    for n in 1..=3 {
        json_of(
            &emu,
            "PATCH",
            &format!("{cms}/w"),
            &[("content-type", "application/merge-patch+json")],
            format!(r#"{{"data":{{"n":"{n}"}}}}"#),
        )
        .await;
    }
    let (s, text) = send(
        &emu,
        "GET",
        &format!("{cms}?watch=true&resourceVersion={rv}&timeoutSeconds=1&labelSelector=app%3Dx"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        events
            .iter()
            .map(|e| e["object"]["data"]["n"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
    assert!(
        events
            .iter()
            .all(|e| e["type"] == "MODIFIED" && e["object"]["kind"] == "ConfigMap")
    );
    // Push the start RV out of the bounded history (through the Rust API: faster than HTTP).
    for n in 0..4200 {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w", "namespace": "default"}, "data": {"n": format!("x{n}")}});
        emu.apply_object(cm).unwrap();
    }
    let (_, text) = send(
        &emu,
        "GET",
        &format!("{cms}?watch=1&resourceVersion={rv}&timeoutSeconds=1"),
        &[],
        Body::empty(),
    )
    .await;
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        (
            first["type"].as_str(),
            first["object"]["reason"].as_str(),
            first["object"]["code"].as_u64()
        ),
        (Some("ERROR"), Some("Expired"), Some(410))
    );
}

#[tokio::test]
async fn defaults_dry_run_generate_name_and_scale() {
    let emu = KubeEmulator::new();
    let secrets = "/api/v1/namespaces/default/secrets";
    let (s, v) = json_of(
        &emu,
        "POST",
        secrets,
        &[JSON],
        r#"{"metadata":{"name":"s"},"stringData":{"token":"abc"}}"#,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (
            v["type"].as_str(),
            v["data"]["token"].as_str(),
            v.get("stringData")
        ),
        (Some("Opaque"), Some("YWJj"), None)
    );
    let (s, v) = json_of(
        &emu,
        "POST",
        &format!("{secrets}?dryRun=All"),
        &[JSON],
        r#"{"metadata":{"name":"dry"}}"#,
    )
    .await;
    assert_eq!(
        (s, v["metadata"]["name"].as_str()),
        (StatusCode::CREATED, Some("dry"))
    );
    assert!(emu.get("v1", "Secret", Some("default"), "dry").is_none());
    let (_, v) = json_of(
        &emu,
        "POST",
        secrets,
        &[JSON],
        r#"{"metadata":{"generateName":"gen-"}}"#,
    )
    .await;
    let name = v["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("gen-") && name.len() == 9, "{name}");

    let deploys = "/apis/apps/v1/namespaces/default/deployments";
    let deploy = json!({"metadata": {"name": "d"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    let (_, v) = json_of(&emu, "POST", deploys, &[JSON], deploy.to_string()).await;
    assert_eq!(v["metadata"]["generation"], 1);
    let (_, scale) = json_of(
        &emu,
        "GET",
        &format!("{deploys}/d/scale"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(
        (
            scale["kind"].as_str(),
            scale["spec"]["replicas"].as_i64(),
            scale["status"]["selector"].as_str()
        ),
        (Some("Scale"), Some(1), Some("app=d"))
    );
    let (s, scale) = json_of(
        &emu,
        "PATCH",
        &format!("{deploys}/d/scale"),
        &[("content-type", "application/merge-patch+json")],
        r#"{"spec":{"replicas":3}}"#,
    )
    .await;
    assert_eq!(
        (s, scale["spec"]["replicas"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    let d = emu
        .get("apps/v1", "Deployment", Some("default"), "d")
        .unwrap();
    assert_eq!(
        (
            d["spec"]["replicas"].as_i64(),
            d["metadata"]["generation"].as_i64()
        ),
        (Some(3), Some(2))
    );
}
