//! `/openapi/v2|v3` and schema validation: kubectl's default `apply` (client-side
//! validation, `fieldValidation=Strict`) and `explain` work unchanged; a misspelt field is
//! refused as a cluster refuses it; kube-rs gets 422 Invalid naming the field; the
//! default `Warn` prunes unknown fields with a Warning header.

use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::ApiResource;
use serde_json::json;

use super::util::{json_of, send, served_lab};

const MCP: &str = r#"
apiVersion: toolhive.stacklok.dev/v1alpha1
kind: MCPServer
metadata:
  name: fetch
  namespace: default
spec:
  image: ghcr.io/stackloklabs/gofetch/server:1.0.2
  transport: streamable-http
  proxyPort: 8080
"#;

#[tokio::test]
async fn kubectl_apply_with_default_validation_and_explain() {
    let s = served_lab().await;
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
    let out = s.kubectl_stdin(&["apply", "-f", "-"], pod).await;
    assert!(out.contains("pod/p created"), "{out}");
    let out = s.kubectl_stdin(&["apply", "-f", "-"], MCP).await;
    assert!(
        out.contains("mcpserver.toolhive.stacklok.dev/fetch created"),
        "{out}"
    );
    // A misspelt field: refused, naming it, and nothing stored.
    let bad = s
        .kubectl_as(
            None,
            &["apply", "-f", "-"],
            Some(
                &MCP.replace("name: fetch", "name: fetch2")
                    .replace("proxyPort", "proxyPrt"),
            ),
        )
        .await;
    assert!(!bad.ok, "{}", bad.stdout);
    assert!(
        bad.stderr.contains("unknown field \"spec.proxyPrt\""),
        "{}",
        bad.stderr
    );
    assert!(
        s.emu
            .get(
                "toolhive.stacklok.dev/v1alpha1",
                "MCPServer",
                Some("default"),
                "fetch2"
            )
            .is_none()
    );
    let bad = s
        .kubectl_as(
            None,
            &["apply", "-f", "-"],
            Some(
                &pod.replace("name: p\n", "name: q\n")
                    .replace("image: busybox", "imagee: busybox"),
            ),
        )
        .await;
    assert!(
        !bad.ok
            && bad
                .stderr
                .contains("unknown field \"spec.containers[0].imagee\""),
        "{}",
        bad.stderr
    );
    // A wrong value of a custom resource: 422 naming the field.
    let bad = s
        .kubectl_as(
            None,
            &["apply", "-f", "-"],
            Some(&MCP.replace("streamable-http", "carrier-pigeon")),
        )
        .await;
    assert!(
        !bad.ok
            && bad
                .stderr
                .contains("spec.transport: Unsupported value: \"carrier-pigeon\""),
        "{}",
        bad.stderr
    );
    // explain reads the vendored built-in documents and the CRD-generated ones.
    let out = s.kubectl(&["explain", "pod.spec.containers.image"]).await;
    assert!(out.contains("FIELD: image <string>"), "{out}");
    let out = s.kubectl(&["explain", "mcpservers.spec.transport"]).await;
    assert!(
        out.contains("transport") && out.contains("streamable-http"),
        "{out}"
    );
    let out = s.kubectl(&["explain", "routes.spec.to"]).await;
    assert!(out.contains("FIELD: to"), "{out}");
    // kubectl asks for the v2 document as protobuf only (client-side apply's patch
    // computation); it gets 406 and works from v3.
    for r in s
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path == "/openapi/v2")
    {
        assert!(
            r.accept.contains("protobuf") && !r.accept.contains("json"),
            "{}",
            r.accept
        );
    }
    let v3 = s
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/openapi/v3/"))
        .count();
    assert!(v3 > 0);
}

