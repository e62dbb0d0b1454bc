//! The identity step against the Keycloak emulator (over HTTP) and the Kubernetes
//! emulator: the attendee's Keycloak user can log in with the password kept in the
//! tenant's state, the OpenShift `User` and `Identity` exist, a re-run resets the password
//! of the user we created (also when the state lost its id), destroy removes all three;
//! and, as an attacker would try, a Keycloak user or OpenShift `User` of the tenant's
//! name that the provisioner did not create is refused and left untouched.

use keycloak_emulator::{KeycloakConfig, KeycloakEmulator, RunningKeycloak};
use provisioner::config::Secret;
use provisioner::keycloak::{Keycloak, KeycloakAccess};
use provisioner::state::TenantState;
use provisioner::{Error, Mode, Provisioner, Tenant};
use serde_json::{Value, json};

use super::lab::{Expand, Lab, detail, tenant, tenant_objects};

struct IdLab {
    lab: Lab,
    kc: KeycloakEmulator,
    kc_srv: RunningKeycloak,
}

impl IdLab {
    async fn start() -> IdLab {
        let lab = Lab::start(Expand::Nothing).await;
        let kc = KeycloakEmulator::new(KeycloakConfig::default());
        let kc_srv = kc.serve(0).await.unwrap();
        IdLab { lab, kc, kc_srv }
    }

    fn admin(&self) -> Keycloak {
        Keycloak::new(KeycloakAccess {
            url: self.kc_srv.base_url(),
            admin_user: self.kc.config().admin_user.clone(),
            admin_password: Secret::new(self.kc.config().admin_password.clone()),
        })
        .unwrap()
    }

    fn provisioner(&self) -> Provisioner {
        let mut p = self.lab.provisioner(Mode::Bootstrap);
        p.keycloak = Some(self.admin());
        p.settings.identity.enabled = true;
        p
    }

    fn state(&self, t: &Tenant) -> TenantState {
        let s = self
            .lab
            .kube
            .get(
                "v1",
                "Secret",
                Some("openshift-gitops"),
                &format!("tenant-{}-state", t.username),
            )
            .expect("state Secret");
        TenantState::from_secret(&s)
    }

