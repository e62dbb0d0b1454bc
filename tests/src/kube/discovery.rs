//! Legacy discovery (`/api`, `/apis`, `/api/v1`, `/apis/<g>[/<v>]`) and `/version`,
//! built from the registry. Aggregated-discovery Accept headers get the legacy shape,
//! which client-go and kubectl fall back from.

use serde_json::{Value, json};

use super::registry::ResourceType;

/// `/version`.
pub(super) fn version() -> Value {
    json!({
        "major": "1", "minor": "33", "emulationMajor": "1", "emulationMinor": "33",
        "minCompatibilityMajor": "1", "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.0-testbed", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0",
        "compiler": "gc", "platform": "linux/amd64"
    })
}

/// `/api`.
pub(super) fn core_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
}

fn group_entry(types: &[ResourceType], group: &str) -> Value {
    let mut versions: Vec<String> = Vec::new();
    for t in types.iter().filter(|t| t.group == group) {
        if !versions.contains(&t.version) {
            versions.push(t.version.clone());
        }
    }
    let preferred = types
        .iter()
        .find(|t| t.group == group && t.preferred)
        .map(|t| t.version.clone())
        .or_else(|| versions.first().cloned())
        .unwrap_or_default();
    let gv = |v: &str| json!({"groupVersion": format!("{group}/{v}"), "version": v});
    json!({"name": group, "versions": versions.iter().map(|v| gv(v)).collect::<Vec<_>>(), "preferredVersion": gv(&preferred)})
}

/// `/apis`.
pub(super) fn groups(types: &[ResourceType]) -> Value {
    let mut names: Vec<&str> = Vec::new();
    for t in types.iter().filter(|t| !t.group.is_empty()) {
        if !names.contains(&t.group.as_str()) {
            names.push(&t.group);
        }
    }
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": names.iter().map(|g| group_entry(types, g)).collect::<Vec<_>>()})
}

/// `/apis/<group>`, if served.
pub(super) fn group(types: &[ResourceType], group: &str) -> Option<Value> {
    types.iter().any(|t| t.group == group).then(|| {
        let mut g = group_entry(types, group);
        g["kind"] = json!("APIGroup");
        g["apiVersion"] = json!("v1");
        g
    })
}

/// `/api/v1` or `/apis/<g>/<v>`, if served.
pub(super) fn resources(types: &[ResourceType], group: &str, version: &str) -> Option<Value> {
    let served: Vec<&ResourceType> = types
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let mut list = Vec::new();
    for t in served {
        let mut entry = json!({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced, "kind": t.kind, "verbs": t.verbs});
        if !t.short_names.is_empty() {
            entry["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            entry["categories"] = json!(t.categories);
        }
        list.push(entry);
        for sub in &t.subresources {
            let (kind, verbs) = match sub.as_str() {
                "log" => ("Pod", vec!["get"]),
                "exec" => ("PodExecOptions", vec!["create", "get"]),
                "scale" => ("Scale", vec!["get", "patch", "update"]),
                "finalize" => (t.kind.as_str(), vec!["update"]),
                _ => (t.kind.as_str(), vec!["get", "patch", "update"]),
            };
            let mut e = json!({"name": format!("{}/{sub}", t.plural), "singularName": "", "namespaced": t.namespaced, "kind": kind, "verbs": verbs});
            if sub == "scale" {
                e["group"] = json!("autoscaling");
                e["version"] = json!("v1");
            }
            list.push(e);
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}),
    )
}

/// `/`: the paths the server serves.
pub(super) fn root(types: &[ResourceType]) -> Value {
    let mut paths = vec![
        "/api".to_string(),
        "/api/v1".into(),
        "/apis".into(),
        "/healthz".into(),
        "/version".into(),
    ];
    for t in types.iter().filter(|t| !t.group.is_empty()) {
        for p in [
            format!("/apis/{}", t.group),
            format!("/apis/{}/{}", t.group, t.version),
        ] {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    json!({"paths": paths})
}
