//! Bad input gets the exact Status (never a panic, never a changed world).

use axum::body::Body;
use http::StatusCode;
use testbed::kube::KubeEmulator;

use serde_json::Value;

use super::util::{JSON, json_of, reason, send};

#[tokio::test]
async fn bad_input_gets_the_right_status() {
    let emu = KubeEmulator::new();
    let cms = "/api/v1/namespaces/default/configmaps";
    let (s, v) = json_of(&emu, "POST", cms, &[JSON], "{not json").await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
    let (s, v) = json_of(
        &emu,
        "GET",
        "/api/v1/namespaces/default/widgets",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!((s, reason(&v)), (StatusCode::NOT_FOUND, ("NotFound", 404)));
    assert_eq!(
        v["message"],
        "the server could not find the requested resource"
    );
    let (s, v) = json_of(
        &emu,
        "POST",
        cms,
        &[JSON],
        r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#,
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
    let big = format!(
        r#"{{"metadata":{{"name":"big"}},"data":{{"k":"{}"}}}}"#,
        "x".repeat(4 * 1024 * 1024)
    );
    let (s, v) = json_of(&emu, "POST", cms, &[JSON], big).await;
    assert_eq!(
        (s, reason(&v)),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            ("RequestEntityTooLarge", 413)
        )
    );
    let (s, v) = json_of(
        &emu,
        "GET",
        cms,
        &[("accept", "application/vnd.kubernetes.protobuf")],
        Body::empty(),
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::NOT_ACCEPTABLE, ("NotAcceptable", 406))
    );
    let (s, v) = json_of(
        &emu,
        "POST",
        cms,
        &[JSON],
        r#"{"metadata":{"name":"Bad_Name"}}"#,
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, ("Invalid", 422))
    );
    assert_eq!(v["details"]["causes"][0]["field"], "metadata.name");
    let (s, v) = json_of(
        &emu,
        "GET",
        &format!("{cms}?labelSelector=a%20b%20c"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
    let (s, v) = json_of(
        &emu,
        "PATCH",
        &format!("{cms}/x"),
        &[("content-type", "application/apply-patch+yaml")],
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("fieldManager: Required value")
    );
    let (s, v) = json_of(
        &emu,
        "PATCH",
        &format!("{cms}/x?fieldManager=m"),
        &[("content-type", "application/apply-patch+yaml")],
        "apiVersion: v1\nkind: ConfigMap\ndata: {a: [unclosed",
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
    let (s, v) = json_of(
        &emu,
        "DELETE",
        "/api/v1/namespaces/default/pods",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = json_of(
        &emu,
        "POST",
        "/api/v1/namespaces/default/pods/x",
        &[JSON],
        "{}",
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::METHOD_NOT_ALLOWED, ("MethodNotAllowed", 405))
    );
    emu.seed_lab("u");
    let runs = "/apis/tekton.dev/v1/namespaces/agent-u/pipelineruns/build-agent-7xk2p";
    let (s, v) = json_of(
        &emu,
        "PATCH",
        runs,
        &[("content-type", "application/strategic-merge-patch+json")],
        "{}",
    )
    .await;
    assert_eq!(
        (s, reason(&v)),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ("UnsupportedMediaType", 415)
        )
    );
    // The world is intact after all of that.
    assert!(
        emu.get(
            "tekton.dev/v1",
            "PipelineRun",
            Some("agent-u"),
            "build-agent-7xk2p"
        )
        .is_some()
    );
}

#[tokio::test]
async fn odd_bodies_never_panic_or_corrupt_the_store() {
    let emu = KubeEmulator::new();
    emu.seed_lab("u");
    let rv_before = emu.resource_version();
    let bodies = [
        "[]",
        "\"text\"",
        "null",
        "42",
        "{\"metadata\": 5}",
        "{\"metadata\": {\"name\": 5}}",
        "{\"metadata\": {\"name\": \"\"}}",
        "{\"kind\": 7, \"apiVersion\": []}",
        "{\"metadata\": {\"name\": \"x\", \"labels\": \"nope\"}}",
        "{\"spec\": null, \"status\": 3}",
        "{\"metadata\": {\"name\": \"x\", \"finalizers\": \"f\"}}",
        "\u{0}\u{1}",
        "",
    ];
    let urls = [
        "/api/v1/namespaces/u-missing/configmaps",
        "/api/v1/namespaces/agent-u/pods",
        "/api/v1/namespaces/agent-u/pods/build-agent-7xk2p-build-pod-retry2",
        "/api/v1/namespaces/agent-u/pods/build-agent-7xk2p-build-pod-retry2/status",
        "/api/v1/namespaces/agent-u",
        "/apis/tekton.dev/v1/namespaces/agent-u/pipelineruns/build-agent-7xk2p",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "/apis/apps/v1/namespaces/agent-u/deployments/none/scale",
    ];
    let content_types = [
        "application/json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
        "application/apply-patch+yaml",
    ];
    for url in urls {
        for body in bodies {
            for (method, ct) in [("POST", content_types[0]), ("PUT", content_types[0])]
                .into_iter()
                .chain(content_types.iter().map(|ct| ("PATCH", *ct)))
            {
                let url = if method == "PATCH" {
                    format!("{url}?fieldManager=fuzz")
                } else {
                    url.to_string()
                };
                let (status, text) = send(
                    &emu,
                    method,
                    &url,
                    &[("content-type", ct)],
                    body.to_string(),
                )
                .await;
                assert!(
                    status.is_client_error() || status.is_success(),
                    "{method} {url} {ct} {body:?} → {status}: {text}"
                );
                if status.is_client_error() {
                    let v: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|_| panic!("{method} {url} {body:?}: {text}"));
                    assert_eq!(v["kind"], "Status");
                }
            }
        }
    }
    // Nothing above was a valid write to an existing object.
    let pod = emu
        .get(
            "v1",
            "Pod",
            Some("agent-u"),
            "build-agent-7xk2p-build-pod-retry2",
        )
        .unwrap();
    assert_eq!(pod["status"]["phase"], "Failed");
    assert!(emu.resource_version() >= rv_before);
    let _ = StatusCode::OK;
}
