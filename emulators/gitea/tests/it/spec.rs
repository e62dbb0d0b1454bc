//! Gitea's swagger (v1.26.3, vendored next to this file) as a validator: finds an
//! operation by method and route, resolves its response and body schemas, and validates
//! JSON with the `jsonschema` crate (Swagger 2.0 schemas are draft-4 schemas plus `x-`
//! keywords, which validators ignore).
//!
//! Two adjustments make the check faithful to Gitea rather than looser or stricter than
//! it: properties that Go encodes from pointers, slices or times may be `null` (the spec
//! cannot say so), and every definition except `APIError` (Gitea adds `errors` to 404s)
//! forbids properties the spec does not list, so a misspelt or invented field fails.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// Go `*string` fields that Gitea leaves `null`.
const NULLABLE_STRINGS: &[(&str, &str)] = &[
    ("ContentsResponse", "encoding"),
    ("ContentsResponse", "content"),
    ("ContentsResponse", "target"),
    ("ContentsResponse", "download_url"),
    ("ContentsResponse", "submodule_git_url"),
    ("ContentsResponse", "lfs_oid"),
    ("PullRequest", "merge_commit_sha"),
];

pub(crate) struct Spec {
    doc: Value,
    definitions: Value,
    /// Compiled validators by schema text: compiling is the slow part.
    cache:
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// `{owner}`, `{*path}` … → `{}` so routes compare regardless of parameter names.
pub(crate) fn normalize(route: &str) -> String {
    let mut out = String::with_capacity(route.len());
    let mut in_param = false;
    for c in route.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn nullable(schema: &Value) -> Value {
    json!({"anyOf": [{"type": "null"}, schema]})
}

fn strict_definitions(defs: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (name, def) in defs {
        let mut def = def.clone();
        if let Some(props) = def.get_mut("properties").and_then(Value::as_object_mut) {
            for (prop, schema) in props.iter_mut() {
                let pointer_like = schema.get("$ref").is_some()
                    || matches!(
                        schema.get("type").and_then(Value::as_str),
                        Some("array" | "object")
                    )
                    || schema.get("format").and_then(Value::as_str) == Some("date-time")
                    || NULLABLE_STRINGS.contains(&(name.as_str(), prop.as_str()));
                if pointer_like {
                    *schema = nullable(schema);
                }
            }
            if let Some(obj) = def.as_object_mut().filter(|_| name != "APIError") {
                obj.insert("additionalProperties".into(), json!(false));
            }
        }
        out.insert(name.clone(), def);
    }
    Value::Object(out)
}

impl Spec {
    pub(crate) fn load() -> Self {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/it/gitea-swagger.v1.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let definitions = strict_definitions(doc["definitions"].as_object().unwrap());
        Self {
            doc,
            definitions,
            cache: std::sync::Mutex::default(),
        }
    }

    /// All `(METHOD, normalized route)` operations of the spec.
    pub(crate) fn operations(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item
                .as_object()
                .unwrap()
                .keys()
                .filter(|m| *m != "parameters")
            {
                out.insert((method.to_uppercase(), normalize(path)));
            }
        }
        out
    }

    /// The operation object for `method` and an (axum or swagger) route.
    pub(crate) fn operation(&self, method: &str, route: &str) -> Option<&Value> {
        let wanted = normalize(route);
        self.doc["paths"]
            .as_object()?
            .iter()
            .find(|(path, _)| normalize(path) == wanted)
            .and_then(|(_, item)| item.get(method.to_lowercase()))
    }

    /// The spec route of the `method` operation that serves concrete `path`: literal
    /// segments must match, `{param}` takes one segment, and a final parameter may take
    /// several (file paths, branch names with `/`); the most literal match wins.
    pub(crate) fn route_for(&self, method: &str, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, bool, &String)> = None;
        for (route, item) in self.doc["paths"].as_object()? {
            if item.get(method.to_lowercase()).is_none() {
                continue;
            }
            let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
            let is_param = |p: &str| p.starts_with('{');
            // `{index}.{diffType}` needs a dotted segment and counts as more specific.
            let fits = |p: &str, seg: &str| {
                if !is_param(p) {
                    return p == seg;
                }
                !p.contains("}.") || seg.contains('.')
            };
            let exact = parts.len() == segments.len();
            let tail = parts.len() < segments.len() && parts.last().is_some_and(|p| is_param(p));
            if !(exact || tail) {
                continue;
            }
            if !parts.iter().zip(&segments).all(|(p, s)| fits(p, s)) {
                continue;
            }
            let literals = parts
                .iter()
                .filter(|p| !is_param(p) || p.contains("}."))
                .count();
            let better = match best {
                None => true,
                Some((l, e, _)) => (exact, literals) > (e, l),
            };
            if better {
                best = Some((literals, exact, route));
            }
        }
        best.map(|(_, _, r)| r.clone())
    }

    /// The response schema for `status`: `Err` if the status is not documented,
    /// `Ok(None)` if it is documented without a body.
    pub(crate) fn response_schema(&self, op: &Value, status: u16) -> Result<Option<Value>, String> {
        let responses = &op["responses"];
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .ok_or_else(|| {
                format!(
                    "status {status} not documented (has {:?})",
                    responses.as_object().map(|o| o.keys().collect::<Vec<_>>())
                )
            })?;
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/responses/");
                &self.doc["responses"][name]
            }
            None => response,
        };
        Ok(response.get("schema").cloned())
    }

    /// The schema of the operation's `in: body` parameter.
    pub(crate) fn body_schema(&self, op: &Value) -> Option<Value> {
        op["parameters"]
            .as_array()?
            .iter()
            .find(|p| p["in"] == "body")
            .map(|p| p["schema"].clone())
    }

    /// Names of the operation's query parameters.
    pub(crate) fn query_params(&self, op: &Value) -> Vec<String> {
        op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Validates `instance` against `schema` (which may `$ref` definitions).
    pub(crate) fn validate(&self, schema: &Value, instance: &Value) -> Result<(), String> {
        let validator = self.validator(schema)?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// A validator for `schema` carrying only the definitions it reaches.
    fn validator(&self, schema: &Value) -> Result<std::sync::Arc<jsonschema::Validator>, String> {
        let key = schema.to_string();
        if let Some(v) = self.cache.lock().unwrap().get(&key) {
            return Ok(v.clone());
        }
        let mut needed = BTreeSet::new();
        let mut pending = vec![schema.clone()];
        while let Some(node) = pending.pop() {
            for name in refs(&node) {
                if needed.insert(name.clone()) {
                    pending.push(self.definitions[&name].clone());
                }
            }
        }
        let defs: Map<String, Value> = needed
            .into_iter()
            .map(|n| (n.clone(), self.definitions[&n].clone()))
            .collect();
        let root = json!({"definitions": defs, "allOf": [schema]});
        let validator = std::sync::Arc::new(
            jsonschema::draft4::new(&root).map_err(|e| format!("bad schema: {e}"))?,
        );
        self.cache.lock().unwrap().insert(key, validator.clone());
        Ok(validator)
    }

    /// Validates against `#/definitions/<name>`.
    pub(crate) fn validate_definition(&self, name: &str, instance: &Value) -> Result<(), String> {
        self.validate(&json!({"$ref": format!("#/definitions/{name}")}), instance)
    }
}

/// Definition names referenced (`#/definitions/X`) anywhere in `node`.
fn refs(node: &Value) -> Vec<String> {
    match node {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v.as_str()) {
                ("$ref", Some(r)) => r
                    .strip_prefix("#/definitions/")
                    .map(|n| vec![n.to_string()])
                    .unwrap_or_default(),
                _ => refs(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}
