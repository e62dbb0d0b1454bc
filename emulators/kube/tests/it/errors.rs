//! Bad input gets the exact Status (never a panic, never a changed world).

use axum::body::Body;
use http::StatusCode;
use kube_emulator::KubeEmulator;

use serde_json::Value;

use super::util::{JSON, json_of, reason, send};

/// `content-type` of a server-side apply.
const APPLY: (&str, &str) = ("content-type", "application/apply-patch+yaml");

/// Sends one bad request and asserts the HTTP status and the Status `reason` it is
/// refused with (the Status `code` must be the HTTP status), naming the request on a
/// mismatch; returns the Status for checks particular to the case.
async fn refused(
    emu: &KubeEmulator,
    (method, uri): (&str, &str),
    headers: &[(&str, &str)],
    body: impl Into<Body>,
    (status, why): (StatusCode, &str),
) -> Value {
    let (s, v) = json_of(emu, method, uri, headers, body).await;
    assert_eq!(
        (s, reason(&v)),
        (status, (why, u64::from(status.as_u16()))),
        "{method} {uri}: {v}"
    );
    v
}

#[tokio::test]
async fn bad_input_gets_the_right_status() {
    let emu = KubeEmulator::new();
    let cms = "/api/v1/namespaces/default/configmaps";
    let bad_request = (StatusCode::BAD_REQUEST, "BadRequest");
    refused(&emu, ("POST", cms), &[JSON], "{not json", bad_request).await;
    let v = refused(
        &emu,
        ("GET", "/api/v1/namespaces/default/widgets"),
        &[],
        Body::empty(),
        (StatusCode::NOT_FOUND, "NotFound"),
    )
    .await;
    assert_eq!(
        v["message"],
        "the server could not find the requested resource"
    );
    let secret = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}}"#;
    refused(&emu, ("POST", cms), &[JSON], secret, bad_request).await;
    let big = format!(
        r#"{{"metadata":{{"name":"big"}},"data":{{"k":"{}"}}}}"#,
        "x".repeat(4 * 1024 * 1024)
    );
    let too_large = (StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge");
    refused(&emu, ("POST", cms), &[JSON], big, too_large).await;
    refused(
        &emu,
        ("GET", cms),
        &[("accept", "application/vnd.kubernetes.protobuf")],
        Body::empty(),
        (StatusCode::NOT_ACCEPTABLE, "NotAcceptable"),
    )
    .await;
    let v = refused(
        &emu,
        ("POST", cms),
        &[JSON],
        r#"{"metadata":{"name":"Bad_Name"}}"#,
        (StatusCode::UNPROCESSABLE_ENTITY, "Invalid"),
    )
    .await;
    assert_eq!(v["details"]["causes"][0]["field"], "metadata.name");
    let selector = format!("{cms}?labelSelector=a%20b%20c");
    refused(&emu, ("GET", &selector), &[], Body::empty(), bad_request).await;
    let apply = "apiVersion: v1\nkind: ConfigMap\n";
    let v = refused(
        &emu,
        ("PATCH", &format!("{cms}/x")),
        &[APPLY],
        apply,
        bad_request,
    )
    .await;
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("fieldManager: Required value")
    );
    let managed = format!("{cms}/x?fieldManager=m");
    let unclosed = "apiVersion: v1\nkind: ConfigMap\ndata: {a: [unclosed";
    refused(&emu, ("PATCH", &managed), &[APPLY], unclosed, bad_request).await;
    let (s, v) = json_of(
        &emu,
        "DELETE",
        "/api/v1/namespaces/default/pods",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    refused(
        &emu,
        ("POST", "/api/v1/namespaces/default/pods/x"),
        &[JSON],
        "{}",
        (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
    )
    .await;
    emu.seed_lab("u");
    let runs = "/apis/tekton.dev/v1/namespaces/agent-u/pipelineruns/build-agent-7xk2p";
    refused(
        &emu,
        ("PATCH", runs),
        &[("content-type", "application/strategic-merge-patch+json")],
        "{}",
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType"),
    )
    .await;
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
        "k8s\u{0}",
        "k8s\u{0}\n\u{5}abc",
        "k8s\u{0}\n\u{4}\n\u{2}v1\u{12}\u{7f}",
        "k8s\u{0}\n\u{d}\n\u{2}v1\u{12}\u{7}Secret\u{12}\u{3}\n\u{1}\u{ff}",
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
            let pb = "application/vnd.kubernetes.protobuf";
            for (method, ct) in [
                ("POST", content_types[0]),
                ("PUT", content_types[0]),
                ("POST", pb),
                ("PUT", pb),
            ]
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
