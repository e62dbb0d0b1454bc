//! Parses a Gitea reply keeping only the keys a slim shape reads.
//!
//! A Gitea issue is kilobytes of JSON (full user objects, the repository, …) of which the
//! slim result keeps a dozen fields. Building the whole `serde_json::Value` (an
//! insertion-ordered map per object, a hashed key per field) was the largest cost of a
//! `list_issues` call; skipping the unread keys while parsing costs no allocation for
//! them. The kept values are exactly what a full parse would give, so the slim functions
//! see the same data (a unit test compares both parses through them).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Which part of a JSON value to keep.
#[derive(Debug, Clone, Copy)]
pub enum Keep {
    /// The whole value.
    All,
    /// Objects keep only these keys, each pruned by its own [`Keep`]; arrays apply this
    /// to every item; scalars are kept as they are.
    Keys(&'static [(&'static str, Keep)]),
}

/// A user reduced to what `slim::login` reads.
const USER: Keep = Keep::Keys(&[("login", Keep::All), ("username", Keep::All)]);

/// Everything `slim::issue` and `slim::issue_item` read.
pub const ISSUE: Keep = Keep::Keys(&[
    ("id", Keep::All),
    ("number", Keep::All),
    ("title", Keep::All),
    ("body", Keep::All),
    ("state", Keep::All),
    ("html_url", Keep::All),
    ("comments", Keep::All),
    ("created_at", Keep::All),
    ("updated_at", Keep::All),
    ("closed_at", Keep::All),
    ("user", USER),
    ("labels", Keep::Keys(&[("name", Keep::All)])),
    ("assignees", USER),
    (
        "milestone",
        Keep::Keys(&[("id", Keep::All), ("title", Keep::All)]),
    ),
    ("ref", Keep::All),
    ("due_date", Keep::All),
    // Only whether it is a non-null value matters.
    ("pull_request", Keep::Keys(&[])),
]);

impl Keep {
    /// A Gitea reply body as the tools see it: `Null` when there is none, the kept part of
    /// a JSON document, or a JSON string of a body that is not JSON (diffs).
    pub fn decode(self, body: Option<&[u8]>) -> Value {
        match body {
            None => Value::Null,
            Some(bytes) => self
                .parse(bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned())),
        }
    }

    /// Parses `bytes` (one JSON document, nothing after it but whitespace).
    pub fn parse(self, bytes: &[u8]) -> serde_json::Result<Value> {
        if let Keep::All = self {
            return serde_json::from_slice(bytes);
        }
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = self.deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

impl<'de> DeserializeSeed<'de> for Keep {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self {
            Keep::All => Value::deserialize(d),
            Keep::Keys(keys) => d.deserialize_any(Pruned(keys)),
        }
    }
}

/// Builds a `Value` like serde_json's own visitor, dropping the keys not listed.
struct Pruned(&'static [(&'static str, Keep)]);

impl<'de> Visitor<'de> for Pruned {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Keep::Keys(self.0).deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Keep::Keys(self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(found) = map.next_key_seed(KeyLookup(self.0))? {
            match found {
                Some((name, keep)) => {
                    let value = map.next_value_seed(keep)?;
                    out.insert(name.to_owned(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads an object key and looks it up in the kept list without allocating.
struct KeyLookup(&'static [(&'static str, Keep)]);

impl<'de> DeserializeSeed<'de> for KeyLookup {
    type Value = Option<(&'static str, Keep)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyLookup {
    type Value = Option<(&'static str, Keep)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|(k, _)| *k == key).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slim;
    use serde_json::json;

    /// A Gitea-like issue with nested objects, unread keys, escapes and odd values.
    fn raw_issue(n: u64, pull: bool) -> Value {
        json!({
            "id": 1000 + n, "url": "http://g/api/v1/repos/u/r/issues/1", "number": n,
            "html_url": format!("http://g/u/r/issues/{n}"),
            "user": {"id": 3, "login": "al\"ice", "full_name": "A", "email": "a@x",
                     "avatar_url": "http://g/a.png", "is_admin": false, "nested": {"deep": [1, 2.5, null]}},
            "original_author": "", "title": "t\u{e9}\\n", "body": "line\nnext \u{1F600}",
            "ref": if pull { "main" } else { "" },
            "labels": [{"id": 1, "name": "bug", "color": "ff0000", "exclusive": false},
                       {"id": 2, "name": "kind/ci", "description": "x"}],
            "milestone": if pull { json!({"id": 4, "title": "v1", "state": "open", "open_issues": 2}) } else { Value::Null },
            "assignee": null,
            "assignees": if pull { json!([{"login": "bob", "id": 9}, {"username": "carol"}]) } else { Value::Null },
            "state": "open", "is_locked": false, "comments": 2,
            "created_at": "2026-11-24T10:00:00Z", "updated_at": "2026-11-24T10:00:01Z",
            "closed_at": null, "due_date": if pull { json!("2026-12-01T00:00:00Z") } else { Value::Null },
            "pull_request": if pull { json!({"merged": false, "draft": false}) } else { Value::Null },
            "repository": {"id": 1, "name": "r", "owner": "u", "full_name": "u/r"},
            "pin_order": 0, "big": 18446744073709551615u64, "neg": -5, "float": 1.25e3
        })
    }

    #[test]
    fn pruned_parse_gives_the_same_slim_results() {
        let list = Value::Array((1..=5).map(|n| raw_issue(n, n % 2 == 0)).collect());
        let bytes = serde_json::to_vec(&list).unwrap();
        let full: Value = serde_json::from_slice(&bytes).unwrap();
        let pruned = ISSUE.parse(&bytes).unwrap();
        assert_eq!(
            slim::list(&pruned, slim::issue_item),
            slim::list(&full, slim::issue_item)
        );
        for (p, f) in pruned
            .as_array()
            .unwrap()
            .iter()
            .zip(full.as_array().unwrap())
        {
            assert_eq!(slim::issue(p), slim::issue(f));
            assert!(p.get("repository").is_none() && p.get("url").is_none());
        }
        // Same key order too, so the text result is byte-identical.
        assert_eq!(
            serde_json::to_string(&slim::issue(&pruned[1])).unwrap(),
            serde_json::to_string(&slim::issue(&full[1])).unwrap()
        );
    }

    #[test]
    fn pruned_parse_rejects_what_a_full_parse_rejects() {
        for bad in [&b"{\"id\": 1"[..], b"[1,]", b"{} trailing", b"", b"nope"] {
            assert!(
                ISSUE.parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
            assert!(serde_json::from_slice::<Value>(bad).is_err());
        }
        assert_eq!(ISSUE.parse(b" null ").unwrap(), Value::Null);
        assert_eq!(ISSUE.parse(b"\"diff\"").unwrap(), json!("diff"));
        assert_eq!(Keep::All.parse(b"{\"a\":1}").unwrap(), json!({"a": 1}));
    }
}
