//! One tenant: every object after provision, nothing after destroy; re-runs, double
//! destroys and a failure at each step followed by a resume.

use provisioner::desired::TENANT_LABEL;
use provisioner::{Error, Mode};
use serde_json::Value;

use super::lab::{
    DOMAIN, Expand, Lab, applied, detail, gitea_get, secret_value, tenant, tenant_objects,
};

const STEPS: [&str; 13] = [
    "domain",
    "namespaces",
    "state",
    "appproject",
    "gitea-user",
    "gitea-repo",
    "gitea-token",
    "llm-key",
    "secrets",
    "scc",
    "deploy",
    "wait",
    "userinfo",
];

#[tokio::test]
async fn provision_then_destroy_leaves_nothing() {
    let lab = Lab::start(Expand::Everything).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("alice");
    let report = p.provision(&t).await.unwrap();
    let steps: Vec<&str> = report.steps.iter().map(|s| s.step).collect();
    assert_eq!(steps, STEPS);

    // Namespaces, quota, project, SCC.
    for ns in t.namespaces() {
        let obj = lab.kube.get("v1", "Namespace", None, &ns).unwrap();
        assert_eq!(obj["metadata"]["labels"][TENANT_LABEL], "alice");
        assert!(
            lab.kube
                .get("v1", "ResourceQuota", Some(&ns), "tenant-quota")
                .is_some()
        );
        assert!(
            lab.kube
                .get("v1", "LimitRange", Some(&ns), "tenant-limit-range")
                .is_some()
        );
    }
    let project = lab
        .kube
        .get(
            "argoproj.io/v1alpha1",
            "AppProject",
            Some("openshift-gitops"),
            "appproject-alice",
        )
        .unwrap();
    assert_eq!(
        project["spec"]["destinations"][0]["namespace"],
        "agent-alice"
    );
    assert_eq!(
        project["spec"]["clusterResourceWhitelist"],
        serde_json::json!([])
    );
    let scc = lab
        .kube
        .get(
            "security.openshift.io/v1",
            "SecurityContextConstraints",
            None,
            "alice-mcpserver-scc",
        )
        .unwrap();
    assert!(
        scc["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "system:serviceaccount:mcp-openshift-alice:openshift-sa")
    );

    // Applications synced and their charts deployed by the emulated Argo CD, from the
    // tenant's repository, each pinned to the tenant's project; no app-of-apps.
    assert!(
        lab.kube
            .get(
                "argoproj.io/v1alpha1",
                "Application",
                Some("openshift-gitops"),
                "bootstrap-tenant-alice"
            )
            .is_none()
    );
    for name in provisioner::wait::application_names(&t) {
        let app = lab
            .kube
            .get(
                "argoproj.io/v1alpha1",
                "Application",
                Some("openshift-gitops"),
                &name,
            )
            .unwrap();
        assert!(provisioner::wait::app_ready(&app), "{name}");
        assert_eq!(app["spec"]["project"], "appproject-alice");
    }
    assert!(
        lab.kube
            .get("apps/v1", "Deployment", Some("agent-alice"), "agent")
            .is_some()
    );
    assert!(
        lab.kube
            .get(
                "tekton.dev/v1",
                "Pipeline",
                Some("agent-alice"),
                "build-agent"
            )
            .is_some()
    );
    let mcp = lab
        .kube
        .get(
            "toolhive.stacklok.dev/v1alpha1",
            "MCPServer",
            Some("mcp-openshift-alice"),
            "openshift",
        )
        .unwrap();
    assert_eq!(
        mcp["status"]["url"],
        "http://mcp-openshift-proxy.mcp-openshift-alice.svc.cluster.local:8080/sse#openshift"
    );

    // The LiteLLM key: in the agent's Secret and LibreChat's, aliased to this order.
    let key = secret_value(&lab, "agent-alice", "agent-llm", "LITELLM_API_KEY");
    assert!(key.starts_with("sk-"));
    assert_eq!(
        secret_value(
            &lab,
            "librechat-alice",
            "librechat-credentials-env",
            "CUSTOM_MODEL_KEY"
        ),
        key
    );
    let keys = lab.llm.keys();
    let ours: Vec<_> = keys
        .iter()
        .filter(|k| k.alias.as_deref() == Some("virtkey-galice"))
        .collect();
    assert_eq!(ours.len(), 1);

    // Gitea: the user, the repo with main and broken, a token that acts as the user.
    let token = secret_value(&lab, "mcp-gitea-alice", "gitea-creds", "token");
    let (status, me) = gitea_get(&lab, "/user", &token).await;
    assert_eq!((status, me["login"].as_str()), (200, Some("alice")));
    let mut branches = lab.gitea.branches("alice", "mcp");
    branches.sort();
    assert_eq!(branches, ["broken", "main"]);
    assert!(
        lab.gitea
            .file("alice", "mcp", "main", "agent/requirements.txt")
            .is_some()
    );
    assert!(
        lab.gitea
            .file("alice", "mcp", "broken", "agent/requirements.txt")
            .is_none(),
        "the broken branch must lack the file its build copies"
    );
    assert!(
        lab.gitea
            .file("alice", "mcp", "broken", "agent/Containerfile")
            .is_some()
    );

    // User info for RHDP.
    let info = lab
        .kube
        .get(
            "v1",
            "ConfigMap",
            Some("openshift-gitops"),
            "userinfo-alice",
        )
        .unwrap();
    assert_eq!(
        info["metadata"]["labels"]["demo.redhat.com/tenant-galice"],
        "true"
    );
    let data: Value =
        serde_saphyr::from_str(info["data"]["provision_data"].as_str().unwrap()).unwrap();
    assert_eq!(
        data["users"]["alice"]["librechat_url"],
        format!("https://librechat-librechat-alice.{DOMAIN}")
    );
    // The passwords are in the Secret the user info names, never in the ConfigMap.
    let text = info["data"]["provision_data"].as_str().unwrap();
    assert!(!text.contains("password\""), "{text}");
    assert_eq!(
        data["users"]["alice"]["credentials_secret"],
        "openshift-gitops/userinfo-alice"
    );
    let stored = secret_value(
        &lab,
        "openshift-gitops",
        "tenant-alice-state",
        "gitea_password",
    );
    assert_eq!(
        secret_value(&lab, "openshift-gitops", "userinfo-alice", "gitea_password"),
        stored
    );

    let destroyed = p.destroy(&t).await.unwrap();
    assert_eq!(destroyed.steps.first().unwrap().step, "applications");
    assert_eq!(tenant_objects(&lab.kube, "alice"), Vec::<String>::new());
    assert!(
        lab.llm
            .keys()
            .iter()
            .all(|k| k.alias.as_deref() != Some("virtkey-galice"))
    );
    assert!(
        !lab.gitea.user_exists("alice"),
        "the Gitea user must be purged"
    );
}

#[tokio::test]
async fn reprovision_reuses_everything_and_destroy_twice_succeeds() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("bob");
    p.provision(&t).await.unwrap();
    let objects = tenant_objects(&lab.kube, "bob");
    let key = secret_value(&lab, "agent-bob", "agent-llm", "LITELLM_API_KEY");
    let again = p.provision(&t).await.unwrap();
    assert_eq!(detail(&again, "state"), "reused");
    assert_eq!(detail(&again, "gitea-token"), "reused");
    assert_eq!(detail(&again, "llm-key"), "reused");
    assert_eq!(
        tenant_objects(&lab.kube, "bob"),
        objects,
        "a re-run must not add objects"
    );
    assert_eq!(
        secret_value(&lab, "agent-bob", "agent-llm", "LITELLM_API_KEY"),
        key
    );
    assert_eq!(lab.llm.keys().len(), 1);
    let status = p.status(&t).await.unwrap();
    let objects = status["objects"].as_object().unwrap();
    assert!(
        objects.len() >= 20 && objects.values().all(|v| v == true),
        "{status}"
    );
    assert_eq!(status["applications"]["agent-bob"]["health"], "Healthy");
    assert_eq!(
        (status["gitea_user"].clone(), status["llm_keys"].clone()),
        (Value::Bool(true), Value::from(1))
    );
    assert_eq!(p.tenants().await.unwrap(), ["bob"]);
    p.destroy(&t).await.unwrap();
    let status = p.status(&t).await.unwrap();
    assert!(
        status["objects"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v == false),
        "{status}"
    );
    assert_eq!(
        (status["gitea_user"].clone(), status["llm_keys"].clone()),
        (Value::Bool(false), Value::from(0))
    );
    assert!(p.tenants().await.unwrap().is_empty());
    p.destroy(&t).await.unwrap();
    p.destroy(&tenant("never-provisioned")).await.unwrap();
    assert!(tenant_objects(&lab.kube, "bob").is_empty());
}