    /// The attendee's login: a password grant on the `sso` realm over HTTP.
    async fn login(&self, user: &str, password: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .post(format!(
                "{}/realms/sso/protocol/openid-connect/token",
                self.kc_srv.base_url()
            ))
            .form(&[
                ("client_id", "admin-cli"),
                ("grant_type", "password"),
                ("username", user),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    fn user(&self, name: &str) -> Option<Value> {
        self.lab
            .kube
            .get("user.openshift.io/v1", "User", None, name)
    }

    fn identity(&self, name: &str) -> Option<Value> {
        self.lab
            .kube
            .get("user.openshift.io/v1", "Identity", None, name)
    }
}

#[tokio::test]
async fn the_attendee_can_log_in_and_destroy_removes_the_identity() {
    let l = IdLab::start().await;
    let p = l.provisioner();
    let t = tenant("ivy");
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "identity").starts_with("created"),
        "{report:?}"
    );
    let state = l.state(&t);
    assert_eq!(state.keycloak_password.len(), 24);
    let kc_user = l.kc.user("sso", "ivy").expect("Keycloak user");
    assert_eq!(state.keycloak_user_id, kc_user.id);
    assert!(kc_user.enabled);
    let (status, token) = l.login("ivy", &state.keycloak_password).await;
    assert_eq!(status, 200, "the attendee's password logs in: {token}");
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert_eq!(l.login("ivy", "not-the-password").await.0, 401);

    let identity_name = format!("rhbk:{}", kc_user.id);
    let user = l.user("ivy").expect("OpenShift User");
    assert_eq!(user["identities"], json!([identity_name]));
    let identity = l.identity(&identity_name).expect("OpenShift Identity");
    assert_eq!(identity["providerName"], "rhbk");
    assert_eq!(identity["providerUserName"], kc_user.id.as_str());
    assert_eq!(identity["user"]["name"], "ivy");
    assert_eq!(identity["user"]["uid"], user["metadata"]["uid"]);

    // The password is in the state Secret only: no ConfigMap anywhere holds it.
    for cm in l.lab.kube.list("v1", "ConfigMap", None) {
        assert!(!cm.to_string().contains(&state.keycloak_password), "{cm}");
    }

    // Re-run: the same user (no duplicate), its password set again, the same password.
    let again = p.provision(&t).await.unwrap();
    assert!(
        detail(&again, "identity").starts_with("exists (ours); password set"),
        "{again:?}"
    );
    assert_eq!(l.kc.users("sso").len(), 1);
    assert_eq!(l.state(&t).keycloak_password, state.keycloak_password);

    let report = p.destroy(&t).await.unwrap();
    assert!(
        detail(&report, "identity").contains("Keycloak user deleted"),
        "{report:?}"
    );
    assert!(l.kc.user("sso", "ivy").is_none());
    assert!(l.user("ivy").is_none(), "User deleted");
    assert!(l.identity(&identity_name).is_none(), "Identity deleted");
    assert_eq!(l.login("ivy", &state.keycloak_password).await.0, 401);
    assert!(tenant_objects(&l.lab.kube, "ivy").is_empty());
    // Destroying twice is fine.
    let twice = p.destroy(&t).await.unwrap();
    assert!(
        detail(&twice, "identity").contains("Keycloak user absent"),
        "{twice:?}"
    );
}

/// The 409 path: the user exists and is ours. By id (somebody changed its password: set
/// again) and, when the state lost the id (a run stopped right after the create), by the
/// state's password, which only we know.
#[tokio::test]
async fn an_existing_user_we_created_gets_its_password_set_again() {
    let l = IdLab::start().await;
    let p = l.provisioner();
    let t = tenant("jo");
    p.provision(&t).await.unwrap();
    let state = l.state(&t);
    l.admin()
        .reset_password(
            "sso",
            &state.keycloak_user_id,
            &Secret::new("changed-by-someone"),
        )
        .await
        .unwrap();
    assert_eq!(l.login("jo", &state.keycloak_password).await.0, 401);
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "identity").starts_with("exists (ours)"),
        "{report:?}"
    );
    assert_eq!(l.login("jo", &state.keycloak_password).await.0, 200);

    // The state loses the id: the state's password still proves the user ours.
    let mut lost = l.state(&t);
    lost.keycloak_user_id.clear();
    let name = format!("tenant-{}-state", t.username);
    let mut secret = l
        .lab
        .kube
        .get("v1", "Secret", Some("openshift-gitops"), &name)
        .unwrap();
    secret["data"]["keycloak_user_id"] = json!("");
    l.lab.kube.apply_object(secret).unwrap();
    assert!(l.state(&t).keycloak_user_id.is_empty());
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "identity").starts_with("exists (ours)"),
        "{report:?}"
    );
    assert_eq!(l.state(&t).keycloak_user_id, state.keycloak_user_id);
    assert_eq!(l.kc.users("sso").len(), 1);
    p.destroy(&t).await.unwrap();
    assert!(l.kc.users("sso").is_empty());
}

/// Attack: order a tenant named after somebody's Keycloak user (to reset its password and
/// log in as them, or delete it on destroy); and after a user of ours whose state is gone.
#[tokio::test]
async fn a_keycloak_user_we_did_not_create_is_refused_and_left_untouched() {
    let l = IdLab::start().await;
    let p = l.provisioner();
    let t = tenant("dora");
    l.kc.seed_user("sso", "dora", "her-own-password").unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { field, .. } if field == "username")
            && err.to_string().contains("Keycloak user dora"),
        "{err}"
    );
    assert!(
        l.kc.password_matches("sso", "dora", "her-own-password"),
        "password unchanged"
    );
    assert!(
        tenant_objects(&l.lab.kube, "dora").is_empty(),
        "nothing created"
    );
    assert!(l.user("dora").is_none());
    // Destroy with the right guid does not delete her either.
    p.destroy(&t).await.unwrap();
    assert!(l.kc.password_matches("sso", "dora", "her-own-password"));

    // A user of ours whose tenant was destroyed, then someone else's of the same name:
    // a new order's fresh state proves nothing, so it is not taken over.
    let t2 = tenant("finn");
    p.provision(&t2).await.unwrap();
    let finn_id = l.kc.user("sso", "finn").unwrap().id;
    p.destroy(&t2).await.unwrap();
    let id = l.kc.seed_user("sso", "finn", "finns-password").unwrap();
    assert_ne!(id, finn_id);
    let err = p.provision(&t2).await.unwrap_err();
    assert!(err.to_string().contains("Keycloak user finn"), "{err}");
    assert!(l.kc.password_matches("sso", "finn", "finns-password"));
}

