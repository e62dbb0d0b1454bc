//! `gitea.mode: perTenant` end to end: the provisioner applies the Gitea operator's CR in
//! `gitea-<u>` (admin password only in a Secret), the testbed's simulated operator starts
//! a fresh Gitea emulator for it and reports its host, and the Gitea user, repository and
//! token steps run against that instance (not the shared one); destroy removes the CR, the
//! namespace and so the instance.

use std::time::Duration;

use provisioner::state::TenantState;
use provisioner::{GiteaMode, Mode};
use serde_json::Value;

use super::lab::{Expand, Lab, detail, secret_value, tenant, tenant_objects};

async fn get(url: &str, token: &str) -> Result<(u16, Value), reqwest::Error> {
    let resp = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?
        .get(url)
        .header("Authorization", format!("token {token}"))
        .send()
        .await?;
    let status = resp.status().as_u16();
    Ok((status, resp.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_tenant_gets_its_own_gitea_instance_and_destroy_removes_it() {
    let lab = Lab::start(Expand::Nothing).await;
    let mut p = lab.provisioner(Mode::Bootstrap);
    p.settings.gitea.mode = GiteaMode::PerTenant;
    p.settings.gitea.ssl = false;
    let t = tenant("pat");
    let report = p.provision(&t).await.unwrap();
    let ready = detail(&report, "gitea-instance");
    assert!(
        ready.contains("gitea-pat/gitea ready at http://127.0.0.1:"),
        "{ready}"
    );
    let url = ready
        .split(" ready at ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .to_string();

    let state = TenantState::from_secret(
        &lab.kube
            .get("v1", "Secret", Some("openshift-gitops"), "tenant-pat-state")
            .unwrap(),
    );
    assert_eq!(state.gitea_admin_password.len(), 24);
    let cr = lab
        .kube
        .get("pfe.rhpds.com/v1", "Gitea", Some("gitea-pat"), "gitea")
        .unwrap();
    assert_eq!(cr["spec"]["giteaAdminPasswordSecretName"], "gitea-admin");
    assert!(cr["spec"]["giteaAdminPassword"].is_null());
    assert!(
        !cr.to_string().contains(&state.gitea_admin_password),
        "no password in the CR or its status"
    );
    assert_eq!(cr["status"]["userSetupComplete"], true);
    assert_eq!(
        secret_value(&lab, "gitea-pat", "gitea-admin", "adminPassword"),
        state.gitea_admin_password
    );

    // The tenant's token works on its own instance, and its user and repository are there
    // (with the lab's broken branch), not on the shared Gitea.
    let token = secret_value(&lab, "mcp-gitea-pat", "gitea-creds", "token");
    let (status, me) = get(&format!("{url}/api/v1/user"), &token).await.unwrap();
    assert_eq!((status, me["login"].as_str()), (200, Some("pat")), "{me}");
    let (status, _) = get(
        &format!("{url}/api/v1/repos/pat/mcp/branches/broken"),
        &token,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    assert!(
        !lab.gitea.user_exists("pat"),
        "the shared Gitea is untouched"
    );
    assert_eq!(
        secret_value(&lab, "mcp-gitea-pat", "gitea-creds", "url"),
        "http://gitea.gitea-pat.svc.cluster.local:3000"
    );
    let project = lab
        .kube
        .get(
            "argoproj.io/v1alpha1",
            "AppProject",
            Some("openshift-gitops"),
            "appproject-pat",
        )
        .unwrap();
    assert_eq!(
        project["spec"]["sourceRepos"][0],
        "http://gitea.gitea-pat.svc.cluster.local:3000/pat/mcp.git"
    );
    let info = lab
        .kube
        .get("v1", "ConfigMap", Some("openshift-gitops"), "userinfo-pat")
        .unwrap();
    let data: Value =
        serde_saphyr::from_str(info["data"]["provision_data"].as_str().unwrap()).unwrap();
    assert_eq!(data["users"]["pat"]["gitea_url"], url.as_str());

    // Re-run: the same instance, the token reused.
    let again = p.provision(&t).await.unwrap();
    assert_eq!(detail(&again, "gitea-token"), "reused");

    let report = p.destroy(&t).await.unwrap();
    assert!(
        detail(&report, "gitea-instance").contains("Gitea deleted; gitea-pat deleted"),
        "{report:?}"
    );
    assert!(lab.kube.get("v1", "Namespace", None, "gitea-pat").is_none());
    assert!(tenant_objects(&lab.kube, "pat").is_empty());
    // The operator stops the instance once its CR is gone.
    let mut stopped = false;
    for _ in 0..100 {
        if get(&format!("{url}/api/v1/version"), "x").await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(stopped, "the tenant's Gitea still answers at {url}");
}

/// Attack: a `gitea-<u>` namespace someone else made (to receive the admin Secret):
/// refused before anything is created, and kept by destroy.
#[tokio::test]
async fn a_gitea_namespace_we_did_not_create_is_refused_and_kept() {
    let lab = Lab::start(Expand::Nothing).await;
    let mut p = lab.provisioner(Mode::Bootstrap);
    p.settings.gitea.mode = GiteaMode::PerTenant;
    let t = tenant("quin");
    lab.kube
        .apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gitea-quin\n")
        .unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(err.to_string().contains("gitea-quin"), "{err}");
    assert!(lab.kube.list("v1", "Secret", Some("gitea-quin")).is_empty());
    assert!(lab.kube.list("pfe.rhpds.com/v1", "Gitea", None).is_empty());
    p.destroy(&t).await.unwrap();
    assert!(
        lab.kube
            .get("v1", "Namespace", None, "gitea-quin")
            .is_some()
    );
}
