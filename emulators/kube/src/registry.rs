//! The resource registry: every served resource type is data (group, version, kind,
//! plural, scope, short names, verbs, subresources, printer columns), whether built in
//! or registered by creating a CustomResourceDefinition. Discovery, routing, Table
//! output and validation all read from here, so adding a kind is adding a row.

use serde_json::Value;

/// Verbs of an ordinary read-write resource, as discovery lists them.
pub(super) const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// One printer column (`additionalPrinterColumns` of a CRD, or a built-in kind's columns).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header (`Name`, `Ready`, …).
    pub name: String,
    /// OpenAPI type of the cell (`string`, `integer`, `date`).
    pub kind: String,
    /// A simple JSONPath (`.status.phase`) or a computed column (`@ready`, `@age`, …).
    pub path: String,
    /// 0 = always shown, 1 = only with `-o wide`.
    pub priority: u8,
}

impl Column {
    /// A column from its parts.
    pub fn new(name: &str, kind: &str, path: &str, priority: u8) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            path: path.into(),
            priority,
        }
    }
}

/// A served resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// API group (`""` for core).
    pub group: String,
    /// Version (`v1`).
    pub version: String,
    /// Kind (`Pod`).
    pub kind: String,
    /// Plural resource name used in URLs (`pods`).
    pub plural: String,
    /// Singular name (`pod`).
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Short names (`po`).
    pub short_names: Vec<String>,
    /// Discovery categories (`all`).
    pub categories: Vec<String>,
    /// Verbs; `ALL_VERBS` for stored kinds.
    pub verbs: Vec<String>,
    /// Subresources served (`status`, `log`, `scale`).
    pub subresources: Vec<String>,
    /// Defined by a CRD (lists carry item kinds, strategic merge is refused, lists are atomic).
    pub custom: bool,
    /// Whether `metadata.generation` is maintained.
    pub generation: bool,
    /// Printer columns after `Name`; empty means `Age` only.
    pub columns: Vec<Column>,
    /// Whether this version is the group's preferred one.
    pub preferred: bool,
}

impl ResourceType {
    /// `apps/v1` or `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether the type serves a subresource.
    pub fn has_sub(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }

    /// Whether the verb is allowed on the main resource.
    pub fn allows(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// The starting resource types, as a data table (see the file's header for columns).
const RESOURCES: &str = include_str!("registry/resources.txt");

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
        .map(String::from)
        .collect()
}

fn parse_columns(spec: &str) -> Vec<Column> {
    spec.split(';')
        .filter_map(|c| {
            let mut parts = c.trim().splitn(3, ':');
            Some(Column::new(parts.next()?, parts.next()?, parts.next()?, 0))
        })
        .collect()
}

/// Parses one row of the table; `None` for comments, blank or malformed lines.
fn parse_row(line: &str) -> Option<ResourceType> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    let [
        origin,
        group,
        version,
        kind,
        plural,
        scope,
        short,
        subs,
        generation,
        categories,
        columns,
    ] = cells.as_slice()
    else {
        return None;
    };
    let custom = *origin == "crd";
    let group = if *group == "-" { "" } else { group };
    let mut cols = if *columns == "-" {
        vec![]
    } else {
        parse_columns(columns)
    };
    if custom {
        cols.push(Column::new("Age", "date", ".metadata.creationTimestamp", 0));
    }
    Some(ResourceType {
        group: group.into(),
        version: version.to_string(),
        kind: kind.to_string(),
        plural: plural.to_string(),
        singular: kind.to_lowercase(),
        namespaced: *scope == "Namespaced",
        short_names: split(short),
        categories: split(categories),
        verbs: if plural.ends_with("reviews") {
            vec!["create".to_string()]
        } else {
            ALL_VERBS.iter().map(|v| v.to_string()).collect()
        },
        subresources: split(subs),
        custom,
        generation: *generation == "yes",
        columns: cols,
        preferred: true,
    })
}

/// The built-in resource types (Kubernetes and OpenShift).
pub(super) fn builtin() -> Vec<ResourceType> {
    RESOURCES
        .lines()
        .filter_map(parse_row)
        .filter(|t| !t.custom)
        .collect()
}

