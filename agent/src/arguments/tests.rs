use serde_json::json;

use super::*;

fn pods_log_schema() -> Value {
    json!({"type": "object", "properties": {
        "namespace": {"type": "string"}, "name": {"type": "string"}, "container": {"type": "string"},
        "tail": {"type": "integer"}, "previous": {"type": "boolean"}},
        "required": ["name"]})
}

#[test]
fn prompt_style_arguments_are_repaired() {
    let p = prepare(
        json!({"namespace": "ns", "name": "p", "tailLines": "10", "previous": "false"}),
        &pods_log_schema(),
    )
    .unwrap();
    assert_eq!(
        p.arguments,
        json!({"namespace": "ns", "name": "p", "tail": 10, "previous": false})
            .as_object()
            .unwrap()
            .clone()
    );
    assert!(p.repairs.iter().any(|r| r.contains("tailLines")));
}

#[test]
fn double_encoded_and_unknown_keys() {
    let p = prepare(
        json!("{\"name\": \"p\", \"verbose\": true}"),
        &pods_log_schema(),
    )
    .unwrap();
    assert_eq!(Value::Object(p.arguments), json!({"name": "p"}));
    assert!(p.repairs.iter().any(|r| r.contains("verbose")));
}

#[test]
fn missing_required_and_wrong_types_explain_the_schema() {
    let err = prepare(json!({"tail": "many"}), &pods_log_schema()).unwrap_err();
    assert!(err.contains("tail must be integer"), "{err}");
    assert!(err.contains("missing required argument(s): name"), "{err}");
    assert!(err.contains("name (string, required)"), "{err}");
    let err = prepare(json!([1]), &pods_log_schema()).unwrap_err();
    assert!(err.contains("JSON object"), "{err}");
}

#[test]
fn enums_are_enforced() {
    let schema = json!({"properties": {"method": {"type": "string", "enum": ["create", "update"]}}, "required": ["method"]});
    assert!(prepare(json!({"method": "create"}), &schema).is_ok());
    let err = prepare(json!({"method": "delete"}), &schema).unwrap_err();
    assert!(err.contains("\"create\""), "{err}");
}

#[test]
fn raw_text_parsing() {
    assert_eq!(parse_raw("").unwrap(), json!({}));
    assert!(parse_raw("{broken").unwrap_err().contains("not valid JSON"));
}

#[test]
fn schemaless_tools_take_any_object() {
    let p = prepare(json!({"a": 1}), &json!({"type": "object"})).unwrap();
    assert_eq!(Value::Object(p.arguments), json!({"a": 1}));
}
