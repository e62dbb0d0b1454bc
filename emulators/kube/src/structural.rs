//! Checks an object against an OpenAPI v3 schema the way the API server does: a CRD's
//! structural `openAPIV3Schema` (unknown fields, types, enums, required fields, lengths
//! and bounds; a field is unknown unless its object lists it or says
//! `x-kubernetes-preserve-unknown-fields`), or a built-in kind's schema from the
//! Kubernetes OpenAPI document (`$ref`s into its components; only unknown fields, as the
//! built-in decoder checks nothing else against the schema). Unknown fields can be pruned,
//! as the server drops them unless `fieldValidation=Strict`. CEL rules
//! (`x-kubernetes-validations`) and `pattern`s are not evaluated.

use serde_json::{Map, Value};

/// How deep a schema or object is followed (bounds recursive `$ref`s and hostile input).
const MAX_DEPTH: usize = 64;

/// What a check found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Findings {
    /// Paths of unknown fields (`spec.foo`, `spec.containers[0].bar`).
    pub unknown: Vec<String>,
    /// `(field path, Kubernetes-style message)` for invalid values.
    pub invalid: Vec<(String, String)>,
}

/// A schema and how to read it.
#[derive(Debug, Clone, Copy)]
pub struct Schema<'a> {
    root: &'a Value,
    /// Component schemas `$ref`s point into (`#/components/schemas/<name>`).
    defs: Option<&'a Map<String, Value>>,
    /// A CRD's structural schema (values are checked; objects without properties are
    /// empty), rather than a built-in kind's OpenAPI schema.
    crd: bool,
}

impl<'a> Schema<'a> {
    /// A CRD version's `openAPIV3Schema`.
    pub fn crd(root: &'a Value) -> Self {
        Self {
            root,
            defs: None,
            crd: true,
        }
    }

    /// A CRD-form schema of a kind an API server's Go decoder serves (OpenShift's Route and
    /// SCC): only unknown fields are checked, as that decoder does.
    pub fn decoder(root: &'a Value) -> Self {
        Self {
            root,
            defs: None,
            crd: false,
        }
    }

    /// A built-in kind's schema from an OpenAPI v3 document's components.
    pub fn builtin(root: &'a Value, defs: &'a Map<String, Value>) -> Self {
        Self {
            root,
            defs: Some(defs),
            crd: false,
        }
    }

    /// Checks `obj` (a whole object); with `prune`, unknown fields are removed from it.
    pub fn check(&self, obj: &mut Value, prune: bool) -> Findings {
        let mut f = Findings::default();
        let mut walk = Walk {
            s: self,
            prune,
            f: &mut f,
        };
        walk.node(self.root, obj, "", 0, true);
        f.unknown.sort();
        f.invalid.sort();
        f
    }

    fn resolve(&self, mut s: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or("");
                match self.defs.and_then(|d| d.get(name)) {
                    Some(next) => s = next,
                    None => return s,
                }
            } else if let Some([only]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
                && s.get("properties").is_none()
                && s.get("type").is_none()
            {
                s = only;
            } else {
                return s;
            }
        }
        s
    }
}

struct Walk<'s, 'a> {
    s: &'s Schema<'a>,
    prune: bool,
    f: &'s mut Findings,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Object(_) => "\"object\"".into(),
        Value::Array(_) => "\"array\"".into(),
        other => other.to_string(),
    }
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => true,
    }
}

impl Walk<'_, '_> {
    fn invalid(&mut self, path: &str, v: &Value, why: String) {
        let field = if path.is_empty() { "<root>" } else { path };
        self.f.invalid.push((
            field.to_string(),
            format!("Invalid value: {}: {why}", shown(v)),
        ));
    }