#[tokio::test]
async fn openapi_documents_and_v2_negotiation() {
    let emu = kube_emulator::KubeEmulator::new();
    let (code, index) = json_of(&emu, "GET", "/openapi/v3", &[], "").await;
    assert_eq!(code, 200);
    for gv in [
        "api/v1",
        "apis/apps/v1",
        "apis/tekton.dev/v1",
        "apis/route.openshift.io/v1",
        "apis/argoproj.io/v1alpha1",
    ] {
        let url = index["paths"][gv]["serverRelativeURL"]
            .as_str()
            .unwrap_or_else(|| panic!("{gv}: {index}"));
        assert!(url.starts_with(&format!("/openapi/v3/{gv}?hash=")), "{url}");
        let (code, doc) = json_of(&emu, "GET", url, &[], "").await;
        assert_eq!(code, 200, "{gv}");
        assert!(
            doc["components"]["schemas"]
                .as_object()
                .is_some_and(|m| !m.is_empty()),
            "{gv}"
        );
    }
    // A CRD created later gets its document.
    assert!(
        index["paths"]
            .get("apis/monitoring.coreos.com/v1")
            .is_none()
    );
    emu.install_crd("servicemonitors.monitoring.coreos.com")
        .unwrap();
    let (_, index) = json_of(&emu, "GET", "/openapi/v3", &[], "").await;
    let (_, doc) = json_of(
        &emu,
        "GET",
        "/openapi/v3/apis/monitoring.coreos.com/v1",
        &[],
        "",
    )
    .await;
    assert!(
        index["paths"]
            .get("apis/monitoring.coreos.com/v1")
            .is_some()
    );
    assert!(doc["components"]["schemas"]["com.coreos.monitoring.v1.ServiceMonitor"]["properties"]["spec"].is_object());
    let (code, _) = send(&emu, "GET", "/openapi/v3/apis/nothing.example/v1", &[], "").await;
    assert_eq!(code, 404);
    let pb = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    let (code, _) = send(&emu, "GET", "/openapi/v2", &[("accept", pb)], "").await;
    assert_eq!(code, 406);
    let (code, v2) = json_of(
        &emu,
        "GET",
        "/openapi/v2",
        &[("accept", "application/json")],
        "",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(v2["swagger"], "2.0");
    assert!(
        v2["definitions"]["io.k8s.api.core.v1.Pod"]["properties"]["spec"]["allOf"][0]["$ref"]
            == "#/definitions/io.k8s.api.core.v1.PodSpec"
    );
}

#[tokio::test]
async fn kube_rs_gets_422_naming_the_field_and_warn_prunes() {
    let emu = kube_emulator::KubeEmulator::new();
    let client = emu.client();
    let ar = ApiResource {
        group: "toolhive.stacklok.dev".into(),
        version: "v1alpha1".into(),
        api_version: "toolhive.stacklok.dev/v1alpha1".into(),
        kind: "MCPServer".into(),
        plural: "mcpservers".into(),
    };
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &ar);
    let obj = |spec: serde_json::Value| -> DynamicObject {
        serde_json::from_value(json!({"apiVersion": "toolhive.stacklok.dev/v1alpha1", "kind": "MCPServer", "metadata": {"name": "x"}, "spec": spec})).unwrap()
    };
    let err = api
        .create(
            &PostParams::default(),
            &obj(json!({"image": "i", "proxyPort": "eighty"})),
        )
        .await
        .unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("{err:?}")
    };
    assert_eq!(status.code, 422, "{status:?}");
    assert_eq!(status.reason, "Invalid");
    assert!(
        status.message.starts_with(
            "MCPServer.toolhive.stacklok.dev \"x\" is invalid: spec.proxyPort: Invalid value"
        ),
        "{}",
        status.message
    );
    let err = api
        .create(&PostParams::default(), &obj(json!({"transport": "sse"})))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 422 && s.message.contains("spec.image: Required value")),
        "{err:?}"
    );
    // The default (Warn) keeps the object and drops the unknown field, like a cluster.
    let created = api
        .create(
            &PostParams::default(),
            &obj(json!({"image": "i", "imagePullPolicy": "Always"})),
        )
        .await
        .unwrap();
    assert_eq!(created.data["spec"], json!({"image": "i"}));
    // Strict (what kubectl asks for): 400 strict decoding error.
    let pp = PatchParams::default().validation(kube::api::ValidationDirective::Strict);
    let err = api
        .patch("x", &pp, &Patch::Merge(json!({"spec": {"portt": 1}})))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 400 && s.message == "strict decoding error: unknown field \"spec.portt\""),
        "{err:?}"
    );
    // A patch with a wrong type is 422 too, and the stored object is unchanged.
    let err = api
        .patch(
            "x",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"port": "x"}})),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 422 && s.message.contains("spec.port")),
        "{err:?}"
    );
    assert_eq!(
        api.get("x").await.unwrap().data["spec"],
        json!({"image": "i"})
    );
    // The Warning header of a pruned field.
    let (code, _) = send(&emu, "POST", "/apis/toolhive.stacklok.dev/v1alpha1/namespaces/default/mcpservers", &[("content-type", "application/json")],
        json!({"apiVersion": "toolhive.stacklok.dev/v1alpha1", "kind": "MCPServer", "metadata": {"name": "y"}, "spec": {"image": "i", "bogus": 1}}).to_string()).await;
    assert_eq!(code, 201);
    assert_eq!(
        emu.get(
            "toolhive.stacklok.dev/v1alpha1",
            "MCPServer",
            Some("default"),
            "y"
        )
        .unwrap()["spec"],
        json!({"image": "i"})
    );
}

#[test]
fn fixtures_are_strict_for_custom_resources() {
    let emu = kube_emulator::KubeEmulator::new();
    let err = emu
        .apply_yaml(&MCP.replace("proxyPort", "proxyPrt"))
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown field \"spec.proxyPrt\""),
        "{err}"
    );
    assert!(emu.apply_yaml(MCP).is_ok());
    // Every vendored CRD installs and serves its kinds.
    for c in kube_emulator::crds::all() {
        if c.install == kube_emulator::crds::Install::OnRequest {
            emu.install_crd(&c.name)
                .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        }
    }
    let sm = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: m\n  namespace: default\nspec:\n  selector:\n    matchLabels:\n      app: mcpserver\n  endpoints:\n  - port: http\n";
    assert!(emu.apply_yaml(sm).is_ok());
    assert!(
        emu.apply_yaml(&sm.replace("- port: http", "- prot: http"))
            .is_err()
    );
}