#[tokio::test]
async fn a_failure_at_any_step_is_reported_and_a_rerun_resumes() {
    let lab = Lab::start(Expand::Nothing).await;
    for (i, step) in STEPS.iter().enumerate() {
        let t = tenant(&format!("f{i}"));
        let mut p = lab.provisioner(Mode::Bootstrap);
        p.fail_at = Some(step.to_string());
        match p.provision(&t).await.unwrap_err() {
            Error::Step {
                step: failed, done, ..
            } => {
                assert_eq!(failed, *step);
                assert_eq!(done, STEPS[..i].join(", "));
            }
            other => panic!("expected a step error, got {other}"),
        }
        p.fail_at = None;
        p.provision(&t).await.unwrap();
        let alias = format!("virtkey-gf{i}");
        assert_eq!(
            lab.llm
                .keys()
                .iter()
                .filter(|k| k.alias.as_deref() == Some(alias.as_str()))
                .count(),
            1,
            "{step}"
        );
        let token = secret_value(&lab, &t.namespace("mcp-gitea"), "gitea-creds", "token");
        assert_eq!(gitea_get(&lab, "/user", &token).await.0, 200, "{step}");
        p.destroy(&t).await.unwrap();
        assert!(tenant_objects(&lab.kube, &t.username).is_empty(), "{step}");
    }
}

