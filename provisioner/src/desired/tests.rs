use super::*;
use crate::state::TenantState;

fn ctx<'a>(t: &'a Tenant, s: &'a Settings) -> Ctx<'a> {
    Ctx {
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
        bootstrap_application(&c),
        userinfo(&c, &state),
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
    let dests = app_project(&c)["spec"]["destinations"].clone();
    assert_eq!(dests[0]["namespace"], "*-alice");
}

#[test]
fn bootstrap_application_carries_no_secret() {
    let t = Tenant::new("alice", "g1").unwrap();
    let s = Settings::default();
    let c = ctx(&t, &s);
    let mut state = TenantState::default();
    state.fill_generated();
    state.llm_key = "sk-very-secret".into();
    state.gitea_token = "0123456789abcdef".into();
    let text = bootstrap_application(&c).to_string();
    for secret in [
        &state.llm_key,
        &state.gitea_token,
        &state.gitea_password,
        &state.creds_key,
    ] {
        assert!(!text.contains(secret.as_str()));
    }
    assert!(text.contains("charts/bootstrap"));
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
