//! Provisioning over leftovers of an earlier order (an existing Gitea user, a LiteLLM key
//! under the same alias) and over a cluster where the namespaces are missing.

use provisioner::Mode;
use serde_json::Value;

use super::lab::{Expand, Lab, detail, gitea_get, secret_value, tenant, tenant_objects};

#[tokio::test]
async fn an_existing_gitea_user_and_key_alias_are_taken_over() {
    let lab = Lab::start(Expand::BootstrapOnly).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("dora");
    // Left over from an earlier order: the user (other password) and a key with the alias.
    lab.gitea.create_user("dora", "old-password-123456", false);
    let resp = reqwest::Client::new()
        .post(format!("{}/key/generate", lab.llm_srv.root_url()))
        .bearer_auth("sk-master")
        .json(&serde_json::json!({ "key_alias": "virtkey-gdora", "models": ["local"] }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let old_key = resp.json::<Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
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

#[tokio::test]
async fn missing_namespaces_stop_provisioning_before_anything_is_created() {
    let lab = Lab::start(Expand::BootstrapOnly).await;
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
    let lab = Lab::start(Expand::BootstrapOnly).await;
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