/// The lab CRD kinds without a vendored upstream CRD (Argo CD's ApplicationSet) as
/// resource types.
pub(super) fn lab_crds() -> Vec<ResourceType> {
    RESOURCES
        .lines()
        .filter_map(parse_row)
        .filter(|t| t.custom)
        .collect()
}

/// The resource types a CRD object defines (one per served version), or why it is invalid.
pub(super) fn from_crd(crd: &Value) -> Result<Vec<ResourceType>, String> {
    let spec = crd.get("spec").ok_or("spec: Required value")?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .ok_or("spec.group: Required value")?;
    let names = spec.get("names").ok_or("spec.names: Required value")?;
    let kind = names
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("spec.names.kind: Required value")?;
    let plural = names
        .get("plural")
        .and_then(Value::as_str)
        .ok_or("spec.names.plural: Required value")?;
    let expected = format!("{plural}.{group}");
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name != expected {
        return Err(format!(
            "metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"
        ));
    }
    let singular = names
        .get("singular")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| kind.to_lowercase());
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let namespaced = spec.get("scope").and_then(Value::as_str) != Some("Cluster");
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or("spec.versions: Required value")?;
    let mut out = Vec::new();
    for v in versions {
        if v.get("served").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let version = v
            .get("name")
            .and_then(Value::as_str)
            .ok_or("spec.versions[].name: Required value")?;
        let mut subresources = Vec::new();
        if v.pointer("/subresources/status").is_some() {
            subresources.push("status".to_string());
        }
        if v.pointer("/subresources/scale").is_some() {
            subresources.push("scale".to_string());
        }
        let mut columns: Vec<Column> = v
            .get("additionalPrinterColumns")
            .and_then(Value::as_array)
            .map(|cols| {
                cols.iter()
                    .filter_map(|c| {
                        Some(Column {
                            name: c.get("name")?.as_str()?.into(),
                            kind: c
                                .get("type")
                                .and_then(Value::as_str)
                                .unwrap_or("string")
                                .into(),
                            path: c.get("jsonPath")?.as_str()?.into(),
                            priority: c
                                .get("priority")
                                .and_then(Value::as_u64)
                                .unwrap_or(0)
                                .min(9) as u8,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !columns.iter().any(|c| c.name == "Age") {
            columns.push(Column::new("Age", "date", ".metadata.creationTimestamp", 0));
        }
        out.push(ResourceType {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: singular.clone(),
            namespaced,
            short_names: strings(names.get("shortNames")),
            categories: strings(names.get("categories")),
            verbs: ALL_VERBS.iter().map(|v| v.to_string()).collect(),
            subresources,
            custom: true,
            generation: true,
            columns,
            preferred: v.get("storage").and_then(Value::as_bool).unwrap_or(false),
        });
    }
    if out.is_empty() {
        return Err(
            "spec.versions: Invalid value: must have exactly one version marked as storage version"
                .into(),
        );
    }
    if !out.iter().any(|r| r.preferred)
        && let Some(first) = out.first_mut()
    {
        first.preferred = true;
    }
    Ok(out)
}

/// A CRD object for a resource type, so that lab kinds are visible as CRDs too.
pub(super) fn crd_object(types: &[ResourceType]) -> Option<Value> {
    let first = types.first()?;
    let versions: Vec<Value> = types
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.version, "served": true, "storage": t.preferred,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "subresources": if t.has_sub("status") { serde_json::json!({"status": {}}) } else { serde_json::json!({}) },
                "additionalPrinterColumns": t.columns.iter().filter(|c| c.name != "Age").map(|c| serde_json::json!({"name": c.name, "type": c.kind, "jsonPath": c.path})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Some(serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", first.plural, first.group)},
        "spec": {
            "group": first.group,
            "names": {"kind": first.kind, "plural": first.plural, "singular": first.singular,
                      "listKind": format!("{}List", first.kind), "shortNames": first.short_names},
            "scope": if first.namespaced { "Namespaced" } else { "Cluster" },
            "versions": versions,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table_parses() {
        let rows = RESOURCES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .count();
        assert_eq!(builtin().len() + lab_crds().len(), rows);
        let appset = lab_crds()
            .into_iter()
            .find(|t| t.kind == "ApplicationSet")
            .unwrap();
        assert_eq!(appset.columns.len(), 1);
        assert!(
            builtin()
                .iter()
                .any(|t| t.plural == "selfsubjectaccessreviews" && t.verbs == ["create"])
        );
    }
}
