//! Which container of a pod a call means when none was named (`pods_log`, `pods_exec`): the
//! only one, else the one the `kubectl.kubernetes.io/default-container` annotation names.

use serde_json::Value;

use crate::error::ContainerError;

/// The container to use when none was named: the only one, else the default-container annotation.
pub(crate) fn choose_container(pod: &Value) -> Result<String, ContainerError> {
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    if let [only] = names.as_slice() {
        return Ok(only.to_string());
    }
    if let Some(d) =
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str()
        && names.contains(&d)
    {
        return Ok(d.to_string());
    }
    if names.is_empty() {
        return Err(ContainerError::NoContainers);
    }
    Err(ContainerError::Ambiguous {
        names: names.into_iter().map(String::from).collect(),
    })
}