#[tokio::test]
async fn direct_mode_applies_the_rendered_charts_and_render_equals_applied() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Direct);
    let t = tenant("carol");
    let report = p.provision(&t).await.unwrap();
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.step == "wait" && s.detail.contains("workloads ready"))
    );
    assert!(
        lab.kube
            .list("argoproj.io/v1alpha1", "Application", None)
            .is_empty()
    );
    let rendered = p.render(&t).await.unwrap();
    assert!(rendered.len() > 30, "{}", rendered.len());
    for obj in &rendered {
        let got = applied(&lab, obj).unwrap_or_else(|| {
            panic!(
                "rendered but not applied: {}",
                provisioner::cluster::describe(obj)
            )
        });
        // Generated credentials are placeholders in render output: compare keys only.
        if obj["kind"] == "Secret" || obj["metadata"]["name"] == "userinfo-carol" {
            let keys = |o: &Value| {
                o["data"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(obj), keys(&got));
            continue;
        }
        for field in ["spec", "data", "rules", "roleRef", "subjects"] {
            assert!(
                is_subset(&obj[field], &got[field]),
                "{field} of {}: rendered {} applied {}",
                provisioner::cluster::describe(obj),
                obj[field],
                got[field]
            );
        }
    }
    p.destroy(&t).await.unwrap();
    assert!(tenant_objects(&lab.kube, "carol").is_empty());
}

/// Whether everything in `rendered` is in `applied` (the server may add defaults).
fn is_subset(rendered: &Value, applied: &Value) -> bool {
    match (rendered, applied) {
        (Value::Null, _) => true,
        (Value::Object(r), Value::Object(a)) => r
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| is_subset(v, av))),
        (Value::Array(r), Value::Array(a)) => {
            r.len() == a.len() && r.iter().zip(a).all(|(x, y)| is_subset(x, y))
        }
        _ => rendered == applied,
    }
}

/// A tenant of an older version has the app-of-apps `bootstrap-tenant-<u>`, rendered from
/// the tenant's own repository: provisioning again removes it without its cascade (the
/// children stay, now pinned by the provisioner), and destroy removes everything.
#[tokio::test]
async fn a_legacy_app_of_apps_is_retired_without_its_cascade() {
    let lab = Lab::start(Expand::Nothing).await;
    let p = lab.provisioner(Mode::Bootstrap);
    let t = tenant("olga");
    p.provision(&t).await.unwrap();
    let legacy = serde_json::json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": { "name": "bootstrap-tenant-olga", "namespace": "openshift-gitops",
            "finalizers": ["resources-finalizer.argocd.argoproj.io"] },
        "spec": { "project": "default",
            "destination": { "server": "https://kubernetes.default.svc", "namespace": "openshift-gitops" },
            "source": { "repoURL": "http://gitea.gitea.svc.cluster.local:3000/olga/mcp.git",
                "path": "charts/bootstrap", "targetRevision": "main" } } });
    lab.kube.apply_object(legacy).unwrap();
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "deploy").contains("legacy bootstrap Application removed"),
        "{report:?}"
    );
    let get = |name: &str| {
        lab.kube.get(
            "argoproj.io/v1alpha1",
            "Application",
            Some("openshift-gitops"),
            name,
        )
    };
    assert!(get("bootstrap-tenant-olga").is_none());
    for name in provisioner::wait::application_names(&t) {
        assert_eq!(
            get(&name).unwrap()["spec"]["project"],
            "appproject-olga",
            "{name}"
        );
    }
    p.destroy(&t).await.unwrap();
    assert!(tenant_objects(&lab.kube, "olga").is_empty());
}

/// A cluster whose controllers do not run (the first pass finds nothing, the next is an
/// hour away): the wait gives up at its deadline and its error names each object it
/// waited for and the condition it lacked, in both modes, instead of a bare name.
#[tokio::test]
async fn a_wait_that_times_out_names_the_object_and_the_condition_it_waited_for() {
    let lab = Lab::start_with(Expand::Nothing, std::time::Duration::from_secs(3600)).await;
    for (mode, user, wanted) in [
        (
            Mode::Bootstrap,
            "idle",
            "Application openshift-gitops/agent-idle is unknown/unknown (wants Synced/Healthy)",
        ),
        (
            Mode::Direct,
            "idled",
            "MCPServer mcp-gitea-idled/gitea is without a phase (wants phase Running)",
        ),
    ] {
        let mut p = lab.provisioner(mode);
        p.settings.wait_seconds = 1;
        let started = std::time::Instant::now();
        let err = p.provision(&tenant(user)).await.unwrap_err();
        let Error::Step { step, source, .. } = &err else {
            panic!("expected a step error, got {err}");
        };
        assert_eq!(*step, "wait");
        let text = source.to_string();
        assert!(text.starts_with("timed out after 1."), "{text}");
        assert!(text.contains(wanted), "{text}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{err}"
        );
    }
}
