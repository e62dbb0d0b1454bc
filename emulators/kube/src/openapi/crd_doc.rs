//! An OpenAPI v3 document for one group-version of custom resources, shaped like the one
//! the API server publishes for CRDs: a component per kind (the CRD's `openAPIV3Schema`
//! with `metadata` pointing at ObjectMeta and the kind's
//! `x-kubernetes-group-version-kind`) and its List, and the resource paths with their
//! operations. The PATCH operations list the `fieldValidation` query parameter, which is
//! how kubectl learns that the server validates fields itself.

use serde_json::{Map, Value, json};

use super::super::registry::ResourceType;

const META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.";

/// `toolhive.stacklok.dev` → `dev.stacklok.toolhive`.
fn reversed(group: &str) -> String {
    group.split('.').rev().collect::<Vec<_>>().join(".")
}

fn component(rt: &ResourceType) -> String {
    format!("{}.{}.{}", reversed(&rt.group), rt.version, rt.kind)
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn query(name: &str, what: &str) -> Value {
    json!({"name": name, "in": "query", "description": what, "schema": {"type": "string", "uniqueItems": true}})
}

fn op(
    rt: &ResourceType,
    id: &str,
    action: &str,
    params: Vec<Value>,
    body: Option<Value>,
    reply: &Value,
) -> Value {
    let mut o = json!({
        "operationId": id,
        "tags": [format!("{}_{}", reversed(&rt.group).replace('.', "_"), rt.version)],
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": reply}}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
    });
    if let Some(b) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": b}}});
    }
    o
}

fn write_params(patch: bool) -> Vec<Value> {
    let mut p = vec![
        query(
            "dryRun",
            "When present, indicates that modifications should not be persisted.",
        ),
        query(
            "fieldManager",
            "fieldManager is a name associated with the actor or entity that is making these changes.",
        ),
        query(
            "fieldValidation",
            "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields: Ignore, Warn or Strict.",
        ),
    ];
    if patch {
        p.push(json!({"name": "force", "in": "query", "description": "Force is going to \"force\" Apply requests.", "schema": {"type": "boolean", "uniqueItems": true}}));
    }
    p
}

fn paths_of(rt: &ResourceType, paths: &mut Map<String, Value>) {
    let me = r(&component(rt));
    let list = r(&format!("{}List", component(rt)));
    let status = r(&format!("{META}Status"));
    let base = format!("/apis/{}/{}", rt.group, rt.version);
    let coll = if rt.namespaced {
        format!("{base}/namespaces/{{namespace}}/{}", rt.plural)
    } else {
        format!("{base}/{}", rt.plural)
    };
    let k = &rt.kind;
    let ns = if rt.namespaced { "Namespaced" } else { "" };
    let mut path_params = vec![];
    if rt.namespaced {
        path_params.push(json!({"name": "namespace", "in": "path", "required": true, "schema": {"type": "string", "uniqueItems": true}}));
    }
    paths.insert(coll.clone(), json!({
        "get": op(rt, &format!("list{ns}{k}"), "list", vec![], None, &list),
        "post": op(rt, &format!("create{ns}{k}"), "post", write_params(false), Some(me.clone()), &me),
        "delete": op(rt, &format!("deletecollection{ns}{k}"), "deletecollection", vec![], None, &status),
        "parameters": path_params.clone(),
    }));
    let mut named = path_params.clone();
    named.push(json!({"name": "name", "in": "path", "required": true, "schema": {"type": "string", "uniqueItems": true}}));
    let patch_body = r(&format!("{META}Patch"));
    paths.insert(format!("{coll}/{{name}}"), json!({
        "get": op(rt, &format!("read{ns}{k}"), "get", vec![], None, &me),
        "put": op(rt, &format!("replace{ns}{k}"), "put", write_params(false), Some(me.clone()), &me),
        "patch": op(rt, &format!("patch{ns}{k}"), "patch", write_params(true), Some(patch_body.clone()), &me),
        "delete": op(rt, &format!("delete{ns}{k}"), "delete", vec![], None, &status),
        "parameters": named.clone(),
    }));
    if rt.has_sub("status") {
        paths.insert(format!("{coll}/{{name}}/status"), json!({
            "get": op(rt, &format!("read{ns}{k}Status"), "get", vec![], None, &me),
            "put": op(rt, &format!("replace{ns}{k}Status"), "put", write_params(false), Some(me.clone()), &me),
            "patch": op(rt, &format!("patch{ns}{k}Status"), "patch", write_params(true), Some(patch_body), &me),
            "parameters": named,
        }));
    }
    if rt.namespaced {
        paths.insert(
            format!("{base}/{}", rt.plural),
            json!({
                "get": op(rt, &format!("list{k}ForAllNamespaces"), "list", vec![], None, &list),
            }),
        );
    }
}

/// The schema as published: `metadata` is ObjectMeta, and the kind is named.
fn kind_schema(rt: &ResourceType, schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert("metadata".into(), json!({"allOf": [r(&format!("{META}ObjectMeta"))], "description": "Standard object's metadata."}));
    }
    s["x-kubernetes-group-version-kind"] =
        json!([{"group": rt.group, "version": rt.version, "kind": rt.kind}]);
    s
}

fn list_schema(rt: &ResourceType) -> Value {
    json!({
        "type": "object", "required": ["items"],
        "description": format!("{}List is a list of {}", rt.kind, rt.kind),
        "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"},
            "items": {"type": "array", "items": r(&component(rt))},
            "metadata": {"allOf": [r(&format!("{META}ListMeta"))]},
        },
        "x-kubernetes-group-version-kind": [{"group": rt.group, "version": rt.version, "kind": format!("{}List", rt.kind)}],
    })
}

fn refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The document for the served kinds of one group-version.
pub(super) fn build(
    served: &[(&ResourceType, &Value)],
    meta: Option<&Map<String, Value>>,
) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for (rt, schema) in served {
        paths_of(rt, &mut paths);
        schemas.insert(component(rt), kind_schema(rt, schema));
        schemas.insert(format!("{}List", component(rt)), list_schema(rt));
    }
    // Borrow the meta types the paths and kinds refer to, and what they refer to.
    let mut todo = Vec::new();
    refs(&Value::Object(paths.clone()), &mut todo);
    refs(&Value::Object(schemas.clone()), &mut todo);
    while let Some(name) = todo.pop() {
        if schemas.contains_key(&name) {
            continue;
        }
        if let Some(s) = meta.and_then(|m| m.get(&name)) {
            refs(s, &mut todo);
            schemas.insert(name, s.clone());
        }
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}
