//! Checks that go beyond kubernetes-validate: the validator itself catches errors, and the
//! CRD-based kinds are accepted by the emulated cluster.

use super::render::{CHARTS, Rendered, U, lab_values, render, tenant_namespaces, validate};

#[test]
fn the_validator_does_catch_bad_objects() {
    let bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogusField: 1\n";
    let result = std::panic::catch_unwind(|| validate(bad));
    assert!(
        result.is_err(),
        "kubernetes-validate accepted an unknown field"
    );
    let _: Option<Rendered> = None;
}

/// CRD kinds (Argo CD, Tekton, ToolHive, OpenShift) are not covered by
/// kubernetes-validate: apply every rendered object to the Kubernetes emulator, which
/// serves the same resource types as the lab cluster, and read it back unchanged.
#[test]
fn every_rendered_object_is_accepted_by_the_emulated_cluster() {
    let kube = kube_emulator::KubeEmulator::new();
    for ns in tenant_namespaces(U)
        .into_iter()
        .chain(["openshift-gitops".to_string()])
    {
        kube.apply_yaml(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        ))
        .unwrap();
    }
    let variants: [&[&str]; 3] = [
        &[],
        &[
            "route.enabled=true",
            "toolFilter.enabled=true",
            "telemetry.prometheus.enabled=true",
        ],
        &["mode=plain"],
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for chart in CHARTS {
        for sets in variants {
            for obj in render(chart, &lab_values(), sets).objects {
                let applied = kube
                    .apply_object(obj.clone())
                    .unwrap_or_else(|e| panic!("{chart}: {} refused: {e}", obj["kind"]));
                let back = kube
                    .get(
                        obj["apiVersion"].as_str().unwrap(),
                        obj["kind"].as_str().unwrap(),
                        obj["metadata"]["namespace"].as_str(),
                        obj["metadata"]["name"].as_str().unwrap(),
                    )
                    .unwrap();
                assert_eq!(back["metadata"]["uid"], applied["metadata"]["uid"]);
                for field in ["spec", "data"] {
                    if !obj[field].is_null() && obj["kind"] != "Service" {
                        assert_eq!(obj[field], back[field], "{chart} {} {field}", obj["kind"]);
                    }
                }
                kinds.insert(obj["kind"].as_str().unwrap().to_string());
            }
        }
    }
    for crd_kind in [
        "Application",
        "Pipeline",
        "MCPServer",
        "MCPToolConfig",
        "Route",
    ] {
        assert!(kinds.contains(crd_kind), "{crd_kind} never rendered");
    }
}
