//! Provisioning over leftovers: a LiteLLM key an earlier order of the same tenant left
//! (taken over), and what is someone else's (a Gitea user, a namespace, a key under the
//! alias, another tenant's guid: refused before anything is created, and never deleted);
//! and over a cluster where the namespaces are missing.

use provisioner::{Error, Mode};
use serde_json::Value;

use super::lab::{Expand, Lab, detail, gitea_get, secret_value, tenant, tenant_objects};

/// A key under `alias`, made through LiteLLM's API with `metadata`; returns the key.
async fn make_key(lab: &Lab, alias: &str, metadata: Value) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{}/key/generate", lab.llm_srv.root_url()))
        .bearer_auth("sk-master")
        .json(&serde_json::json!({ "key_alias": alias, "models": ["local"], "metadata": metadata }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    resp.json::<Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_key_alias_left_by_an_earlier_order_for_the_tenant_is_taken_over() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("dora");
    let meta = serde_json::json!({ "owner": "dora", "created_by": "provisioner" });
    let old_key = make_key(&lab, "virtkey-gdora", meta).await;
    let report = p.provision(&t).await.unwrap();
    assert_eq!(detail(&report, "llm-key"), "generated");
    let key = secret_value(&lab, "agent-dora", "agent-llm", "LITELLM_API_KEY");
    assert_ne!(key, old_key, "the unrecoverable old key is rotated");
    let ours: Vec<_> = lab
        .llm
        .keys()
        .into_iter()
        .filter(|k| k.alias.as_deref() == Some("virtkey-gdora"))
        .collect();
    assert_eq!(ours.len(), 1);
    let token = secret_value(&lab, "mcp-gitea-dora", "gitea-creds", "token");
    assert_eq!(gitea_get(&lab, "/user", &token).await.1["login"], "dora");
    p.destroy(&t).await.unwrap();
}

/// Attack: order a tenant named after a Gitea user the provisioner did not create (to
/// reset its password and take it over, or purge it on destroy).
#[tokio::test]
async fn a_gitea_user_we_did_not_create_is_refused_and_left_untouched() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("dora");
    lab.gitea.create_user("dora", "her-own-password-123", false);
    let err = p.provision(&t).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "username")
            && err.to_string().contains("Gitea user dora"),
        "{err}"
    );
    let (status, me) = gitea_basic(&lab, "dora", "her-own-password-123").await;
    assert_eq!(
        (status, me["login"].as_str()),
        (200, Some("dora")),
        "password unchanged"
    );
    assert!(
        tenant_objects(&lab.kube, "dora").is_empty(),
        "nothing created"
    );
    assert!(lab.llm.keys().is_empty());
    // Destroy (right guid, nothing of ours recorded) does not purge her either.
    p.destroy(&t).await.unwrap();
    assert!(lab.gitea.user_exists("dora"));
    assert_eq!(
        gitea_basic(&lab, "dora", "her-own-password-123").await.0,
        200
    );
}

/// Attack: an order whose guid names another tenant's LiteLLM key alias, and a key made
/// under the tenant's alias by someone else: neither key is deleted.
#[tokio::test]
async fn keys_we_did_not_make_for_the_tenant_are_never_deleted() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let alice = tenant("alice");
    p.provision(&alice).await.unwrap();
    let alice_key = secret_value(&lab, "agent-alice", "agent-llm", "LITELLM_API_KEY");
    // mallory orders with alice's guid (alias virtkey-galice).
    let mallory = provisioner::Tenant::new("mallory", "galice").unwrap();
    let err = p.provision(&mallory).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "guid"),
        "{err}"
    );
    let err = p.destroy(&mallory).await;
    assert!(err.is_ok() || matches!(err, Err(Error::Conflict { .. })));
    assert!(
        lab.llm
            .keys()
            .iter()
            .any(|k| k.alias.as_deref() == Some("virtkey-galice"))
    );
    assert_eq!(
        secret_value(&lab, "agent-alice", "agent-llm", "LITELLM_API_KEY"),
        alice_key
    );
    // A key someone else made under erin's alias: erin's order is refused, the key kept.
    let foreign = make_key(&lab, "virtkey-gerin", serde_json::json!({})).await;
    let err = p.provision(&tenant("erin")).await.unwrap_err();
    assert!(err.to_string().contains("virtkey-gerin"), "{err}");
    assert!(tenant_objects(&lab.kube, "erin").is_empty());
    p.destroy(&tenant("erin")).await.unwrap();
    assert!(
        lab.llm
            .keys()
            .iter()
            .any(|k| k.alias.as_deref() == Some("virtkey-gerin"))
    );
    assert!(!foreign.is_empty());
    p.destroy(&alice).await.unwrap();
}

