//! Spots a `tools/call` whose `arguments` is not an object before rmcp sees it.
//!
//! rmcp cannot decode such a request and answers "method not found" (-32601); the
//! contract is "invalid params" (-32602). The probe skims the body without building the
//! argument values, so large file writes cost no extra copies.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

/// The JSON type of `params.arguments`.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Object,
    Null,
    Other,
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Shape, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Shape::Object)
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Null)
            }
            fn visit_none<E>(self) -> Result<Shape, E> {
                Ok(Shape::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<Shape, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Shape::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::Other)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct Params {
    arguments: Option<Shape>,
}

#[derive(Deserialize)]
struct Probe {
    id: Option<Value>,
    method: Option<String>,
    params: Option<Params>,
}

/// The JSON-RPC error to send instead of passing the body on, if `arguments` is malformed.
pub(crate) fn malformed_arguments(body: &[u8]) -> Option<Value> {
    let probe: Probe = serde_json::from_slice(body).ok()?;
    if probe.method.as_deref() != Some("tools/call") {
        return None;
    }
    match probe.params?.arguments? {
        Shape::Object | Shape::Null => None,
        Shape::Other => Some(serde_json::json!({
            "jsonrpc": "2.0",
            "id": probe.id.unwrap_or(Value::Null),
            "error": {"code": -32602, "message": "invalid params: arguments must be an object"}
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_object_arguments_are_flagged() {
        let call = |args: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"x","arguments":{args}}}}}"#
            )
        };
        assert_eq!(
            malformed_arguments(call("\"oops\"").as_bytes()).unwrap()["id"],
            7
        );
        assert!(malformed_arguments(call("[1]").as_bytes()).is_some());
        assert!(malformed_arguments(call("{\"a\":[1,{\"b\":2}]}").as_bytes()).is_none());
        assert!(malformed_arguments(call("null").as_bytes()).is_none());
        assert!(
            malformed_arguments(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).is_none()
        );
        assert!(malformed_arguments(b"not json").is_none());
    }
}