    fn node(&mut self, schema: &Value, v: &mut Value, path: &str, depth: usize, root: bool) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.s.resolve(schema);
        if v.is_null() {
            // The server drops nulls of non-nullable fields; absent is always fine here.
            return;
        }
        let crd = self.s.crd;
        let int_or_string = schema
            .get("x-kubernetes-int-or-string")
            .and_then(Value::as_bool)
            == Some(true);
        if crd {
            if int_or_string {
                if !(v.is_string() || v.is_i64() || v.is_u64()) {
                    let why = format!("{path} in body must be of type integer or string");
                    self.invalid(path, v, why);
                    return;
                }
            } else if let Some(ty) = schema.get("type").and_then(Value::as_str)
                && !type_ok(ty, v)
            {
                let why = format!("{path} in body must be of type {ty}: {}", shown(v));
                self.invalid(path, v, why);
                return;
            }
            self.values(schema, v, path);
        }
        match v {
            Value::Object(map) => self.object(schema, map, path, depth, root),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter_mut().enumerate() {
                        self.node(item_schema, item, &format!("{path}[{i}]"), depth + 1, false);
                    }
                }
            }
            _ => {}
        }
    }

    /// Enum, lengths and bounds (CRD schemas only).
    fn values(&mut self, schema: &Value, v: &Value, path: &str) {
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(v)
        {
            let list: Vec<String> = allowed.iter().map(shown).collect();
            let field = if path.is_empty() { "<root>" } else { path };
            self.f.invalid.push((
                field.to_string(),
                format!(
                    "Unsupported value: {}: supported values: {}",
                    shown(v),
                    list.join(", ")
                ),
            ));
        }
        let num = |k: &str| schema.get(k).and_then(Value::as_f64);
        let len = match v {
            Value::String(s) => Some((s.chars().count(), "minLength", "maxLength", "characters")),
            Value::Array(a) => Some((a.len(), "minItems", "maxItems", "items")),
            Value::Object(m) => Some((m.len(), "minProperties", "maxProperties", "properties")),
            _ => None,
        };
        if let Some((n, min_k, max_k, unit)) = len {
            if let Some(max) = num(max_k).filter(|m| n as f64 > *m) {
                let why = format!("{path} in body should have at most {max} {unit}");
                self.invalid(path, v, why);
            }
            if let Some(min) = num(min_k).filter(|m| (n as f64) < *m) {
                let why = format!("{path} in body should have at least {min} {unit}");
                self.invalid(path, v, why);
            }
        }
        if let Some(x) = v.as_f64() {
            if let Some(max) = num("maximum").filter(|m| x > *m) {
                let why = format!("{path} in body should be less than or equal to {max}");
                self.invalid(path, v, why);
            }
            if let Some(min) = num("minimum").filter(|m| x < *m) {
                let why = format!("{path} in body should be greater than or equal to {min}");
                self.invalid(path, v, why);
            }
        }
    }

    fn object(
        &mut self,
        schema: &Value,
        map: &mut Map<String, Value>,
        path: &str,
        depth: usize,
        root: bool,
    ) {
        let props = schema.get("properties").and_then(Value::as_object);
        let extra = schema.get("additionalProperties");
        let preserve = schema
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            == Some(true);
        let embedded = schema
            .get("x-kubernetes-embedded-resource")
            .and_then(Value::as_bool)
            == Some(true);
        if self.s.crd
            && let Some(required) = schema.get("required").and_then(Value::as_array)
        {
            for r in required.iter().filter_map(Value::as_str) {
                let nullable = props
                    .and_then(|p| p.get(r))
                    .and_then(|s| s.get("nullable"))
                    .and_then(Value::as_bool)
                    == Some(true);
                let missing = match map.get(r) {
                    None => true,
                    Some(Value::Null) => !nullable,
                    Some(_) => false,
                };
                if missing {
                    self.f
                        .invalid
                        .push((join(path, r), "Required value".to_string()));
                }
            }
        }
        // A built-in schema without properties is free-form (RawExtension, FieldsV1).
        let free = preserve || (!self.s.crd && props.is_none() && extra.is_none());
        let mut drop = Vec::new();
        for (k, child) in map.iter_mut() {
            let child_path = join(path, k);
            let top = root || embedded;
            if top && (k == "apiVersion" || k == "kind" || (k == "metadata" && self.s.crd)) {
                // The server checks ObjectMeta itself; a CRD schema only says `object`.
                continue;
            }
            if let Some(p) = props.and_then(|p| p.get(k)) {
                self.node(p, child, &child_path, depth + 1, false);
            } else if let Some(e) = extra.filter(|e| e.is_object()) {
                self.node(e, child, &child_path, depth + 1, false);
            } else if extra.and_then(Value::as_bool) == Some(true) || free {
                continue;
            } else {
                self.f.unknown.push(child_path);
                drop.push(k.clone());
            }
        }
        if self.prune {
            for k in drop {
                map.remove(&k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd_schema() -> Value {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "required": ["image"], "properties": {
                "image": {"type": "string", "minLength": 1},
                "port": {"type": "integer", "maximum": 65535},
                "transport": {"type": "string", "enum": ["stdio", "sse"]},
                "target": {"x-kubernetes-int-or-string": true},
                "env": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }}
        }})
    }

    #[test]
    fn a_valid_object_has_no_findings() {
        let schema = crd_schema();
        let mut obj = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "labels": {"k": "v"}},
            "spec": {"image": "i", "port": 80, "transport": "sse", "target": "http", "env": [{"name": "A"}],
                     "free": {"anything": [1]}, "labels": {"a": "b"}}});
        assert_eq!(
            Schema::crd(&schema).check(&mut obj, false),
            Findings::default()
        );
    }

    #[test]
    fn unknown_fields_are_found_and_pruned() {
        let schema = crd_schema();
        let mut obj = json!({"spec": {"image": "i", "imagePullPolicy": "x", "env": [{"name": "A", "valu": "b"}]}, "extra": 1});
        let f = Schema::crd(&schema).check(&mut obj, true);
        assert_eq!(
            f.unknown,
            ["extra", "spec.env[0].valu", "spec.imagePullPolicy"]
        );
        assert_eq!(obj, json!({"spec": {"image": "i", "env": [{"name": "A"}]}}));
    }

    #[test]
    fn wrong_values_are_invalid_with_their_field() {
        let schema = crd_schema();
        let mut obj =
            json!({"spec": {"port": "80", "transport": "http", "target": true, "image": ""}});
        let f = Schema::crd(&schema).check(&mut obj, false);
        let fields: Vec<&str> = f.invalid.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            fields,
            ["spec.image", "spec.port", "spec.target", "spec.transport"]
        );
        assert!(
            f.invalid[1].1.contains("must be of type integer"),
            "{:?}",
            f.invalid
        );
        assert!(f.invalid[3].1.starts_with("Unsupported value: \"http\""));
        let mut missing = json!({"spec": {}});
        let f = Schema::crd(&schema).check(&mut missing, false);
        assert_eq!(
            f.invalid,
            [("spec.image".to_string(), "Required value".to_string())]
        );
    }

    #[test]
    fn builtin_schemas_follow_refs_and_only_report_unknown_fields() {
        let defs = json!({
            "Pod": {"type": "object", "properties": {"metadata": {"allOf": [{"$ref": "#/components/schemas/Meta"}]}, "spec": {"allOf": [{"$ref": "#/components/schemas/Spec"}]}}},
            "Meta": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Spec": {"type": "object", "properties": {"containers": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/C"}]}}, "raw": {"type": "object"}}},
            "C": {"type": "object", "properties": {"name": {"type": "string"}}}
        });
        let defs = defs.as_object().unwrap();
        let mut obj = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": 5, "imagee": "x"}], "raw": {"any": 1}}});
        let f = Schema::builtin(&defs["Pod"], defs).check(&mut obj, false);
        assert_eq!(f.unknown, ["spec.containers[0].imagee"]);
        assert!(f.invalid.is_empty());
    }
}
