//! Just enough protobuf to read what client-go's typed clients post: the `k8s\0`
//! `runtime.Unknown` envelope and, inside it, ConfigMaps, Secrets and Namespaces (what
//! `kubectl create configmap|secret|namespace` and Helm's release storage send) plus the
//! SelfSubjectAccessReview (see `auth`). Field numbers are those of the Kubernetes
//! `generated.proto` files; anything else is refused with 415.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::status::ApiError;

/// Reads one protobuf field: (field number, wire type, payload or varint value).
pub(super) fn next_field<'a>(buf: &mut &'a [u8]) -> Option<Field<'a>> {
    let tag = varint(buf)?;
    let (field, wire) = (tag >> 3, tag & 7);
    match wire {
        0 => Some((field, Err(varint(buf)?))),
        2 => {
            let len = usize::try_from(varint(buf)?).ok()?;
            let payload = buf.get(..len)?;
            *buf = buf.get(len..)?;
            Some((field, Ok(payload)))
        }
        1 => {
            *buf = buf.get(8..)?;
            Some((field, Err(0)))
        }
        5 => {
            *buf = buf.get(4..)?;
            Some((field, Err(0)))
        }
        _ => None,
    }
}

fn varint(buf: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first()?;
        *buf = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The payload of field `number` in a protobuf message.
pub(super) fn field(mut msg: &[u8], number: u64) -> Option<&[u8]> {
    while !msg.is_empty() {
        let (f, value) = next_field(&mut msg)?;
        if f == number {
            return value.ok();
        }
    }
    None
}

/// One decoded field: its number, and its payload (length-delimited) or value (varint).
type Field<'a> = (u64, Result<&'a [u8], u64>);

/// Every field of a message, in order.
fn fields(mut msg: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    while !msg.is_empty() {
        out.push(next_field(&mut msg)?);
    }
    Some(out)
}

fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

/// A `map<string, string|bytes>` (repeated key=1/value=2 entries).
fn map(entries: &[&[u8]], bytes_values: bool) -> Option<Value> {
    let mut out = Map::new();
    for entry in entries {
        let key = field(entry, 1)
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .unwrap_or_default();
        let value = field(entry, 2).unwrap_or_default();
        let value = if bytes_values {
            json!(base64::engine::general_purpose::STANDARD.encode(value))
        } else {
            text(value)
        };
        out.insert(key, value);
    }
    Some(Value::Object(out))
}

fn repeated<'a>(all: &[Field<'a>], number: u64) -> Vec<&'a [u8]> {
    all.iter()
        .filter(|(f, _)| *f == number)
        .filter_map(|(_, v)| v.ok())
        .collect()
}

fn object_meta(msg: &[u8]) -> Option<Value> {
    let all = fields(msg)?;
    let mut meta = Map::new();
    for (number, name) in [
        (1, "name"),
        (2, "generateName"),
        (3, "namespace"),
        (6, "resourceVersion"),
    ] {
        // Generated Go marshalling writes empty strings too; empty means unset.
        if let Some(v) = repeated(&all, number).first().filter(|v| !v.is_empty()) {
            meta.insert(name.into(), text(v));
        }
    }
    for (number, name) in [(11, "labels"), (12, "annotations")] {
        let entries = repeated(&all, number);
        if !entries.is_empty() {
            meta.insert(name.into(), map(&entries, false)?);
        }
    }
    let finalizers: Vec<Value> = repeated(&all, 14).into_iter().map(text).collect();
    if !finalizers.is_empty() {
        meta.insert("finalizers".into(), Value::Array(finalizers));
    }
    let owners: Vec<Value> = repeated(&all, 13)
        .into_iter()
        .filter_map(|o| {
            let f = fields(o)?;
            let s = |n| {
                repeated(&f, n)
                    .first()
                    .map(|v| text(v))
                    .unwrap_or(Value::Null)
            };
            let b = |n| {
                f.iter()
                    .find(|(x, _)| *x == n)
                    .and_then(|(_, v)| v.err())
                    .map(|v| Value::Bool(v != 0))
            };
            let mut owner = json!({"apiVersion": s(5), "kind": s(1), "name": s(3), "uid": s(4)});
            if let Some(c) = b(6) {
                owner["controller"] = c;
            }
            if let Some(c) = b(7) {
                owner["blockOwnerDeletion"] = c;
            }
            Some(owner)
        })
        .collect();
    if !owners.is_empty() {
        meta.insert("ownerReferences".into(), Value::Array(owners));
    }
    Some(Value::Object(meta))
}

fn flag(all: &[Field<'_>], number: u64) -> Option<bool> {
    all.iter()
        .find(|(f, _)| *f == number)
        .and_then(|(_, v)| v.err())
        .map(|v| v != 0)
}

fn decode_kind(kind: &str, raw: &[u8]) -> Option<Value> {
    let all = fields(raw)?;
    let mut obj = Map::new();
    obj.insert(
        "metadata".into(),
        repeated(&all, 1)
            .first()
            .map(|m| object_meta(m))
            .unwrap_or(Some(json!({})))?,
    );
    match kind {
        "ConfigMap" => {
            obj.insert("data".into(), map(&repeated(&all, 2), false)?);
            obj.insert("binaryData".into(), map(&repeated(&all, 3), true)?);
            if let Some(i) = flag(&all, 4) {
                obj.insert("immutable".into(), Value::Bool(i));
            }
        }
        "Secret" => {
            obj.insert("data".into(), map(&repeated(&all, 2), true)?);
            if let Some(t) = repeated(&all, 3).first() {
                obj.insert("type".into(), text(t));
            }
            let plain = repeated(&all, 4);
            if !plain.is_empty() {
                obj.insert("stringData".into(), map(&plain, false)?);
            }
            if let Some(i) = flag(&all, 5) {
                obj.insert("immutable".into(), Value::Bool(i));
            }
        }
        "Namespace" => {
            let spec = repeated(&all, 2)
                .first()
                .and_then(|spec| fields(spec))
                .unwrap_or_default();
            let finalizers: Vec<Value> = repeated(&spec, 1).into_iter().map(text).collect();
            if !finalizers.is_empty() {
                obj.insert("spec".into(), json!({"finalizers": finalizers}));
            }
        }
        _ => return None,
    }
    Some(Value::Object(obj))
}

/// Decodes a protobuf object body of the kinds above into its JSON form.
pub(super) fn decode_object(body: &[u8]) -> Result<Value, ApiError> {
    let unsupported = |what: &str| {
        ApiError::unsupported_media(format!(
            "protobuf bodies are accepted for ConfigMap, Secret and Namespace only ({what}); send application/json"
        ))
    };
    let envelope = body
        .strip_prefix(b"k8s\0")
        .ok_or_else(|| unsupported("no k8s envelope"))?;
    let type_meta = field(envelope, 1).ok_or_else(|| unsupported("no type meta"))?;
    let api_version = field(type_meta, 1)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default();
    let kind = field(type_meta, 2)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default();
    let raw = field(envelope, 2).ok_or_else(|| unsupported("no raw object"))?;
    if api_version != "v1" {
        return Err(unsupported(&format!("{api_version} {kind}")));
    }
    let mut obj =
        decode_kind(&kind, raw).ok_or_else(|| unsupported(&format!("{api_version} {kind}")))?;
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(kind);
    Ok(obj)
}