/// Attack: a namespace that exists before the order (someone else's) must not be
/// labelled as ours and deleted by destroy.
#[tokio::test]
async fn a_pre_existing_namespace_is_not_adopted_and_survives_destroy() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("frank");
    lab.kube
        .apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mcp-gitea-frank\n  labels: {owner: someone}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: precious\n  namespace: mcp-gitea-frank\n")
        .unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "username")
            && err.to_string().contains("mcp-gitea-frank"),
        "{err}"
    );
    assert!(!lab.gitea.user_exists("frank"));
    assert!(
        lab.kube
            .get("v1", "Namespace", None, "agent-frank")
            .is_none(),
        "nothing created"
    );
    p.destroy(&t).await.unwrap();
    let ns = lab
        .kube
        .get("v1", "Namespace", None, "mcp-gitea-frank")
        .unwrap();
    assert!(
        ns["metadata"]["labels"]["lab.mcp/created-by"].is_null(),
        "{ns}"
    );
    assert!(
        lab.kube
            .get("v1", "ConfigMap", Some("mcp-gitea-frank"), "precious")
            .is_some()
    );
}

/// GET /user as `user` with basic auth.
async fn gitea_basic(lab: &Lab, user: &str, password: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/user",
            lab.gitea_srv.base_url().trim_end_matches('/')
        ))
        .basic_auth(user, Some(password))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn missing_namespaces_stop_provisioning_before_anything_is_created() {
    let lab = Lab::start(Expand::Nothing).await;
    let mut p = lab.provisioner(Mode::Bootstrap);
    p.settings.create_namespaces = false;
    let t = tenant("erin");
    let err = p.provision(&t).await.unwrap_err().to_string();
    assert!(
        err.contains("step `namespaces`")
            && err.contains("agent-erin")
            && err.contains("createNamespaces"),
        "{err}"
    );
    assert!(tenant_objects(&lab.kube, "erin").is_empty());
    assert!(!lab.gitea.user_exists("erin"));
    assert!(lab.llm.keys().is_empty());
    // Once the Sandbox API has made them, provisioning works and destroy leaves them.
    for ns in t.namespaces() {
        lab.kube
            .apply_yaml(&format!(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
            ))
            .unwrap();
    }
    p.provision(&t).await.unwrap();
    p.destroy(&t).await.unwrap();
    for ns in t.namespaces() {
        assert!(
            lab.kube.get("v1", "Namespace", None, &ns).is_some(),
            "{ns} was not ours to delete"
        );
    }
}

#[tokio::test]
async fn a_half_provisioned_tenant_destroys_cleanly() {
    let lab = Lab::start(Expand::Nothing).await;
    for (i, step) in ["gitea-repo", "llm-key", "scc", "wait", "userinfo"]
        .iter()
        .enumerate()
    {
        let t = tenant(&format!("half{i}"));
        let mut p = lab.provisioner(Mode::Bootstrap);
        p.fail_at = Some(step.to_string());
        assert!(p.provision(&t).await.is_err());
        assert!(
            !tenant_objects(&lab.kube, &t.username).is_empty(),
            "{step}: something was made"
        );
        p.fail_at = None;
        p.destroy(&t).await.unwrap();
        assert!(tenant_objects(&lab.kube, &t.username).is_empty(), "{step}");
        assert!(!lab.gitea.user_exists(&t.username), "{step}");
        assert!(lab.llm.keys().is_empty(), "{step}");
    }
}

/// A state from an older version (no Gitea user id recorded): the user is still known to
/// be ours because the state's generated password authenticates as it; re-provisioning
/// records its id, and destroy purges it.
#[tokio::test]
async fn a_state_without_the_gitea_user_id_proves_ownership_by_its_password() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("gina");
    p.provision(&t).await.unwrap();
    let mut state = lab
        .kube
        .get(
            "v1",
            "Secret",
            Some("openshift-gitops"),
            "tenant-gina-state",
        )
        .unwrap();
    let id = state["data"]["gitea_user_id"].clone();
    state["data"]
        .as_object_mut()
        .unwrap()
        .remove("gitea_user_id");
    state["data"].as_object_mut().unwrap().remove("guid");
    lab.kube.apply_object(state).unwrap();
    let report = p.provision(&t).await.unwrap();
    assert_eq!(detail(&report, "gitea-user"), "ours; password set");
    let again = lab
        .kube
        .get(
            "v1",
            "Secret",
            Some("openshift-gitops"),
            "tenant-gina-state",
        )
        .unwrap();
    assert_eq!(again["data"]["gitea_user_id"], id);
    p.destroy(&t).await.unwrap();
    assert!(!lab.gitea.user_exists("gina"));
}
