//! The upstream CustomResourceDefinitions vendored in `crds/` (projects, versions and
//! commits in `crds/SOURCES.md`), as data: which are installed in a fresh emulator, which
//! only lend their schema to a kind the emulator serves as built in (OpenShift's Route,
//! SCC, …, which a real cluster serves from its own API server), and which a test
//! installs on request ([`crate::KubeEmulator::install_crd`]). Adding a CRD is adding a
//! file and a row.

use std::sync::LazyLock;

use serde_json::Value;

/// When a vendored CRD is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// Created as a CustomResourceDefinition in every new emulator (the lab cluster has it).
    AtStart,
    /// Only its schema is used, for a kind served as built in.
    SchemaOnly,
    /// Served once a test installs it (`KubeEmulator::install_crd`), as an operator would.
    OnRequest,
}

/// (file under `crds/`, its text, when it is served)
const VENDORED: &[(&str, &str, Install)] = &[
    (
        "argo-cd/applications.argoproj.io.yaml",
        include_str!("../crds/argo-cd/applications.argoproj.io.yaml"),
        Install::AtStart,
    ),
    (
        "argo-cd/appprojects.argoproj.io.yaml",
        include_str!("../crds/argo-cd/appprojects.argoproj.io.yaml"),
        Install::AtStart,
    ),
    (
        "tekton/pipelines.tekton.dev.yaml",
        include_str!("../crds/tekton/pipelines.tekton.dev.yaml"),
        Install::AtStart,
    ),
    (
        "tekton/tasks.tekton.dev.yaml",
        include_str!("../crds/tekton/tasks.tekton.dev.yaml"),
        Install::AtStart,
    ),
    (
        "tekton/pipelineruns.tekton.dev.yaml",
        include_str!("../crds/tekton/pipelineruns.tekton.dev.yaml"),
        Install::AtStart,
    ),
    (
        "tekton/taskruns.tekton.dev.yaml",
        include_str!("../crds/tekton/taskruns.tekton.dev.yaml"),
        Install::AtStart,
    ),
    (
        "toolhive/mcpservers.toolhive.stacklok.dev.yaml",
        include_str!("../crds/toolhive/mcpservers.toolhive.stacklok.dev.yaml"),
        Install::AtStart,
    ),
    (
        "toolhive/mcptoolconfigs.toolhive.stacklok.dev.yaml",
        include_str!("../crds/toolhive/mcptoolconfigs.toolhive.stacklok.dev.yaml"),
        Install::AtStart,
    ),
    (
        "toolhive/mcpregistries.toolhive.stacklok.dev.yaml",
        include_str!("../crds/toolhive/mcpregistries.toolhive.stacklok.dev.yaml"),
        Install::AtStart,
    ),
    (
        "openshift/oauths.config.openshift.io.yaml",
        include_str!("../crds/openshift/oauths.config.openshift.io.yaml"),
        Install::AtStart,
    ),
    (
        "openshift/ingresscontrollers.operator.openshift.io.yaml",
        include_str!("../crds/openshift/ingresscontrollers.operator.openshift.io.yaml"),
        Install::AtStart,
    ),
    (
        "openshift/routes.route.openshift.io.yaml",
        include_str!("../crds/openshift/routes.route.openshift.io.yaml"),
        Install::SchemaOnly,
    ),
    (
        "openshift/securitycontextconstraints.security.openshift.io.yaml",
        include_str!("../crds/openshift/securitycontextconstraints.security.openshift.io.yaml"),
        Install::SchemaOnly,
    ),
    (
        "openshift/ingresses.config.openshift.io.yaml",
        include_str!("../crds/openshift/ingresses.config.openshift.io.yaml"),
        Install::SchemaOnly,
    ),
    (
        "openshift/clusteroperators.config.openshift.io.yaml",
        include_str!("../crds/openshift/clusteroperators.config.openshift.io.yaml"),
        Install::SchemaOnly,
    ),
    (
        "olm/subscriptions.operators.coreos.com.yaml",
        include_str!("../crds/olm/subscriptions.operators.coreos.com.yaml"),
        Install::OnRequest,
    ),
    (
        "olm/operatorgroups.operators.coreos.com.yaml",
        include_str!("../crds/olm/operatorgroups.operators.coreos.com.yaml"),
        Install::OnRequest,
    ),
    (
        "keycloak/keycloaks.k8s.keycloak.org.yaml",
        include_str!("../crds/keycloak/keycloaks.k8s.keycloak.org.yaml"),
        Install::OnRequest,
    ),
    (
        "keycloak/keycloakrealmimports.k8s.keycloak.org.yaml",
        include_str!("../crds/keycloak/keycloakrealmimports.k8s.keycloak.org.yaml"),
        Install::OnRequest,
    ),
    (
        "cloudnative-pg/clusters.postgresql.cnpg.io.yaml",
        include_str!("../crds/cloudnative-pg/clusters.postgresql.cnpg.io.yaml"),
        Install::OnRequest,
    ),
    (
        "prometheus-operator/servicemonitors.monitoring.coreos.com.yaml",
        include_str!("../crds/prometheus-operator/servicemonitors.monitoring.coreos.com.yaml"),
        Install::OnRequest,
    ),
    (
        "gitea-operator/gitea.pfe.rhpds.com.yaml",
        include_str!("../crds/gitea-operator/gitea.pfe.rhpds.com.yaml"),
        Install::OnRequest,
    ),
];

