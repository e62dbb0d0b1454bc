//! Tenant B attacks tenant A and the platform (issue 16): commits to B's own repository
//! that try to act as Argo CD (another project, another tenant's namespace, the control
//! namespace, a cluster-scoped kind, an app-of-apps of B's own), rendered from B's
//! repository and refused by the AppProject rules the emulated Argo CD enforces; usernames
//! crafted to collide with other tenants' or the cluster's namespaces; destroy with
//! another order's guid. Each attempt is refused with nothing changed.

use std::time::{Duration, Instant};

use kube_emulator::KubeEmulator;
use provisioner::{Error, Mode, Tenant};
use serde_json::{Value, json};
use simulated_controllers::REFRESH_ANNOTATION;

use super::lab::{Expand, Lab, tenant, tenant_objects};

const GITOPS: &str = "openshift-gitops";

/// Everything in the platform's namespaces and tenant A's, as `Kind ns/name` with its
/// content (Applications without their status, which B's refused syncs do not touch).
fn snapshot(kube: &KubeEmulator, tenant_a: &str) -> Vec<String> {
    let kinds = [
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
        ("apps/v1", "Deployment"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("argoproj.io/v1alpha1", "AppProject"),
        ("argoproj.io/v1alpha1", "Application"),
        ("v1", "Namespace"),
    ];
    let mut out = Vec::new();
    for (api_version, kind) in kinds {
        for mut obj in kube.list(api_version, kind, None) {
            let ns = obj["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
            let platform = ns.is_empty() || ns == GITOPS || ns.starts_with("openshift-");
            let of_a = ns.ends_with(&format!("-{tenant_a}"));
            if !(platform || of_a) || (kind == "Application" && name.ends_with("-bob")) {
                continue;
            }
            if let Some(m) = obj["metadata"].as_object_mut() {
                m.remove("resourceVersion");
                m.remove("managedFields");
            }
            out.push(format!("{kind} {ns}/{name} {obj}"));
        }
    }
    out.sort();
    out
}

/// Commits `files` to bob's repository, asks Argo CD to refresh `app`, and returns its
/// status once Argo CD has answered.
async fn commit_and_sync(lab: &Lab, app: &str, files: &[(&str, &str)]) -> Value {
    for (path, content) in files {
        lab.gitea
            .put_file("bob", "mcp", "main", path, content.as_bytes());
    }
    let mut current = lab
        .kube
        .get("argoproj.io/v1alpha1", "Application", Some(GITOPS), app)
        .unwrap();
    current["metadata"]["annotations"][REFRESH_ANNOTATION] = json!("normal");
    lab.kube.apply_object(current).unwrap();
    let start = Instant::now();
    loop {
        let got = lab
            .kube
            .get("argoproj.io/v1alpha1", "Application", Some(GITOPS), app)
            .unwrap();
        if got["metadata"]["annotations"][REFRESH_ANNOTATION].is_null() {
            return got["status"].clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "Argo CD never refreshed {app}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn refused_because(status: &Value, why: &str) {
    assert_eq!(status["sync"]["status"], "OutOfSync", "{status}");
    let message = status["conditions"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains(why), "expected {why:?} in {status}");
}

const PLANTED_CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: planted\n  namespace: {ns}\ndata:\n  by: bob\n";

#[tokio::test]
async fn commits_to_a_tenants_repository_cannot_act_as_argo_cd() {
    let lab = Lab::start(Expand::Everything).await;
    let p = lab.provisioner(Mode::Bootstrap);
    p.provision(&tenant("alice")).await.unwrap();
    p.provision(&tenant("bob")).await.unwrap();
    let before = snapshot(&lab.kube, "alice");
    let tpl = "charts/agent/templates/planted.yaml";

    // Into alice's namespace, into the control namespace (where every tenant's state
    // Secret lives), and into the guides' namespaces - bob's own too: the guide holds the
    // attendee's passwords and is the provisioner's, never Argo CD's.
    for ns in [
        "agent-alice",
        GITOPS,
        "openshift-config",
        "showroom-alice",
        "showroom-bob",
    ] {
        let st =
            commit_and_sync(&lab, "agent-bob", &[(tpl, &PLANTED_CM.replace("{ns}", ns))]).await;
        refused_because(&st, &format!("namespace {ns} is not permitted"));
    }
    // A cluster-scoped kind: cluster-admin for bob's service account.
    let crb = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: bob-admin\n\
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n\
subjects: [{kind: ServiceAccount, name: agent, namespace: agent-bob}]\n";
    let st = commit_and_sync(&lab, "agent-bob", &[(tpl, crb)]).await;
    refused_because(&st, "ClusterRoleBinding is not permitted");
    // An Application of bob's own, in the control namespace under the permissive
    // `default` project, from a component chart.
    let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: bob-escape\n  namespace: openshift-gitops\n\
spec:\n  project: default\n  destination: {server: 'https://kubernetes.default.svc', namespace: openshift-gitops}\n\
  source: {repoURL: 'http://gitea.gitea.svc.cluster.local:3000/bob/mcp.git', path: evil}\n";
    let st = commit_and_sync(&lab, "agent-bob", &[(tpl, app)]).await;
    refused_because(&st, "Application is not permitted");
    // The quota of bob's own namespace is the operator's, not bob's.
    let quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: tenant-quota\nspec:\n  hard: {limits.cpu: '1000'}\n";
    let st = commit_and_sync(&lab, "agent-bob", &[(tpl, quota)]).await;
    refused_because(&st, "ResourceQuota is not permitted");
    let q = lab
        .kube
        .get("v1", "ResourceQuota", Some("agent-bob"), "tenant-quota")
        .unwrap();
    assert_eq!(q["spec"]["hard"]["limits.cpu"], "4");

    // The app-of-apps of old: bob's own charts/bootstrap naming the `default` project and
    // an extra Application. Nobody renders it any more.
    let boot_values = "tenant: {username: bob}\nargocd: {namespace: openshift-gitops, project: default, server: 'https://kubernetes.default.svc'}\n";
    let boot_extra = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: bob-bootstrap-escape\n  namespace: openshift-gitops\n\
spec:\n  project: default\n  destination: {server: 'https://kubernetes.default.svc', namespace: openshift-gitops}\n\
  source: {repoURL: 'http://gitea.gitea.svc.cluster.local:3000/bob/mcp.git', path: evil}\n";
    lab.gitea
        .put_file("bob", "mcp", "main", tpl, b"# nothing\n");
    for app in provisioner::wait::application_names(&tenant("bob")) {
        let st = commit_and_sync(
            &lab,
            &app,
            &[
                ("charts/bootstrap/values.yaml", boot_values),
                ("charts/bootstrap/templates/escape.yaml", boot_extra),
            ],
        )
        .await;
        assert_eq!(st["sync"]["status"], "Synced", "{app}: {st}");
    }
    for app in lab
        .kube
        .list("argoproj.io/v1alpha1", "Application", Some(GITOPS))
    {
        let name = app["metadata"]["name"].as_str().unwrap();
        assert!(!name.contains("escape"), "{name} was created");
        let project = app["spec"]["project"].as_str().unwrap();
        assert_eq!(
            project,
            format!("appproject-{}", name.rsplit('-').next().unwrap())
        );
    }
    // Re-provisioning bob (the operator's re-run) keeps every pin.
    p.provision(&tenant("bob")).await.unwrap();

    assert_eq!(
        snapshot(&lab.kube, "alice"),
        before,
        "nothing of alice or the platform changed"
    );
    assert!(
        lab.kube
            .get(
                "rbac.authorization.k8s.io/v1",
                "ClusterRoleBinding",
                None,
                "bob-admin"
            )
            .is_none()
    );
}

#[tokio::test]
async fn usernames_that_collide_with_other_namespaces_are_refused_before_anything_is_created() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    p.provision(&tenant("bob")).await.unwrap();
    lab.kube
        .apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-logging\n")
        .unwrap();
    // Refused without a cluster (reserved names), or by the preflight (existing names).
    for bad in ["config", "monitoring", "kube-x", "openshift"] {
        assert!(Tenant::new(bad, "g1").is_err(), "{bad}");
    }
    for (user, why) in [
        ("alice-bob", "another tenant"), // bob's namespaces would match alice-bob's *-bob
        ("logging", "openshift-logging"), // a *-logging pattern would reach the platform
    ] {
        let t = tenant(user);
        let err = p.provision(&t).await.unwrap_err();
        assert!(
            matches!(&err, Error::Invalid { field, .. } if field == "--username")
                && err.to_string().contains(why),
            "{user}: {err}"
        );
        assert!(tenant_objects(&lab.kube, user).is_empty(), "{user}");
        assert!(!lab.gitea.user_exists(user), "{user}");
    }
    // And the other way round: once tenant alice-dave exists, "dave" is refused.
    p.provision(&tenant("alice-dave")).await.unwrap();
    let err = p.provision(&tenant("dave")).await.unwrap_err();
    assert!(err.to_string().contains("alice-dave"), "{err}");
    assert!(
        tenant_objects(&lab.kube, "dave")
            .iter()
            .all(|o| o.contains("alice-dave"))
    );
    assert!(!lab.gitea.user_exists("dave"));
    assert_eq!(lab.llm.keys().len(), 2, "only bob's and alice-dave's keys");
    p.destroy(&tenant("bob")).await.unwrap();
    p.destroy(&tenant("alice-dave")).await.unwrap();
}

#[tokio::test]
async fn destroy_with_another_orders_guid_deletes_nothing() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let alice = tenant("alice");
    p.provision(&alice).await.unwrap();
    let before = tenant_objects(&lab.kube, "alice");
    let wrong = Tenant::new("alice", "not-alices-order").unwrap();
    let err = p.destroy(&wrong).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "guid"),
        "{err}"
    );
    // Nor may another order re-provision (and so re-key) her tenant.
    let err = p.provision(&wrong).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "guid"),
        "{err}"
    );
    assert_eq!(tenant_objects(&lab.kube, "alice"), before);
    assert!(lab.gitea.user_exists("alice"));
    assert_eq!(lab.llm.keys().len(), 1);
    p.destroy(&alice).await.unwrap();
    assert!(tenant_objects(&lab.kube, "alice").is_empty());
}