/// Attack: an OpenShift `User` of the tenant's name exists (someone's login): not adopted,
/// not deleted.
#[tokio::test]
async fn an_openshift_user_we_did_not_create_is_refused_and_kept() {
    let l = IdLab::start().await;
    let p = l.provisioner();
    let t = tenant("gus");
    l.lab
        .kube
        .apply_yaml("apiVersion: user.openshift.io/v1\nkind: User\nmetadata:\n  name: gus\nidentities: ['htpasswd:gus']\n")
        .unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(err.to_string().contains("OpenShift User gus"), "{err}");
    assert!(l.kc.user("sso", "gus").is_none(), "no Keycloak user made");
    p.destroy(&t).await.unwrap();
    assert_eq!(
        l.user("gus").unwrap()["identities"],
        json!(["htpasswd:gus"])
    );
}

/// Without KEYCLOAK_* in the environment, the admin credentials come from the Secret
/// `identity.adminSecret` and the URL from `identity.url`; wrong ones fail the order
/// with the field named and nothing created in Keycloak.
#[tokio::test]
async fn admin_credentials_from_the_cluster_secret() {
    let l = IdLab::start().await;
    let mut p = l.provisioner();
    p.keycloak = None;
    p.settings.identity.url = Some(l.kc_srv.base_url());
    let t = tenant("hal");
    let err = p.provision(&t).await.unwrap_err();
    assert!(err.to_string().contains("KEYCLOAK_ADMIN_PASSWORD"), "{err}");
    let secret = |password: &str| {
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keycloak\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata:\n  name: keycloak-initial-admin\n  namespace: keycloak\n\
             stringData:\n  username: {}\n  password: {password}\n",
            l.kc.config().admin_user
        )
    };
    l.lab.kube.apply_yaml(&secret("wrong")).unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(
        err.to_string().contains("refused the admin credentials"),
        "{err}"
    );
    assert!(l.kc.user("sso", "hal").is_none());
    l.lab
        .kube
        .apply_yaml(&secret(&l.kc.config().admin_password))
        .unwrap();
    p.provision(&t).await.unwrap();
    let state = l.state(&t);
    assert_eq!(l.login("hal", &state.keycloak_password).await.0, 200);
    p.destroy(&t).await.unwrap();
    assert!(l.kc.user("sso", "hal").is_none());
}

/// One key of a Secret, decoded.
fn secret_text(l: &IdLab, ns: &str, name: &str, key: &str) -> String {
    use base64::Engine;
    let s = l
        .lab
        .kube
        .get("v1", "Secret", Some(ns), name)
        .unwrap_or_else(|| panic!("{ns}/{name}"));
    let raw = base64::engine::general_purpose::STANDARD
        .decode(
            s["data"][key]
                .as_str()
                .unwrap_or_else(|| panic!("{ns}/{name} has no {key}")),
        )
        .unwrap();
    String::from_utf8(raw).unwrap()
}

