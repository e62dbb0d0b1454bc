//! `/openapi/v3` (the index of group-version documents), `/openapi/v3/<api|apis/g>/<v>`
//! and `/openapi/v2`, so that kubectl's default client-side checks and `kubectl explain`
//! work. Built-in group-versions come from the upstream Kubernetes 1.33 documents vendored
//! in `openapi/k8s-1.33/` (trimmed to the resources served; see `openapi/SOURCES.md`);
//! every other group-version is generated from the schemas of the CRDs served
//! ([`crd_doc`]). The same built-in documents give the schemas that strict field
//! validation checks built-in kinds against.

mod crd_doc;
mod v2;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock};

use serde_json::{Map, Value, json};

use super::registry::ResourceType;

pub(super) use v2::swagger;

/// (document path under `/openapi/v3/`, vendored text)
const BUILTIN: &[(&str, &str)] = &[
    ("api/v1", include_str!("../openapi/k8s-1.33/api__v1.json")),
    (
        "apis/apps/v1",
        include_str!("../openapi/k8s-1.33/apis__apps__v1.json"),
    ),
    (
        "apis/batch/v1",
        include_str!("../openapi/k8s-1.33/apis__batch__v1.json"),
    ),
    (
        "apis/events.k8s.io/v1",
        include_str!("../openapi/k8s-1.33/apis__events.k8s.io__v1.json"),
    ),
    (
        "apis/networking.k8s.io/v1",
        include_str!("../openapi/k8s-1.33/apis__networking.k8s.io__v1.json"),
    ),
    (
        "apis/rbac.authorization.k8s.io/v1",
        include_str!("../openapi/k8s-1.33/apis__rbac.authorization.k8s.io__v1.json"),
    ),
    (
        "apis/apiextensions.k8s.io/v1",
        include_str!("../openapi/k8s-1.33/apis__apiextensions.k8s.io__v1.json"),
    ),
    (
        "apis/authorization.k8s.io/v1",
        include_str!("../openapi/k8s-1.33/apis__authorization.k8s.io__v1.json"),
    ),
];

/// A served document: its JSON and the hash in its `serverRelativeURL`.
#[derive(Debug, Clone)]
pub(super) struct Doc {
    /// The document.
    pub value: Arc<Value>,
    /// Hex hash of its text.
    pub hash: String,
}

impl Doc {
    fn new(value: Value) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        value.to_string().hash(&mut h);
        Self {
            value: Arc::new(value),
            hash: format!("{:016X}", h.finish()),
        }
    }
}

struct Builtin {
    docs: Vec<(&'static str, Doc)>,
    /// (group, version, kind) → (index into `docs`, component name).
    kinds: HashMap<(String, String, String), (usize, String)>,
}

static BUILTIN_DOCS: LazyLock<Builtin> = LazyLock::new(|| {
    let mut docs = Vec::new();
    let mut kinds = HashMap::new();
    for (path, text) in BUILTIN {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            tracing::error!(path, "vendored OpenAPI document does not parse");
            continue;
        };
        let i = docs.len();
        if let Some(schemas) = value
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, s) in schemas {
                for gvk in s
                    .get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let part =
                        |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    // A kind's own document holds its schema; other documents only mention it.
                    let own = *path == "api/v1" && part("group").is_empty()
                        || path.ends_with(&format!("{}/{}", part("group"), part("version")));
                    if own {
                        kinds.insert(
                            (part("group"), part("version"), part("kind")),
                            (i, name.clone()),
                        );
                    }
                }
            }
        }
        docs.push((*path, Doc::new(value)));
    }
    Builtin { docs, kinds }
});

/// The path of a group-version's document (`api/v1`, `apis/apps/v1`).
pub(super) fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The vendored document of a built-in group-version.
fn builtin_doc(path: &str) -> Option<&'static Doc> {
    BUILTIN_DOCS
        .docs
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, d)| d)
}

/// The schema of a built-in kind and the components its `$ref`s point into.
pub(super) fn builtin_schema(
    group: &str,
    version: &str,
    kind: &str,
) -> Option<(&'static Value, &'static Map<String, Value>)> {
    let b = &*BUILTIN_DOCS;
    let (i, name) = b
        .kinds
        .get(&(group.to_string(), version.to_string(), kind.to_string()))?;
    let defs = b
        .docs
        .get(*i)?
        .1
        .value
        .pointer("/components/schemas")?
        .as_object()?;
    Some((defs.get(name)?, defs))
}

/// Components every generated document borrows (ObjectMeta, Status, …).
fn meta_components() -> Option<&'static Map<String, Value>> {
    builtin_doc("apis/apiextensions.k8s.io/v1")?
        .value
        .pointer("/components/schemas")?
        .as_object()
}

/// The document at `path`: vendored for built-in groups, generated for the others from
/// the served types that have a schema (`schemas`: (group, version, plural) → schema).
pub(super) fn document(
    path: &str,
    types: &[ResourceType],
    schemas: &HashMap<(String, String, String), Arc<Value>>,
) -> Option<Doc> {
    if let Some(doc) = builtin_doc(path) {
        return Some(doc.clone());
    }
    let served: Vec<(&ResourceType, &Value)> = types
        .iter()
        .filter(|t| gv_path(&t.group, &t.version) == path)
        .filter_map(|t| {
            let s = schemas.get(&(t.group.clone(), t.version.clone(), t.plural.clone()))?;
            Some((t, s.as_ref()))
        })
        .collect();
    if served.is_empty() {
        return None;
    }
    Some(Doc::new(crd_doc::build(&served, meta_components())))
}

/// `/openapi/v3`: every document with its hashed URL.
pub(super) fn index(
    types: &[ResourceType],
    schemas: &HashMap<(String, String, String), Arc<Value>>,
) -> Value {
    let mut paths = Map::new();
    let mut gv: Vec<String> = BUILTIN_DOCS
        .docs
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    for t in types {
        let p = gv_path(&t.group, &t.version);
        if !gv.contains(&p) {
            gv.push(p);
        }
    }
    for p in gv {
        if let Some(doc) = document(&p, types, schemas) {
            paths.insert(
                p.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={}", doc.hash)}),
            );
        }
    }
    json!({ "paths": paths })
}

/// Every document (built-in and generated), for `/openapi/v2`.
pub(super) fn all_documents(
    types: &[ResourceType],
    schemas: &HashMap<(String, String, String), Arc<Value>>,
) -> Vec<Doc> {
    let mut out: Vec<Doc> = BUILTIN_DOCS.docs.iter().map(|(_, d)| d.clone()).collect();
    let mut seen: Vec<String> = BUILTIN_DOCS
        .docs
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    for t in types {
        let p = gv_path(&t.group, &t.version);
        if seen.contains(&p) {
            continue;
        }
        if let Some(doc) = document(&p, types, schemas) {
            out.push(doc);
        }
        seen.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_document_parses_and_names_its_kinds() {
        assert_eq!(BUILTIN_DOCS.docs.len(), BUILTIN.len());
        for (g, v, k) in [
            ("", "v1", "Pod"),
            ("apps", "v1", "Deployment"),
            ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
            ("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        ] {
            let (schema, _) = builtin_schema(g, v, k).unwrap_or_else(|| panic!("{k}"));
            assert!(schema.get("properties").is_some(), "{k}");
        }
        assert!(
            meta_components()
                .is_some_and(|m| m.contains_key("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
        );
    }
}