/// One vendored CRD, parsed.
#[derive(Debug, Clone)]
pub struct VendoredCrd {
    /// Its file under `crds/` (`tekton/pipelines.tekton.dev.yaml`).
    pub file: &'static str,
    /// The CRD's name (`pipelines.tekton.dev`).
    pub name: String,
    /// When the emulator serves it.
    pub install: Install,
    /// The CustomResourceDefinition object.
    pub crd: Value,
}

static PARSED: LazyLock<Vec<VendoredCrd>> = LazyLock::new(|| {
    VENDORED
        .iter()
        .filter_map(|(file, text, install)| {
            let docs: Vec<Value> = match serde_saphyr::from_multiple(text) {
                Ok(d) => d,
                Err(e) => {
                    // A unit test parses every file, so this is never reached in a release.
                    tracing::error!(file, error = %e, "vendored CRD does not parse");
                    return None;
                }
            };
            let crd = docs.into_iter().find(Value::is_object)?;
            let name = crd.pointer("/metadata/name")?.as_str()?.to_string();
            Some(VendoredCrd {
                file,
                name,
                install: *install,
                crd,
            })
        })
        .collect()
});

/// Every vendored CRD.
pub fn all() -> &'static [VendoredCrd] {
    &PARSED
}

/// The vendored CRD named `name` (`servicemonitors.monitoring.coreos.com`).
pub fn get(name: &str) -> Option<&'static VendoredCrd> {
    PARSED.iter().find(|c| c.name == name)
}

/// The `openAPIV3Schema` of each version of a CRD object: `(version, schema)`.
pub fn schemas(crd: &Value) -> Vec<(String, Value)> {
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|versions| {
            versions
                .iter()
                .filter_map(|v| {
                    let name = v.get("name")?.as_str()?;
                    let schema = v.pointer("/schema/openAPIV3Schema")?;
                    Some((name.to_string(), schema.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_file_parses_into_a_crd_with_schemas() {
        assert_eq!(all().len(), VENDORED.len());
        for c in all() {
            assert_eq!(c.crd["kind"], "CustomResourceDefinition", "{}", c.file);
            assert!(c.file.ends_with(&format!("{}.yaml", c.name)), "{}", c.file);
            assert!(!schemas(&c.crd).is_empty(), "{} has no schema", c.file);
            crate::registry::from_crd(&c.crd).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        }
    }
}
