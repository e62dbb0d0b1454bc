//! The `tenant-operator` chart: lint-clean, every built-in kind (and the CRDs) valid under
//! `kubernetes-validate --strict`, two replicas with leader election, a PDB, the metrics
//! Service and a NetworkPolicy admitting only scrapers; RBAC without wildcards, no
//! cluster-wide list of Secrets, no workload or RBAC rights unless direct mode is on, and
//! no credential in anything it renders.

use serde_json::Value;

use super::render::{helm_lint, render, validate};

const CHART: &str = "tenant-operator";

fn rules(r: &super::render::Rendered, kind: &str) -> Vec<Value> {
    r.of_kind(kind)
        .flat_map(|o| o["rules"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_operator_chart_lints_and_validates() {
    helm_lint(CHART, "{}");
    for sets in [&[][..], &["directMode=true", "profile.create=false"][..]] {
        let r = render(CHART, "{}", sets);
        let builtin: Vec<&Value> = r
            .objects
            .iter()
            .filter(|o| o["kind"] != "TenantProfile")
            .collect();
        let text: String = builtin
            .iter()
            .map(|o| format!("---\n{}\n", serde_json::to_string(o).unwrap()))
            .collect();
        validate(&text);
    }
    let crds =
        std::fs::read_to_string(super::render::chart_dir(CHART).join("crds/tenants.yaml")).unwrap();
    validate(&crds);
}

#[test]
fn two_replicas_elect_a_leader_behind_a_pdb_and_a_network_policy() {
    let r = render(CHART, "{}", &[]);
    let d = r.of_kind("Deployment").next().unwrap();
    assert_eq!(d["spec"]["replicas"], 2);
    let args = names(&d["spec"]["template"]["spec"]["containers"][0]["args"]);
    assert!(args.contains(&"--leader-elect".to_string()), "{args:?}");
    let pdb = r.of_kind("PodDisruptionBudget").next().unwrap();
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    let svc = r.of_kind("Service").next().unwrap();
    assert_eq!(svc["spec"]["ports"][0]["name"], "metrics");
    let np = r.of_kind("NetworkPolicy").next().unwrap();
    let ingress = np["spec"]["ingress"].as_array().unwrap();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0]["ports"][0]["port"], "metrics");
    assert!(
        ingress[0]["from"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["namespaceSelector"].is_object())
    );
}

#[test]
fn rbac_is_limited_to_what_the_steps_need() {
    let r = render(CHART, "{}", &[]);
    let cluster = rules(&r, "ClusterRole");
    let all: Vec<Value> = cluster
        .iter()
        .chain(rules(&r, "Role").iter())
        .cloned()
        .collect();
    for rule in &all {
        for key in ["verbs", "apiGroups", "resources"] {
            assert!(
                !names(&rule[key]).contains(&"*".to_string()),
                "wildcard in {rule}"
            );
        }
    }
    for rule in &cluster {
        let resources = names(&rule["resources"]);
        let verbs = names(&rule["verbs"]);
        if resources.contains(&"secrets".to_string()) {
            assert!(
                !verbs.contains(&"list".to_string()) && !verbs.contains(&"watch".to_string()),
                "{rule}"
            );
        }
        for forbidden in [
            "roles",
            "rolebindings",
            "deployments/scale",
            "pods",
            "clusterroles",
            "clusterrolebindings",
        ] {
            assert!(
                !resources.contains(&forbidden.to_string()),
                "{forbidden} without direct mode: {rule}"
            );
        }
        if resources.contains(&"deployments".to_string()) {
            assert_eq!(verbs, ["get", "list", "watch"], "{rule}");
        }
    }
    let direct = render(CHART, "{}", &["directMode=true"]);
    assert!(
        rules(&direct, "ClusterRole")
            .iter()
            .any(|r| names(&r["resources"]).contains(&"rolebindings".to_string()))
    );
    // No credential is ever rendered: the Secret the profile names is the admin's.
    assert_eq!(r.of_kind("Secret").count(), 0);
    let profile = r.of_kind("TenantProfile").next().unwrap();
    assert_eq!(
        profile["spec"]["credentialsSecrets"][0]["name"],
        "provisioner-credentials"
    );
}
