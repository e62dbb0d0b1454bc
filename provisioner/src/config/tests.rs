use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn secrets_never_print() {
    let creds = Credentials::from_env(&env(&[
        ("K8S_AUTH_HOST", "https://api.example:6443"),
        ("K8S_AUTH_API_KEY", "sha256~supersecret"),
        ("GITEA_URL", "http://g/"),
        ("GITEA_ADMIN_PASSWORD", "pw-secret"),
        ("LLM_URL", "http://l/v1"),
        ("LITELLM_MASTER_KEY", "sk-master-secret"),
    ]))
    .unwrap();
    let shown = format!("{creds:?}");
    assert!(!shown.contains("supersecret") && !shown.contains("pw-secret"));
    assert!(!shown.contains("sk-master-secret"));
    assert_eq!(creds.require_gitea().unwrap().url, "http://g");
}

#[test]
fn token_without_host_is_inferred_and_host_without_token_fails() {
    let creds = Credentials::from_env(&env(&[])).unwrap();
    assert!(matches!(creds.kube, KubeAccess::Inferred));
    // KUBECONFIG comes through the same source as every other credential
    let creds = Credentials::from_env(&env(&[("KUBECONFIG", "/tmp/kc")])).unwrap();
    assert!(matches!(&creds.kube, KubeAccess::Kubeconfig(p) if p.as_os_str() == "/tmp/kc"));
    let creds = Credentials::from_env(&env(&[("KUBECONFIG", "/a:/b")])).unwrap();
    assert!(matches!(creds.kube, KubeAccess::Inferred));
    assert!(creds.gitea.is_none() && creds.llm.is_none());
    let err = Credentials::from_env(&env(&[("K8S_AUTH_HOST", "https://x")])).unwrap_err();
    assert!(err.to_string().contains("K8S_AUTH_API_KEY"), "{err}");
    let err = Credentials::from_env(&env(&[("GITEA_URL", "http://g")])).unwrap_err();
    assert!(err.to_string().contains("GITEA_ADMIN_PASSWORD"), "{err}");
    let err = Credentials::from_env(&env(&[("LITELLM_URL", "http://l")])).unwrap_err();
    assert!(err.to_string().contains("LITELLM_MASTER_KEY"), "{err}");
}

#[test]
fn file_variants_are_read_and_trimmed() {
    let dir = std::env::temp_dir().join(format!("prov-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("key");
    std::fs::write(&f, "sk-from-file\n").unwrap();
    let e = env(&[
        ("LITELLM_URL", "http://l"),
        ("LITELLM_MASTER_KEY_FILE", f.to_str().unwrap()),
    ]);
    let creds = Credentials::from_env(&e).unwrap();
    assert_eq!(
        creds.require_llm().unwrap().master_key.expose(),
        "sk-from-file"
    );
    let e = env(&[
        ("LITELLM_URL", "http://l"),
        ("LITELLM_MASTER_KEY_FILE", "/nonexistent/x"),
    ]);
    let err = Credentials::from_env(&e).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/x"), "{err}");
}

#[test]
fn verify_ssl_must_be_boolean() {
    let e = env(&[
        ("K8S_AUTH_HOST", "https://x"),
        ("K8S_AUTH_API_KEY", "t"),
        ("K8S_AUTH_VERIFY_SSL", "maybe"),
    ]);
    let err = Credentials::from_env(&e).unwrap_err();
    assert!(err.to_string().contains("K8S_AUTH_VERIFY_SSL"), "{err}");
    let e = env(&[
        ("K8S_AUTH_HOST", "https://x"),
        ("K8S_AUTH_API_KEY", "t"),
        ("K8S_AUTH_VERIFY_SSL", "False"),
    ]);
    match Credentials::from_env(&e).unwrap().kube {
        KubeAccess::Token { verify_ssl, .. } => assert!(!verify_ssl),
        other => panic!("expected token access, got {other:?}"),
    }
}

#[test]
fn keycloak_access_from_env_or_file_never_prints_the_password() {
    let dir = std::env::temp_dir().join(format!("kc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pw");
    std::fs::write(&file, "kc-file-secret\n").unwrap();
    let creds = Credentials::from_env(&env(&[
        ("KEYCLOAK_URL", "https://sso.apps.example/"),
        ("KEYCLOAK_ADMIN_PASSWORD_FILE", file.to_str().unwrap()),
    ]))
    .unwrap();
    let kc = creds.keycloak.as_ref().unwrap();
    assert_eq!(kc.url, "https://sso.apps.example");
    assert_eq!(kc.admin_user, "admin");
    assert_eq!(kc.admin_password.expose(), "kc-file-secret");
    assert!(!format!("{creds:?}").contains("kc-file-secret"));
    let err = Credentials::from_env(&env(&[("KEYCLOAK_URL", "https://sso")])).unwrap_err();
    assert!(err.to_string().contains("KEYCLOAK_ADMIN_PASSWORD"), "{err}");
    assert!(Credentials::from_env(&env(&[])).unwrap().keycloak.is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn identity_settings_are_checked() {
    use crate::tenant::Settings;
    let ok = Settings::from_yaml("identity:\n  enabled: true\n  realm: sso\n").unwrap();
    assert!(ok.identity.enabled && ok.identity.openshift_user);
    for (yaml, field) in [
        ("identity:\n  realm: 'a/b'\n", "identity.realm"),
        ("identity:\n  adminSecret: nope\n", "identity.adminSecret"),
        ("identity:\n  url: ftp://x\n", "identity.url"),
        ("identity:\n  emailDomain: 'a@b'\n", "identity.emailDomain"),
        ("identity:\n  bogus: 1\n", "--values"),
        ("gitea:\n  mode: private\n", "--values"),
    ] {
        let err = Settings::from_yaml(yaml).unwrap_err();
        assert!(err.to_string().contains(field), "{yaml}: {err}");
    }
    let g = Settings::from_yaml("gitea:\n  mode: perTenant\n").unwrap();
    assert_eq!(g.gitea.mode, crate::features::GiteaMode::PerTenant);
}
