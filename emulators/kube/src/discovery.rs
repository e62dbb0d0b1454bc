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

/// Whether the client asked for aggregated discovery (apidiscovery.k8s.io/v2) first.
pub(super) fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').next().is_some_and(|first| {
        first.contains("as=APIGroupDiscoveryList")
            && first.contains("g=apidiscovery.k8s.io")
            && first.contains("v=v2")
    })
}

/// The content type of an aggregated discovery answer.
pub(super) const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!({"group": group, "version": version, "kind": kind})
}

fn resource_v2(t: &ResourceType) -> Value {
    let subs: Vec<Value> = t
        .subresources
        .iter()
        .map(|sub| {
            let (kind, verbs, group, version) = match sub.as_str() {
                "log" => ("Pod", vec!["get"], "", "v1"),
                "scale" => ("Scale", vec!["get", "patch", "update"], "autoscaling", "v1"),
                _ => (
                    t.kind.as_str(),
                    vec!["get", "patch", "update"],
                    t.group.as_str(),
                    t.version.as_str(),
                ),
            };
            json!({"subresource": sub, "responseKind": gvk(group, version, kind), "verbs": verbs})
        })
        .collect();
    let mut r = json!({
        "resource": t.plural, "responseKind": gvk(&t.group, &t.version, &t.kind),
        "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": t.singular, "verbs": t.verbs, "subresources": subs,
    });
    if !t.short_names.is_empty() {
        r["shortNames"] = json!(t.short_names);
    }
    if !t.categories.is_empty() {
        r["categories"] = json!(t.categories);
    }
    r
}

/// `/api` (core) or `/apis` (named groups) as an APIGroupDiscoveryList.
pub(super) fn aggregated(types: &[ResourceType], core: bool) -> Value {
    let mut groups: Vec<&str> = Vec::new();
    for t in types.iter().filter(|t| t.group.is_empty() == core) {
        if !groups.contains(&t.group.as_str()) {
            groups.push(&t.group);
        }
    }
    let items: Vec<Value> = groups
        .iter()
        .map(|g| {
            let mut versions: Vec<(&str, bool)> = Vec::new();
            for t in types.iter().filter(|t| t.group == *g) {
                if !versions.iter().any(|(v, _)| *v == t.version) {
                    versions.push((&t.version, t.preferred));
                }
            }
            // The preferred version comes first, as clients take the first one.
            versions.sort_by_key(|(_, preferred)| !preferred);
            let versions: Vec<Value> = versions
                .iter()
                .map(|(v, _)| {
                    let resources: Vec<Value> = types
                        .iter()
                        .filter(|t| t.group == *g && t.version == *v)
                        .map(resource_v2)
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}
