//! Checks every write passes before anything is stored: the body's kind and apiVersion
//! against the URL, the types of the shared fields (as the API server's decoder would),
//! and the object name rules.

use serde_json::Value;

use super::object::{is_dns_label, is_dns_subdomain};
use super::registry::ResourceType;
use super::status::ApiError;

/// Checks `apiVersion`/`kind` of a body against the URL's type.
pub(super) fn check_kind(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    check_shape(obj)?;
    let kind = obj.get("kind").and_then(Value::as_str);
    let api_version = obj.get("apiVersion").and_then(Value::as_str);
    if let Some(kind) = kind.filter(|k| *k != rt.kind) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({}), or the kind {kind} does not match {}",
            api_version.unwrap_or(""),
            rt.api_version(),
            rt.kind
        )));
    }
    if let Some(av) = api_version {
        let group = av.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        if group != rt.group {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                rt.api_version()
            )));
        }
    }
    Ok(())
}

/// Checks the types of the fields every object shares, as the API server's decoder does
/// (a label that is not a string is a decode error, not something to store).
pub(super) fn check_shape(obj: &Value) -> Result<(), ApiError> {
    let bad = |field: &str, want: &str| {
        Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {field}: expected {want}"
        )))
    };
    let Some(map) = obj.as_object() else {
        return bad("object", "a JSON object");
    };
    for k in ["apiVersion", "kind"] {
        if map.get(k).is_some_and(|v| !v.is_string()) {
            return bad(k, "a string");
        }
    }
    for k in ["spec", "status"] {
        if map.get(k).is_some_and(|v| !v.is_object() && !v.is_null()) {
            return bad(k, "an object");
        }
    }
    let Some(meta) = map.get("metadata") else {
        return Ok(());
    };
    let Some(meta) = meta.as_object() else {
        return bad("metadata", "an object");
    };
    for k in [
        "name",
        "namespace",
        "generateName",
        "resourceVersion",
        "uid",
    ] {
        if meta.get(k).is_some_and(|v| !v.is_string()) {
            return bad(&format!("metadata.{k}"), "a string");
        }
    }
    for k in ["labels", "annotations"] {
        match meta.get(k) {
            Some(Value::Object(m)) if m.values().all(Value::is_string) => {}
            Some(Value::Null) | None => {}
            Some(_) => return bad(&format!("metadata.{k}"), "a map of strings"),
        }
    }
    match meta.get("finalizers") {
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        Some(Value::Null) | None => {}
        Some(_) => return bad("metadata.finalizers", "a list of strings"),
    }
    match meta.get("ownerReferences") {
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => Ok(()),
        Some(Value::Null) | None => Ok(()),
        Some(_) => bad("metadata.ownerReferences", "a list of objects"),
    }
}

/// OpenShift's rules for `User` names (no `:`, `/`, `%`, not `.`/`..`) and `Identity`
/// names (`<providerName>:<providerUserName>`, both parts non-empty, no `/` or `%`): not
/// DNS names, since they carry login names and provider ids.
fn openshift_user_name_ok(kind: &str, name: &str) -> bool {
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', '%']) && s != "." && s != "..";
    match kind {
        "Identity" => name.split_once(':').is_some_and(|(provider, user)| {
            plain(provider) && !provider.contains(':') && plain(user)
        }),
        _ => plain(name) && !name.contains(':'),
    }
}

pub(super) fn check_name(rt: &ResourceType, name: &str) -> Result<(), ApiError> {
    let ok = if rt.kind == "Namespace" || rt.kind == "Project" {
        is_dns_label(name)
    } else if rt.group == "user.openshift.io" {
        openshift_user_name_ok(&rt.kind, name)
    } else {
        is_dns_subdomain(name)
    };
    if ok {
        return Ok(());
    }
    let why = if rt.kind == "Namespace" {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        )
    } else {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        )
    };
    Err(ApiError::invalid(
        &rt.kind,
        name,
        &rt.group,
        "metadata.name",
        &why,
    ))
}
