use super::*;

#[test]
fn usernames_must_be_dns_labels() {
    for bad in ["", "User1", "user_1", "-u", "u-", "a.b", &"x".repeat(36)] {
        let err = Tenant::new(bad, "g1").unwrap_err();
        assert!(err.to_string().contains("--username"), "{bad}: {err}");
    }
    let t = Tenant::new("user1", "abc12").unwrap();
    assert_eq!(t.namespace("agent"), "agent-user1");
    assert_eq!(t.key_alias(), "virtkey-abc12");
    assert_eq!(t.namespaces().len(), 4);
    assert!(Tenant::new("user1", "Bad_Guid").is_err());
}

#[test]
fn values_files_are_strict() {
    let s = Settings::from_yaml("createNamespaces: true\nmcpMode: plain\n").unwrap();
    assert!(s.create_namespaces);
    assert_eq!(s.mcp_mode, "plain");
    assert_eq!(s.control_namespace, "openshift-gitops");
    let err = Settings::from_yaml("nope: 1\n").unwrap_err();
    assert!(err.to_string().contains("--values"), "{err}");
    let err = Settings::from_yaml("mcpMode: other\n").unwrap_err();
    assert!(err.to_string().contains("mcpMode"), "{err}");
}

#[test]
fn usernames_that_name_or_shadow_cluster_namespaces_are_refused() {
    for bad in [
        "config",
        "monitoring",
        "gitops",
        "openshift",
        "openshift-x",
        "kube-system",
        "default",
    ] {
        let err = Tenant::new(bad, "g1").unwrap_err();
        assert!(
            matches!(&err, Error::Invalid { field, .. } if field == "--username"),
            "{bad}: {err}"
        );
    }
    for fine in ["user57", "configurator", "alice-config2"] {
        Tenant::new(fine, "g1").unwrap();
    }
    let t = Tenant::new("bob", "g1").unwrap();
    assert!(t.owns_namespace("agent-bob") && !t.owns_namespace("agent-alice-bob"));
}
