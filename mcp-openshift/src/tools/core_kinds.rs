//! Built-in (`v1`) kinds the tools address without discovery: pods, services, events,
//! namespaces.

use crate::kube_api::ResourceInfo;

/// A built-in kind that needs no discovery.
pub(crate) fn core_kind(kind: &str, plural: &str, namespaced: bool) -> ResourceInfo {
    ResourceInfo {
        group: String::new(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        namespaced,
    }
}

/// `v1` Pods.
pub(crate) fn pods() -> ResourceInfo {
    core_kind("Pod", "pods", true)
}
