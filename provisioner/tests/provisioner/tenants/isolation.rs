//! Two tenants never see each other's objects, tokens or keys; and the RBAC the charts
//! grant, enforced by the emulator, keeps tenant B's MCP server out of tenant A's
//! namespaces and Secrets.

use kube_emulator::{Identity, Rule};
use provisioner::Mode;
use serde_json::Value;

use super::lab::{Expand, Lab, tenant};

/// The rules the cluster would grant `sa` from the RoleBindings it finds (ClusterRole
/// `view` without Secrets, `edit` with them); a binding outside a namespace would grant
/// cluster-wide access, and show up as such.
fn rules_for(lab: &Lab, subject: impl Fn(&Value) -> bool) -> Vec<Rule> {
    let mut rules = Vec::new();
    for b in lab
        .kube
        .list("rbac.authorization.k8s.io/v1", "RoleBinding", None)
    {
        let bound = b["subjects"].as_array().into_iter().flatten().any(&subject);
        if !bound {
            continue;
        }
        let ns = b["metadata"]["namespace"].as_str().unwrap().to_string();
        match b["roleRef"]["name"].as_str().unwrap() {
            "view" => rules.push(Rule::new(
                &["get", "list", "watch"],
                &["", "apps", "tekton.dev"],
                &[
                    "pods",
                    "pods/log",
                    "services",
                    "configmaps",
                    "events",
                    "deployments",
                    "pipelineruns",
                    "taskruns",
                ],
                &[&ns],
            )),
            "edit" => rules.push(Rule::new(&["*"], &["*"], &["*"], &[&ns])),
            other => panic!("unexpected role {other}"),
        }
    }
    rules
}

#[tokio::test]
async fn two_tenants_are_isolated() {
    let lab = Lab::start(Expand::Everything).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let (a, b) = (tenant("ann"), tenant("ben"));
    p.provision(&a).await.unwrap();
    p.provision(&b).await.unwrap();

    // B's MCP server identity, with exactly the RBAC B's charts granted.
    let rules = rules_for(&lab, |s: &Value| {
        s["kind"] == "ServiceAccount"
            && s["name"] == "openshift-sa"
            && s["namespace"] == "mcp-openshift-ben"
    });
    assert!(!rules.is_empty());
    lab.kube.add_identity(
        "ben-mcp",
        Identity::service_account("mcp-openshift-ben", "openshift-sa", rules),
    );
    let client = lab.kube.client_with_token("ben-mcp");
    let pods_b: kube::Api<k8s_openapi::api::core::v1::Pod> =
        kube::Api::namespaced(client.clone(), "agent-ben");
    pods_b
        .list(&Default::default())
        .await
        .expect("B's MCP server reads B's agent namespace");
    for ns in a.namespaces() {
        let pods: kube::Api<k8s_openapi::api::core::v1::Pod> =
            kube::Api::namespaced(client.clone(), &ns);
        let err = pods.list(&Default::default()).await.unwrap_err();
        assert!(
            matches!(&err, kube::Error::Api(s) if s.code == 403),
            "{ns}: {err}"
        );
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(client.clone(), &ns);
        assert!(
            secrets.list(&Default::default()).await.is_err(),
            "{ns} secrets readable by B"
        );
    }
    let secrets_b: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(client.clone(), "agent-ben");
    assert!(
        secrets_b.list(&Default::default()).await.is_err(),
        "view must not include Secrets"
    );

    // The attendee B, with the RoleBindings B's charts made for them.
    let rules = rules_for(&lab, |s: &Value| s["kind"] == "User" && s["name"] == "ben");
    assert_eq!(rules.len(), 4, "edit in each of B's four namespaces");
    lab.kube
        .add_identity("ben-user", Identity::user("ben", rules));
    let user = lab.kube.client_with_token("ben-user");
    for ns in a.namespaces() {
        let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
            kube::Api::namespaced(user.clone(), &ns);
        assert!(
            secrets.list(&Default::default()).await.is_err(),
            "{ns} secrets readable by user B"
        );
    }
    let own: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(user.clone(), "agent-ben");
    own.list(&Default::default())
        .await
        .expect("B edits B's own namespace");

    // Keys and tokens differ, and destroying B leaves A whole.
    let data = |ns: &str, name: &str| {
        lab.kube.get("v1", "Secret", Some(ns), name).unwrap()["data"].clone()
    };
    assert_ne!(
        data("agent-ann", "agent-llm"),
        data("agent-ben", "agent-llm")
    );
    assert_ne!(
        data("mcp-gitea-ann", "gitea-creds")["token"],
        data("mcp-gitea-ben", "gitea-creds")["token"]
    );
    let before = super::lab::tenant_objects(&lab.kube, "ann");
    p.destroy(&b).await.unwrap();
    assert_eq!(super::lab::tenant_objects(&lab.kube, "ann"), before);
    assert!(
        lab.llm
            .keys()
            .iter()
            .any(|k| k.alias.as_deref() == Some("virtkey-gann"))
    );
    assert!(super::lab::tenant_objects(&lab.kube, "ben").is_empty());
}
