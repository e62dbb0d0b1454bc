//! Every rendered custom resource against the `openAPIV3Schema` of its upstream CRD (the
//! files vendored in `emulators/kube/crds/`, read through `kube_emulator::crds`), checked
//! with the `jsonschema` crate. The CRD schema is made a JSON Schema the way the API
//! server reads a structural schema: an object's fields are only those it lists unless it
//! says `x-kubernetes-preserve-unknown-fields` (so a misspelt field fails), int-or-string
//! is either, and a null is what the server prunes (allowed).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::render::{CHARTS, lab_values, render, render_dir};

/// A CRD version's structural schema as a JSON Schema (2020-12).
pub(crate) fn to_json_schema(s: &Value, root: bool) -> Value {
    let Some(map) = s.as_object() else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        match k.as_str() {
            "properties" => {
                let props: Map<String, Value> = v
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(name, ps)| (name.clone(), to_json_schema(ps, false)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" | "not" if v.is_object() => {
                out.insert(k.clone(), to_json_schema(v, false));
            }
            "allOf" | "anyOf" | "oneOf" => {
                // openshift/api writes `anyOf: null` where there is none.
                let Some(list) = v.as_array() else { continue };
                out.insert(
                    k.clone(),
                    Value::Array(list.iter().map(|x| to_json_schema(x, false)).collect()),
                );
            }
            "nullable" | "x-kubernetes-int-or-string" => {}
            k if k.starts_with("x-kubernetes-") => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let flag = |k: &str| map.get(k).and_then(Value::as_bool) == Some(true);
    if flag("x-kubernetes-int-or-string") {
        out.insert("type".into(), json!(["integer", "string", "null"]));
    } else if let Some(t) = map.get("type").and_then(Value::as_str) {
        out.insert("type".into(), json!([t, "null"]));
    }
    let is_object = map.get("type").and_then(Value::as_str) == Some("object");
    if root || flag("x-kubernetes-embedded-resource") {
        let props = out
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|p| {
                p.insert("apiVersion".into(), json!({"type": "string"}));
                p.insert("kind".into(), json!({"type": "string"}));
                // ObjectMeta is checked by kubernetes-validate and the server, not the CRD.
                p.insert("metadata".into(), json!({"type": "object"}));
            });
        let _ = props;
    }
    if is_object
        && !flag("x-kubernetes-preserve-unknown-fields")
        && !map.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), json!(false));
    }
    Value::Object(out)
}

/// The schema of `apiVersion`/`kind` from the vendored CRDs, if one defines it.
pub(crate) fn schema_for(api_version: &str, kind: &str) -> Option<Value> {
    let (group, version) = api_version.rsplit_once('/')?;
    kube_emulator::crds::all().iter().find_map(|c| {
        let spec = &c.crd["spec"];
        if spec["group"] != group || spec["names"]["kind"] != kind {
            return None;
        }
        kube_emulator::crds::schemas(&c.crd)
            .into_iter()
            .find(|(v, _)| v == version)
            .map(|(_, s)| to_json_schema(&s, true))
    })
}

/// Whether a kind is a custom resource (not covered by kubernetes-validate).
fn is_custom(api_version: &str) -> bool {
    api_version
        .rsplit_once('/')
        .is_some_and(|(g, _)| g.contains('.') && !g.ends_with(".k8s.io"))
}

/// The schema errors of every custom resource in `objects` (`kind/name: path: error`).
pub(crate) fn errors(objects: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for obj in objects {
        let api_version = obj["apiVersion"].as_str().unwrap_or("");
        let kind = obj["kind"].as_str().unwrap_or("");
        if !is_custom(api_version) {
            continue;
        }
        let who = format!("{kind}/{}", obj["metadata"]["name"].as_str().unwrap_or(""));
        let Some(schema) = schema_for(api_version, kind) else {
            out.push(format!(
                "{who}: no vendored CRD defines {api_version} {kind}"
            ));
            continue;
        };
        let validator = match jsonschema::validator_for(&schema) {
            Ok(v) => v,
            Err(e) => {
                out.push(format!("{who}: the CRD schema does not compile: {e}"));
                continue;
            }
        };
        for e in validator.iter_errors(obj) {
            out.push(format!("{who}: {}: {e}", e.instance_path()));
        }
    }
    out
}

#[test]
fn every_rendered_custom_resource_matches_its_upstream_crd() {
    let variants: [&[&str]; 4] = [
        &[],
        &[
            "route.enabled=true",
            "toolFilter.enabled=true",
            "telemetry.prometheus.enabled=true",
        ],
        &["mode=plain"],
        &["firstBuild.enabled=false", "createUser.enabled=false"],
    ];
    let mut checked = std::collections::BTreeSet::new();
    for chart in CHARTS {
        for sets in variants {
            let r = render(chart, &lab_values(), sets);
            let errs = errors(&r.objects);
            assert!(errs.is_empty(), "{chart} {sets:?}:\n{}", errs.join("\n"));
            for o in r
                .objects
                .iter()
                .filter(|o| is_custom(o["apiVersion"].as_str().unwrap_or("")))
            {
                checked.insert(o["kind"].as_str().unwrap_or("").to_string());
            }
        }
    }
    for kind in [
        "Application",
        "Pipeline",
        "MCPServer",
        "MCPToolConfig",
        "Route",
    ] {
        assert!(checked.contains(kind), "{kind} never rendered: {checked:?}");
    }
}

/// A chart whose MCPServer template misspells a field fails, through the real helm.
#[test]
fn a_misspelt_field_in_a_chart_fails_the_check() {
    let src = super::render::chart_dir("mcp-openshift");
    let tmp = std::env::temp_dir().join(format!(
        "crd-schema-{}-{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    copy_dir(&src, &tmp.join("mcp-openshift"));
    let dir = tmp.join("mcp-openshift");
    let mut edited = false;
    for entry in std::fs::read_dir(dir.join("templates")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("kind: MCPServer") && text.contains("  transport: sse") {
            std::fs::write(&path, text.replace("  transport: sse", "  transprot: sse")).unwrap();
            edited = true;
        }
    }
    assert!(
        edited,
        "the MCPServer template changed shape; update this test"
    );
    let r = render_dir("mcp-openshift", &dir, &lab_values(), &[]);
    let _ = std::fs::remove_dir_all(&tmp);
    let errs = errors(&r.objects);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("MCPServer/openshift") && e.contains("transprot")),
        "{errs:?}"
    );
}

#[test]
fn a_wrong_type_or_value_fails_the_check() {
    let ok = json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "m"}, "spec": {"selector": {"matchLabels": {"app": "mcpserver"}}, "endpoints": [{"port": "http"}]}});
    assert_eq!(errors(std::slice::from_ref(&ok)), Vec::<String>::new());
    let mut bad = ok.clone();
    bad["spec"]["endpoints"][0]["port"] = json!(8080);
    assert!(errors(&[bad])[0].contains("/spec/endpoints/0/port"));
    let mut unknown_kind = ok;
    unknown_kind["kind"] = json!("ServiceMonitr");
    assert!(errors(&[unknown_kind])[0].contains("no vendored CRD"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
