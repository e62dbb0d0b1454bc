//! `--mode direct` on a cluster whose namespaces the Sandbox API made (the provisioner did
//! not create them, so destroy may not delete them): every rendered object is applied, and
//! destroy removes each one itself, plus the Secrets, state, user info, Gitea user and
//! token and LiteLLM key; a second destroy succeeds too.

use provisioner::Mode;
use provisioner::cluster::describe;
use serde_json::Value;

use super::lab::{Expand, Lab, applied, detail, gitea_get, secret_value, tenant, tenant_objects};

#[tokio::test]
async fn direct_mode_destroy_removes_every_applied_object_but_not_sandbox_namespaces() {
    let lab = Lab::start(Expand::Nothing).await;
    let t = tenant("dora");
    // The Sandbox API's namespaces, with an object of the attendee's own in one of them.
    for ns in t.namespaces() {
        lab.kube
            .apply_yaml(&format!(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    sandbox: dora\n"
            ))
            .unwrap();
    }
    lab.kube
        .apply_yaml(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: attendee-notes\n  namespace: agent-dora\ndata:\n  a: b\n",
        )
        .unwrap();
    let mut p = lab.provisioner(Mode::Direct);
    p.settings.create_namespaces = false;
    p.provision(&t).await.unwrap();

    // Direct mode makes no Application; every rendered object is on the cluster.
    assert!(
        lab.kube
            .list("argoproj.io/v1alpha1", "Application", None)
            .is_empty()
    );
    let rendered = p.render(&t).await.unwrap();
    assert!(rendered.len() > 30, "{}", rendered.len());
    assert!(rendered.iter().all(|o| o["kind"] != "Namespace"));
    let in_tenant_ns = rendered
        .iter()
        .filter(|o| {
            o["metadata"]["namespace"]
                .as_str()
                .is_some_and(|ns| t.namespaces().iter().any(|n| n == ns))
        })
        .count();
    assert!(in_tenant_ns > 20, "{in_tenant_ns}");
    for obj in &rendered {
        assert!(
            applied(&lab, obj).is_some(),
            "rendered but not applied: {}",
            describe(obj)
        );
    }
    for (ns, kind, name) in [
        ("agent-dora", "Deployment", "agent"),
        ("agent-dora", "Pipeline", "build-agent"),
        ("mcp-openshift-dora", "MCPServer", "openshift"),
        ("mcp-gitea-dora", "MCPServer", "gitea"),
    ] {
        assert!(
            rendered.iter().any(|o| o["kind"] == kind
                && o["metadata"]["namespace"] == ns
                && o["metadata"]["name"] == name),
            "{kind} {ns}/{name} not rendered"
        );
    }
    let token = secret_value(&lab, "mcp-gitea-dora", "gitea-creds", "token");
    assert_eq!(gitea_get(&lab, "/user", &token).await.0, 200);
    let key = secret_value(&lab, "agent-dora", "agent-llm", "LITELLM_API_KEY");
    let alias = t.key_alias();
    let keys_of = |lab: &Lab| {
        lab.llm
            .keys()
            .into_iter()
            .filter(|k| k.alias.as_deref() == Some(alias.as_str()))
            .count()
    };
    assert_eq!(keys_of(&lab), 1);
    assert!(lab.gitea.user_exists("dora"));

    for round in 0..2 {
        let report = p.destroy(&t).await.unwrap();
        let step = |name: &str| detail(&report, name);
        assert!(step("namespaces").contains("none created by us"), "{round}");
        if round == 1 {
            assert!(step("direct-objects").starts_with("0 deleted"), "{round}");
        }
        for obj in &rendered {
            assert!(
                applied(&lab, obj).is_none(),
                "left after destroy: {}",
                describe(obj)
            );
        }
        // The namespaces stay (not ours), holding only what the attendee made.
        for ns in t.namespaces() {
            assert!(lab.kube.get("v1", "Namespace", None, &ns).is_some(), "{ns}");
        }
        let left = tenant_objects(&lab.kube, "dora");
        assert_eq!(
            left,
            ["ConfigMap agent-dora/attendee-notes"],
            "round {round}"
        );
        for ns in t.namespaces() {
            for kind in ["Secret", "ConfigMap"] {
                let names: Vec<Value> = lab
                    .kube
                    .list("v1", kind, Some(&ns))
                    .iter()
                    .map(|o| o["metadata"]["name"].clone())
                    .filter(|n| n != "attendee-notes")
                    .collect();
                assert!(names.is_empty(), "{kind}s left in {ns}: {names:?}");
            }
        }
        for kind in ["Secret", "ConfigMap"] {
            let ours: Vec<String> = lab
                .kube
                .list("v1", kind, None)
                .iter()
                .filter_map(|o| o["metadata"]["name"].as_str().map(String::from))
                .filter(|n| n == "tenant-dora-state" || n == "userinfo-dora")
                .collect();
            assert!(ours.is_empty(), "{kind} {ours:?} left");
        }
        assert!(
            lab.kube
                .list("v1", "ConfigMap", None)
                .iter()
                .all(|c| c["metadata"]["labels"]
                    .get(format!("demo.redhat.com/tenant-{}", t.guid))
                    .is_none()),
            "user info left"
        );
        assert!(!lab.gitea.user_exists("dora"));
        assert_eq!(gitea_get(&lab, "/user", &token).await.0, 401);
        assert_eq!(keys_of(&lab), 0);
        assert!(lab.llm.keys().iter().all(|k| k.key != key), "key left");
    }
}

/// Direct mode is for clusters without Argo CD: with Argo CD's CRDs gone (so its kinds are
/// not served), provision skips the AppProject and says so, and destroy still cleans up.
#[tokio::test]
async fn direct_mode_works_on_a_cluster_without_argo_cd() {
    use kube::api::{Api, DeleteParams, DynamicObject};
    use kube::discovery::ApiResource;

    let lab = Lab::start(Expand::Nothing).await;
    let crd = ApiResource::erase::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>(&());
    let crds: Api<DynamicObject> = Api::all_with(lab.kube.client(), &crd);
    for name in ["appprojects.argoproj.io", "applications.argoproj.io"] {
        crds.delete(name, &DeleteParams::default()).await.unwrap();
    }
    assert!(
        lab.kube
            .apply_yaml("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: probe\n  namespace: default\n")
            .is_err(),
        "AppProject is still served"
    );
    let t = tenant("erin");
    let p = lab.provisioner(Mode::Direct);
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "appproject").contains("kind not served"),
        "{}",
        detail(&report, "appproject")
    );
    // Render still lists the AppProject (what would be applied where Argo CD is served).
    let rendered: Vec<Value> = p
        .render(&t)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o["kind"] != "AppProject")
        .collect();
    for obj in &rendered {
        assert!(
            applied(&lab, obj).is_some(),
            "rendered but not applied: {}",
            describe(obj)
        );
    }
    let report = p.destroy(&t).await.unwrap();
    assert!(
        detail(&report, "applications").contains("not served"),
        "{}",
        detail(&report, "applications")
    );
    for obj in &rendered {
        assert!(
            applied(&lab, obj).is_none(),
            "left after destroy: {}",
            describe(obj)
        );
    }
    assert!(tenant_objects(&lab.kube, "erin").is_empty());
    assert!(!lab.gitea.user_exists("erin"));
}
