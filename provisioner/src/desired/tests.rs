use super::*;
use crate::state::TenantState;

fn ctx<'a>(t: &'a Tenant, s: &'a Settings) -> RenderContext<'a> {
    RenderContext {
        tenant: t,
        settings: s,
        domain: "apps.test",
        litemaas_url: "http://llm/v1",
        gitea_url: "http://gitea",
    }
}

#[test]
fn every_object_is_labelled_and_scoped_to_the_tenant() {
    let t = Tenant::new("alice", "g1").unwrap();
    let s = Settings::default();
    let c = ctx(&t, &s);
    let mut state = TenantState::default();
    state.fill_generated();
    let mut objs = vec![
        namespace(&t, "agent"),
        app_project(&c),
        scc(&t),
        userinfo(&c),
        userinfo_secret(&c, &state),
        state_secret(&c, &state),
    ];
    objs.extend(namespace_limits(&c, "agent"));
    objs.extend(tenant_secrets(&c, &state));
    for o in &objs {
        assert_eq!(o["metadata"]["labels"][TENANT_LABEL], "alice", "{o}");
        if let Some(ns) = o["metadata"]["namespace"].as_str() {
            assert!(ns.ends_with("-alice") || ns == "openshift-gitops", "{ns}");
        }
    }
}

#[test]
fn the_project_admits_exactly_the_tenants_namespaces_repos_and_kinds() {
    let t = Tenant::new("bob", "g1").unwrap();
    let s = Settings::default();
    let spec = app_project(&ctx(&t, &s))["spec"].clone();
    let dests: Vec<&str> = spec["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(
        dests,
        [
            "agent-bob",
            "mcp-openshift-bob",
            "mcp-gitea-bob",
            "librechat-bob"
        ]
    );
    // With the guide on, `showroom-bob` is still no destination: the provisioner applies
    // the guide (it holds the attendee's passwords), Argo CD never syncs into it.
    let mut with_guide = Settings::default();
    with_guide.showroom.enabled = true;
    with_guide.identity.enabled = true;
    assert_eq!(
        app_project(&ctx(&t, &with_guide))["spec"]["destinations"],
        spec["destinations"]
    );
    assert_eq!(
        spec["sourceRepos"],
        json!([
            "http://gitea.gitea.svc.cluster.local:3000/bob/mcp.git",
            "https://github.com/danny-avila/LibreChat"
        ])
    );
    assert_eq!(spec["clusterResourceWhitelist"], json!([]));
    let kinds = spec["namespaceResourceWhitelist"].as_array().unwrap();
    for refused in [
        "ResourceQuota",
        "LimitRange",
        "Application",
        "Pod",
        "AppProject",
    ] {
        assert!(kinds.iter().all(|k| k["kind"] != refused), "{refused}");
    }
    for field in ["sourceRepos", "destinations", "namespaceResourceWhitelist"] {
        assert!(
            !spec[field].to_string().contains('*'),
            "no glob in {field}: {spec}"
        );
    }
}

#[test]
fn pinning_overrides_project_and_refuses_foreign_destinations_and_sources() {
    let t = Tenant::new("bob", "g1").unwrap();
    let s = Settings::default();
    let c = ctx(&t, &s);
    let app = |ns: &str, repo: &str, path: &str| {
        json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": { "name": "agent-bob", "namespace": "elsewhere" },
            "spec": { "project": "default",
                "destination": { "server": "https://evil", "namespace": ns },
                "source": { "repoURL": repo, "path": path } } })
    };
    let repo = s.repo_url(&t);
    let pinned = pin_application(&c, app("agent-bob", &repo, "charts/agent")).unwrap();
    assert_eq!(pinned["spec"]["project"], "appproject-bob");
    assert_eq!(pinned["metadata"]["namespace"], "openshift-gitops");
    assert_eq!(pinned["spec"]["destination"]["server"], IN_CLUSTER);
    for (ns, repo, path) in [
        ("openshift-gitops", repo.as_str(), "charts/agent"),
        ("agent-alice-bob", repo.as_str(), "charts/agent"),
        (
            "agent-bob",
            "http://gitea.gitea.svc.cluster.local:3000/alice/mcp.git",
            "charts/agent",
        ),
        ("agent-bob", repo.as_str(), "charts/../x"),
        ("agent-bob", repo.as_str(), "charts"),
    ] {
        assert!(
            pin_application(&c, app(ns, repo, path)).is_err(),
            "{ns} {repo} {path}"
        );
    }
    let mut other = app("agent-bob", &repo, "charts/agent");
    other["kind"] = json!("ClusterRoleBinding");
    assert!(pin_application(&c, other).is_err());
}

#[test]
fn user_info_configmap_carries_no_password_and_names_its_secret() {
    let t = Tenant::new("alice", "g1").unwrap();
    let s = Settings::default();
    let c = ctx(&t, &s);
    let mut state = TenantState::default();
    state.fill_generated();
    let text = userinfo(&c).to_string();
    assert!(!text.contains(&state.gitea_password) && !text.contains(&state.librechat_password));
    assert!(!text.contains("_password"), "{text}");
    assert!(text.contains("openshift-gitops/userinfo-alice"), "{text}");
    let secret = userinfo_secret(&c, &state);
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(
        secret["metadata"]["labels"]["demo.redhat.com/tenant-g1"],
        "true"
    );
    let back = TenantState::from_secret(&json!({ "data": {
        "gitea_password": secret["data"]["gitea_password"] } }));
    assert_eq!(back.gitea_password, state.gitea_password);
}

#[test]
fn state_round_trips_through_its_secret() {
    let t = Tenant::new("alice", "g1").unwrap();
    let s = Settings::default();
    let mut state = TenantState::default();
    state.fill_generated();
    state.llm_key = "sk-x".into();
    let back = TenantState::from_secret(&state_secret(&ctx(&t, &s), &state));
    assert_eq!(back, state);
    assert_eq!(back.creds_key.len(), 64);
    assert_eq!(format!("{back:?}"), "TenantState(***)");
}