/// The guide: `showroom-<u>` with the chart's objects and a `user_data.yml` carrying every
/// attribute the guide uses, each with the tenant's real value (the password logs in);
/// the user info gains the same fields, its passwords in the Secret only; destroy removes
/// the guide's namespace.
#[tokio::test]
async fn the_guide_gets_every_attribute_and_destroy_removes_it() {
    let l = IdLab::start().await;
    let mut p = l.provisioner();
    p.settings.showroom.enabled = true;
    let t = tenant("kim");
    let report = p.provision(&t).await.unwrap();
    assert!(
        detail(&report, "showroom").contains("guide objects applied"),
        "{report:?}"
    );
    let ns = l
        .lab
        .kube
        .get("v1", "Namespace", None, "showroom-kim")
        .expect("namespace");
    assert_eq!(
        ns["metadata"]["labels"]["lab.mcp/created-by"],
        "provisioner"
    );
    for (kind, name) in [
        ("Deployment", "showroom"),
        ("Service", "showroom"),
        ("Route", "showroom"),
    ] {
        let api = match kind {
            "Deployment" => "apps/v1",
            "Route" => "route.openshift.io/v1",
            _ => "v1",
        };
        assert!(
            l.lab
                .kube
                .get(api, kind, Some("showroom-kim"), name)
                .is_some(),
            "{kind}"
        );
    }
    let state = l.state(&t);
    let text = secret_text(&l, "showroom-kim", "showroom-userdata", "user_data.yml");
    let data: Value = serde_saphyr::from_str(&text).unwrap();
    let domain = super::lab::DOMAIN;
    let gitea = l.lab.gitea_srv.base_url().trim_end_matches('/').to_string();
    let expected = json!({
        "user": "kim",
        "password": state.keycloak_password,
        "openshift_cluster_ingress_domain": domain,
        "openshift_console_url": format!("https://console-openshift-console.{domain}"),
        "argocd_url": format!("https://openshift-gitops-server-openshift-gitops.{domain}"),
        "librechat_url": format!("https://librechat-librechat-kim.{domain}"),
        "librechat_user": "kim@example.com",
        "librechat_password": state.librechat_password,
        "gitea_url": gitea,
        "gitea_user": "kim",
        "gitea_password": state.gitea_password,
        "gitea_repo_url": format!("{gitea}/kim/mcp"),
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&data[key], value, "user_data.yml {key}: {text}");
    }
    let password = data["password"].as_str().unwrap();
    assert_eq!(
        l.login("kim", password).await.0,
        200,
        "the guide's {{password}} logs in"
    );

    let info = l
        .lab
        .kube
        .get("v1", "ConfigMap", Some("openshift-gitops"), "userinfo-kim")
        .unwrap();
    let provision_data = info["data"]["provision_data"].as_str().unwrap();
    let users: Value = serde_saphyr::from_str(provision_data).unwrap();
    let entry = &users["users"]["kim"];
    for key in [
        "openshift_cluster_ingress_domain",
        "openshift_console_url",
        "argocd_url",
        "librechat_user",
        "gitea_user",
        "gitea_url",
    ] {
        assert_eq!(entry[key], expected[key], "user info {key}");
    }
    assert_eq!(
        entry["showroom_url"],
        format!("https://showroom-showroom-kim.{domain}")
    );
    assert!(!provision_data.contains(&state.keycloak_password));
    assert!(!provision_data.contains("password\""), "{provision_data}");
    assert_eq!(
        secret_text(&l, "openshift-gitops", "userinfo-kim", "password"),
        state.keycloak_password
    );
    for cm in l.lab.kube.list("v1", "ConfigMap", None) {
        let text = cm.to_string();
        assert!(
            !text.contains(&state.keycloak_password) && !text.contains(&state.gitea_password),
            "{text}"
        );
    }

    let report = p.destroy(&t).await.unwrap();
    assert!(
        detail(&report, "showroom").contains("showroom-kim deleted"),
        "{report:?}"
    );
    assert!(
        l.lab
            .kube
            .get("v1", "Namespace", None, "showroom-kim")
            .is_none()
    );
    assert!(l.kc.user("sso", "kim").is_none());
    assert!(tenant_objects(&l.lab.kube, "kim").is_empty());
}

/// Attack: a `showroom-<u>` namespace someone else made (to have the guide, with the
/// attendee's passwords, written into it): refused before anything is created, kept.
#[tokio::test]
async fn a_guide_namespace_we_did_not_create_is_refused_and_kept() {
    let l = IdLab::start().await;
    let mut p = l.provisioner();
    p.settings.showroom.enabled = true;
    let t = tenant("lou");
    l.lab
        .kube
        .apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: showroom-lou\n")
        .unwrap();
    let err = p.provision(&t).await.unwrap_err();
    assert!(err.to_string().contains("showroom-lou"), "{err}");
    assert!(l.kc.user("sso", "lou").is_none(), "nothing created");
    assert!(
        l.lab
            .kube
            .list("v1", "Secret", Some("showroom-lou"))
            .is_empty()
    );
    p.destroy(&t).await.unwrap();
    assert!(
        l.lab
            .kube
            .get("v1", "Namespace", None, "showroom-lou")
            .is_some(),
        "kept"
    );
}
