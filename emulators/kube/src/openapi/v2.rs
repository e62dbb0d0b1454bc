//! `/openapi/v2` as JSON (Swagger 2.0): the definitions of every v3 document, with `$ref`s
//! moved to `#/definitions/` and the v3-only keywords (`oneOf`, `anyOf`, `nullable`)
//! turned into what the v2 documents say for the same types. It has no paths. kubectl
//! asks for v2 only as protobuf (answered 406, so it falls back to v3); JSON clients get
//! this.

use serde_json::{Map, Value, json};

use super::Doc;

fn convert(node: &Value) -> Value {
    match node {
        Value::Object(m) => {
            let mut out = Map::new();
            if m.contains_key("oneOf") || m.contains_key("anyOf") {
                // Quantity and IntOrString: a string in v2, with their format.
                out.insert("type".into(), json!("string"));
            }
            for (k, v) in m {
                match k.as_str() {
                    "oneOf" | "anyOf" | "nullable" => {}
                    "$ref" => {
                        let name = v.as_str().unwrap_or("").rsplit('/').next().unwrap_or("");
                        out.insert(k.clone(), json!(format!("#/definitions/{name}")));
                    }
                    _ => {
                        out.insert(k.clone(), convert(v));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// The v2 document of all `docs`.
pub(in super::super) fn swagger(docs: &[Doc]) -> Value {
    let mut defs = Map::new();
    for d in docs {
        if let Some(schemas) = d
            .value
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, s) in schemas {
                defs.entry(name.clone()).or_insert_with(|| convert(s));
            }
        }
    }
    json!({
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0"},
        "paths": {},
        "definitions": defs,
    })
}
