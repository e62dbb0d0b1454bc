use serde_json::json;

use super::*;

fn np(ns: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "p", "namespace": ns}, "spec": spec})
}

fn net(policies: Vec<Value>) -> Network {
    let mut n = Network::new();
    n.namespace("a", &[("team", "red")])
        .namespace("b", &[("team", "blue")])
        .namespace(
            "ingress",
            &[("policy-group.network.openshift.io/ingress", "")],
        );
    n.add_objects(&policies, "a").unwrap();
    n
}

fn pod(ns: &str, app: &str) -> Pod {
    Pod::new(ns, &[("app", app)])
}

#[test]
fn no_policy_means_open_and_an_empty_rule_list_means_closed() {
    let open = net(vec![]);
    assert!(open.allows(&pod("b", "x"), &pod("a", "y"), 80));
    let closed = net(vec![np(
        "a",
        json!({"podSelector": {}, "policyTypes": ["Ingress"]}),
    )]);
    assert!(!closed.allows(&pod("a", "x"), &pod("a", "y"), 80));
    // Only the selected pods are closed.
    let some = net(vec![np(
        "a",
        json!({"podSelector": {"matchLabels": {"app": "y"}}, "ingress": []}),
    )]);
    assert!(!some.allows(&pod("b", "x"), &pod("a", "y"), 80));
    assert!(some.allows(&pod("b", "x"), &pod("a", "z"), 80));
}

#[test]
fn pod_and_namespace_selectors_and_their_combination() {
    let same_ns = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]}),
    )]);
    assert!(same_ns.allows(&pod("a", "x"), &pod("a", "y"), 80));
    assert!(!same_ns.allows(&pod("b", "x"), &pod("a", "y"), 80));
    // Both selectors in one peer: AND.
    let and = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "blue"}}, "podSelector": {"matchLabels": {"app": "x"}}}]}]}),
    )]);
    assert!(and.allows(&pod("b", "x"), &pod("a", "y"), 80));
    assert!(!and.allows(&pod("b", "z"), &pod("a", "y"), 80));
    assert!(!and.allows(&pod("a", "x"), &pod("a", "y"), 80));
    // Two peers: OR.
    let or = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "blue"}}}, {"podSelector": {"matchLabels": {"app": "x"}}}]}]}),
    )]);
    assert!(or.allows(&pod("b", "z"), &pod("a", "y"), 80));
    assert!(or.allows(&pod("a", "x"), &pod("a", "y"), 80));
    assert!(!or.allows(&pod("a", "z"), &pod("a", "y"), 80));
    // An empty namespaceSelector is every namespace; an unknown namespace matches no label.
    let any_ns = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]}),
    )]);
    assert!(any_ns.allows(&pod("b", "z"), &pod("a", "y"), 80));
    let router = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"policy-group.network.openshift.io/ingress": ""}}}]}]}),
    )]);
    assert!(router.allows(&pod("ingress", "router"), &pod("a", "y"), 80));
    assert!(!router.allows(&pod("b", "router"), &pod("a", "y"), 80));
    assert!(!router.allows(&pod("nowhere", "router"), &pod("a", "y"), 80));
}

#[test]
fn ports_by_number_range_name_and_protocol() {
    let n = net(vec![np(
        "a",
        json!({"podSelector": {}, "ingress": [{"ports": [
        {"port": 8080}, {"protocol": "UDP", "port": 53}, {"port": 9000, "endPort": 9010}, {"port": "metrics"}]}]}),
    )]);
    let src = Endpoint::Pod(pod("b", "x"));
    let mut dst = pod("a", "y");
    dst.ports.insert("metrics".into(), 9100);
    let dst = Endpoint::Pod(dst);
    let v = |port, proto| n.check(&src, &dst, port, proto);
    assert_eq!(v(8080, Protocol::Tcp), Verdict::Allowed);
    assert_eq!(v(8081, Protocol::Tcp), Verdict::IngressDenied);
    assert_eq!(v(53, Protocol::Udp), Verdict::Allowed);
    assert_eq!(v(53, Protocol::Tcp), Verdict::IngressDenied);
    assert_eq!(v(9005, Protocol::Tcp), Verdict::Allowed);
    assert_eq!(v(9011, Protocol::Tcp), Verdict::IngressDenied);
    assert_eq!(v(9100, Protocol::Tcp), Verdict::Allowed);
}

#[test]
fn egress_and_ip_blocks() {
    let n = net(vec![np(
        "a",
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"podSelector": {}}]},
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.128.0.0/14"]}}], "ports": [{"port": 443}]}]}),
    )]);
    let inside = Endpoint::Pod(pod("b", "x").with_ip(Ipv4Addr::new(10, 129, 1, 2)));
    let src = Endpoint::Pod(pod("a", "y"));
    assert_eq!(
        n.check(&src, &inside, 443, Protocol::Tcp),
        Verdict::EgressDenied
    );
    let out = Endpoint::External(Ipv4Addr::new(52, 1, 2, 3));
    assert_eq!(n.check(&src, &out, 443, Protocol::Tcp), Verdict::Allowed);
    assert_eq!(
        n.check(&src, &out, 80, Protocol::Tcp),
        Verdict::EgressDenied
    );
    assert!(n.allows(&pod("a", "y"), &pod("a", "z"), 1234));
    // The destination's ingress still applies when egress admits.
    let both = net(vec![
        np("a", json!({"podSelector": {}, "egress": [{}]})),
        np("b", json!({"podSelector": {}, "ingress": []})),
    ]);
    assert_eq!(
        both.check(&src, &Endpoint::Pod(pod("b", "x")), 80, Protocol::Tcp),
        Verdict::IngressDenied
    );
}

#[test]
fn match_expressions() {
    let n = net(vec![np(
        "a",
        json!({"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["y", "w"]}, {"key": "tier", "operator": "DoesNotExist"}]},
        "ingress": []}),
    )]);
    assert!(!n.allows(&pod("b", "x"), &pod("a", "y"), 80));
    assert!(n.allows(&pod("b", "x"), &pod("a", "z"), 80));
    let tiered = Pod::new("a", &[("app", "y"), ("tier", "db")]);
    assert!(n.allows(&pod("b", "x"), &tiered, 80));
}

#[test]
fn malformed_policies_are_named_errors() {
    let cases = [
        json!({"podSelector": {}, "policyTypes": ["Sideways"]}),
        json!({"podSelector": {}, "ingress": [{"from": [{}]}]}),
        json!({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]}),
        json!({"podSelector": {}, "ingress": [{"ports": [{"port": 70000}]}]}),
        json!({"podSelector": {}, "ingress": [{"ports": [{"protocol": "ICMP"}]}]}),
        json!({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}),
        json!({"ingress": []}),
    ];
    for spec in cases {
        let mut n = Network::new();
        let err = n.add_objects(&[np("a", spec.clone())], "a").unwrap_err();
        assert!(
            err.to_string().starts_with("NetworkPolicy a/p: spec"),
            "{spec}: {err}"
        );
    }
}
