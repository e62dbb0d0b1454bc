//! Discovery, content negotiation (Table, metadata, protobuf-only Accept) and the
//! SelfSubjectAccessReview in JSON and protobuf.

use axum::body::Body;
use http::StatusCode;
use kube_emulator::{Identity, KubeEmulator};
use serde_json::json;

use super::util::{JSON, json_of, reason};

#[tokio::test]
async fn discovery_tables_and_metadata() {
    let emu = KubeEmulator::new();
    emu.seed_lab("user1");
    let aggregated = (
        "accept",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    );
    let (_, apis) = json_of(&emu, "GET", "/apis?timeout=10s", &[], Body::empty()).await;
    assert_eq!(apis["kind"], "APIGroupList");
    assert!(
        apis["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "tekton.dev" && g["preferredVersion"]["version"] == "v1")
    );
    let (_, agg) = json_of(
        &emu,
        "GET",
        "/apis?timeout=10s",
        &[aggregated],
        Body::empty(),
    )
    .await;
    assert_eq!(agg["kind"], "APIGroupDiscoveryList");
    let apps = agg["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    assert_eq!(
        (
            deploy["scope"].as_str(),
            deploy["responseKind"]["kind"].as_str()
        ),
        (Some("Namespaced"), Some("Deployment"))
    );
    assert!(
        deploy["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["subresource"] == "scale")
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
