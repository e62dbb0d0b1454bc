//! The AppProject rules the simulated Argo CD enforces, as real Argo CD does: the
//! Application's project must exist (in the Application's namespace, Argo CD's own), its
//! source repository must match `sourceRepos`, its destination and the namespace of every
//! object it renders must match a `destinations` entry, a cluster-scoped kind must be in
//! `clusterResourceWhitelist` (absent or empty: none), and a namespaced kind in
//! `namespaceResourceWhitelist` (absent: all; empty: none) and not in the blacklists.
//! Patterns are globs where `*` matches any run of characters, like Argo CD's.

use serde_json::Value;

/// Whether `text` matches `pattern`, where `*` matches any (possibly empty) run.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// Whether the project admits `(server, namespace)` as a destination.
fn destination_ok(project: &Value, server: &str, namespace: &str) -> bool {
    project["spec"]["destinations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|d| {
            let server_ok = d["server"].as_str().is_some_and(|p| glob(p, server))
                || d["name"] == "in-cluster" && server == "https://kubernetes.default.svc";
            server_ok && d["namespace"].as_str().is_some_and(|p| glob(p, namespace))
        })
}

fn kind_in(list: &Value, group: &str, kind: &str) -> bool {
    list.as_array().into_iter().flatten().any(|e| {
        glob(e["group"].as_str().unwrap_or(""), group)
            && glob(e["kind"].as_str().unwrap_or(""), kind)
    })
}

/// The Application itself: project present, source and destination admitted. The error
/// is the `InvalidSpecError` message Argo CD would show.
pub fn admit_application(app: &Value, project: Option<&Value>) -> Result<(), String> {
    let name = app["spec"]["project"].as_str().unwrap_or_default();
    let Some(project) = project else {
        return Err(format!(
            "Application referencing project {name} which does not exist"
        ));
    };
    let repo = app["spec"]["source"]["repoURL"]
        .as_str()
        .unwrap_or_default();
    if !strings(&project["spec"]["sourceRepos"]).any(|p| glob(p, repo)) {
        return Err(format!(
            "application repo {repo} is not permitted in project '{name}'"
        ));
    }
    let dest = &app["spec"]["destination"];
    let server = dest["server"]
        .as_str()
        .unwrap_or("https://kubernetes.default.svc");
    let namespace = dest["namespace"].as_str().unwrap_or_default();
    if !destination_ok(project, server, namespace) {
        return Err(format!(
            "application destination {{{server} {namespace}}} is not permitted in project '{name}'"
        ));
    }
    Ok(())
}

/// One rendered object (its namespace already defaulted to the destination): the
/// message of Argo CD's refused sync task, if refused.
pub fn admit_resource(obj: &Value, namespaced: bool, project: &Value) -> Result<(), String> {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = obj["kind"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let spec = &project["spec"];
    let project_name = project["metadata"]["name"].as_str().unwrap_or_default();
    let permitted = if namespaced {
        let white = &spec["namespaceResourceWhitelist"];
        (white.is_null() || kind_in(white, group, kind))
            && !kind_in(&spec["namespaceResourceBlacklist"], group, kind)
    } else {
        kind_in(&spec["clusterResourceWhitelist"], group, kind)
            && !kind_in(&spec["clusterResourceBlacklist"], group, kind)
    };
    if !permitted {
        return Err(format!(
            "resource {group}:{kind} is not permitted in project {project_name}"
        ));
    }
    if namespaced {
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
        if !destination_ok(project, "https://kubernetes.default.svc", ns) {
            return Err(format!(
                "namespace {ns} is not permitted in project '{project_name}' ({kind} {name})"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn globs_match_like_argo_cd() {
        assert!(glob("*", "anything"));
        assert!(
            glob("*-bob", "agent-alice-bob"),
            "the cross-tenant glob of issue 16"
        );
        assert!(glob("*-config", "openshift-config"));
        assert!(!glob("agent-bob", "agent-alice-bob"));
        assert!(glob("a*c*e", "abcde") && !glob("a*c*e", "abde"));
    }

    #[test]
    fn kinds_follow_the_white_and_black_lists() {
        let open = json!({ "metadata": { "name": "p" }, "spec": {
            "destinations": [{ "server": "*", "namespace": "*" }] } });
        let cm = json!({ "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": "c", "namespace": "x" } });
        let crb = json!({ "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding", "metadata": { "name": "c" } });
        assert!(
            admit_resource(&cm, true, &open).is_ok(),
            "no whitelist: all namespaced"
        );
        assert!(
            admit_resource(&crb, false, &open).is_err(),
            "no cluster whitelist: none"
        );
        let mut strict = open.clone();
        strict["spec"]["namespaceResourceWhitelist"] = json!([{ "group": "apps", "kind": "*" }]);
        assert!(admit_resource(&cm, true, &strict).is_err());
        strict["spec"]["clusterResourceWhitelist"] = json!([{ "group": "*", "kind": "*" }]);
        assert!(admit_resource(&crb, false, &strict).is_ok());
    }
}
