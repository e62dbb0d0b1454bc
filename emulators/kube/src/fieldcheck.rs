//! Schema validation of every write, as the API server does it: the object is checked
//! against its kind's schema (a CRD's `openAPIV3Schema`, or the built-in kind's schema
//! from the Kubernetes OpenAPI document). Unknown fields follow `fieldValidation`:
//! `Strict` refuses them (400 "strict decoding error"), `Warn` (the server's default)
//! drops them with a `Warning` header, `Ignore` drops them silently. Invalid values of
//! custom resources are 422 Invalid with one cause per field.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::openapi;
use super::registry::ResourceType;
use super::status::{ApiError, qualified};
use super::store::State;
use super::structural::Schema;

/// The `fieldValidation` of a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum FieldValidation {
    /// Drop unknown fields silently.
    Ignore,
    /// Drop unknown fields, warning about each (the server's default).
    #[default]
    Warn,
    /// Refuse unknown fields.
    Strict,
    /// Test fixtures: custom resources as `Strict`, built-in kinds unchecked.
    Fixture,
}

impl FieldValidation {
    /// From the query parameter (`None` is the default).
    pub(super) fn parse(param: Option<&str>) -> Result<Self, ApiError> {
        match param {
            None | Some("") | Some("Warn") => Ok(Self::Warn),
            Some("Ignore") => Ok(Self::Ignore),
            Some("Strict") => Ok(Self::Strict),
            Some(other) => Err(ApiError::bad_request(format!(
                "fieldValidation must be one of Ignore, Warn or Strict, got {other:?}"
            ))),
        }
    }
}

/// Warnings collected while serving one request (sent as `Warning` headers).
#[derive(Debug, Clone, Default)]
pub(super) struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    fn push(&self, text: String) {
        let mut w = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: a body with thousands of unknown fields gets the first hundred.
        if w.len() < 100 {
            w.push(text);
        }
    }

    /// The collected warnings.
    pub(super) fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Checks (and, unless strict, prunes) `obj` before it is stored as type `rt`.
pub(super) fn check(
    st: &State,
    rt: &ResourceType,
    obj: &mut Value,
    mode: FieldValidation,
    warnings: &Warnings,
) -> Result<(), ApiError> {
    let crd_schema = st
        .schemas
        .get(&(rt.group.clone(), rt.version.clone(), rt.plural.clone()))
        .cloned();
    let strict = matches!(mode, FieldValidation::Strict | FieldValidation::Fixture);
    let findings = match &crd_schema {
        Some(s) if rt.custom => Schema::crd(s).check(obj, !strict),
        // OpenShift's own API server serves these kinds; its decoder checks field names only.
        Some(s) => Schema::decoder(s).check(obj, !strict),
        None if mode == FieldValidation::Fixture => return Ok(()),
        None => match openapi::builtin_schema(&rt.group, &rt.version, &rt.kind) {
            Some((s, defs)) => Schema::builtin(s, defs).check(obj, !strict),
            None => return Ok(()),
        },
    };
    if !findings.unknown.is_empty() {
        let list: Vec<String> = findings
            .unknown
            .iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        match mode {
            FieldValidation::Strict | FieldValidation::Fixture => {
                return Err(ApiError::bad_request(format!(
                    "strict decoding error: {}",
                    list.join(", ")
                )));
            }
            FieldValidation::Warn => list.into_iter().for_each(|w| warnings.push(w)),
            FieldValidation::Ignore => {}
        }
    }
    if findings.invalid.is_empty() {
        return Ok(());
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = qualified(&rt.group, &rt.kind);
    let text: Vec<String> = findings
        .invalid
        .iter()
        .map(|(f, why)| format!("{f}: {why}"))
        .collect();
    let message = if text.len() == 1 {
        format!("{kind} \"{name}\" is invalid: {}", text[0])
    } else {
        format!("{kind} \"{name}\" is invalid: [{}]", text.join(", "))
    };
    let causes: Vec<Value> = findings
        .invalid
        .iter()
        .map(|(field, why)| {
            let reason = if why == "Required value" {
                "FieldValueRequired"
            } else if why.starts_with("Unsupported value") {
                "FieldValueNotSupported"
            } else {
                "FieldValueInvalid"
            };
            json!({"reason": reason, "message": why, "field": field})
        })
        .collect();
    let mut err = ApiError::invalid(&rt.kind, name, &rt.group, "", "");
    err.message = message;
    err.details = Some(json!({"name": name, "group": rt.group, "kind": rt.kind, "causes": causes}));
    Err(err)
}
