//! Raw HTTP against the router in process: bad input gives the exact Status (never a
//! panic), content negotiation (Table, metadata, protobuf-only Accept), the protobuf
//! SelfSubjectAccessReview, watch resume and expiry, scale, defaulting.

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::{Value, json};
use testbed::kube::{Identity, KubeEmulator};
use tower::ServiceExt;

async fn send(
    emu: &KubeEmulator,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = emu
        .router()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn json_of(
    emu: &KubeEmulator,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let (status, text) = send(emu, method, uri, headers, body).await;
    (
        status,
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {uri}: not JSON ({e}): {text}")),
    )
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn reason(v: &Value) -> (&str, u64) {
    assert_eq!(v["kind"], "Status", "{v}");
    (v["reason"].as_str().unwrap(), v["code"].as_u64().unwrap())
}

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
async fn discovery_tables_and_metadata() {
    let emu = KubeEmulator::new();
    emu.seed_lab("user1");
    let aggregated = (
        "accept",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    );
    let (_, apis) = json_of(
        &emu,
        "GET",
        "/apis?timeout=10s",
        &[aggregated],
        Body::empty(),
    )
    .await;
    assert_eq!(apis["kind"], "APIGroupList");
    assert!(
        apis["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "tekton.dev" && g["preferredVersion"]["version"] == "v1")
    );
    let (_, core) = json_of(&emu, "GET", "/api/v1", &[], Body::empty()).await;
    assert!(
        core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "pods/log" && r["verbs"] == json!(["get"]))
    );
    let (s, _) = json_of(&emu, "GET", "/apis/nope.example.com/v1", &[], Body::empty()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, version) = json_of(&emu, "GET", "/version", &[], Body::empty()).await;
    assert_eq!(version["major"], "1");

    let table_accept = (
        "accept",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    );
    let (_, table) = json_of(
        &emu,
        "GET",
        "/api/v1/namespaces/librechat-user1/pods",
        &[table_accept],
        Body::empty(),
    )
    .await;
    assert_eq!(table["kind"], "Table");
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(&cols[..5], ["Name", "Ready", "Status", "Restarts", "Age"]);
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "librechat-5d8c9b7f6-h7j3k")
        .unwrap();
    assert_eq!(
        row["cells"].as_array().unwrap()[1..4],
        [json!("0/1"), json!("CrashLoopBackOff"), json!("5")]
    );
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["namespace"], "librechat-user1");

    let meta_accept = (
        "accept",
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
    );
    let (_, list) = json_of(
        &emu,
        "GET",
        "/api/v1/namespaces",
        &[meta_accept],
        Body::empty(),
    )
    .await;
    assert_eq!(list["kind"], "PartialObjectMetadataList");
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("spec").is_none())
    );
    let (_, plain) = json_of(
        &emu,
        "GET",
        "/api/v1/namespaces/agent-user1/pods?&limit=1",
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(plain["kind"], "PodList");
    assert_eq!(plain["items"].as_array().unwrap().len(), 1);
    assert!(plain["metadata"]["continue"].is_string());
}

/// A protobuf SelfSubjectAccessReview as client-go encodes it (length-delimited fields).
fn protobuf_review(namespace: &str, verb: &str, resource: &str) -> Vec<u8> {
    fn ld(field: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(field << 3) | 2, u8::try_from(payload.len()).unwrap()];
        out.extend_from_slice(payload);
        out
    }
    let attrs = [
        ld(1, namespace.as_bytes()),
        ld(2, verb.as_bytes()),
        ld(4, b"v1"),
        ld(5, resource.as_bytes()),
    ]
    .concat();
    let review = [ld(1, b""), ld(2, &ld(1, &attrs))].concat();
    let type_meta = [
        ld(1, b"authorization.k8s.io/v1"),
        ld(2, b"SelfSubjectAccessReview"),
    ]
    .concat();
    [
        b"k8s\0".as_slice(),
        &ld(1, &type_meta),
        &ld(2, &review),
        &ld(4, b"application/vnd.kubernetes.protobuf"),
    ]
    .concat()
}

#[tokio::test]
async fn self_subject_access_review_json_and_protobuf() {
    let emu = KubeEmulator::new();
    emu.add_identity("ro", Identity::read_only("viewer", &["team"]));
    let url = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    let pb = [
        ("content-type", "application/vnd.kubernetes.protobuf"),
        (
            "accept",
            "application/vnd.kubernetes.protobuf,application/json",
        ),
        ("authorization", "Bearer ro"),
    ];
    let (s, v) = json_of(
        &emu,
        "POST",
        url,
        &pb,
        protobuf_review("team", "list", "pods"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (v["kind"].as_str(), v["status"]["allowed"].as_bool()),
        (Some("SelfSubjectAccessReview"), Some(true))
    );
    let (_, v) = json_of(&emu, "POST", url, &pb, protobuf_review("", "list", "pods")).await;
    assert_eq!(
        v["status"]["allowed"], false,
        "cluster-wide list is outside the namespace grant"
    );
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {"resourceAttributes": {"namespace": "team", "verb": "delete", "resource": "pods"}}});
    let (_, v) = json_of(
        &emu,
        "POST",
        url,
        &[JSON, ("authorization", "Bearer ro")],
        body.to_string(),
    )
    .await;
    assert_eq!(v["status"]["allowed"], false);
    let (s, v) = json_of(&emu, "POST", url, &pb, b"k8s\0\x0a\xff".to_vec()).await;
    assert_eq!(
        (s, reason(&v)),
        (StatusCode::BAD_REQUEST, ("BadRequest", 400))
    );
}

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
    for n in 0..4200 {
        json_of(
            &emu,
            "PATCH",
            &format!("{cms}/w"),
            &[("content-type", "application/merge-patch+json")],
            format!(r#"{{"data":{{"n":"x{n}"}}}}"#),
        )
        .await;
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
