//! Multi-document manifests (YAML, or JSON, which is YAML too): what
//! `resources_create_or_update` applies and what a Helm release's manifest holds.

use serde_json::Value;

use crate::error::Cause;

/// The documents of a manifest (YAML, or JSON, which is YAML too) in order; empty and
/// comment-only documents are skipped, any other non-object is refused by its number.
pub(crate) fn parse_manifests(text: &str) -> Result<Vec<Value>, Cause> {
    let mut reader = std::io::Cursor::new(text.as_bytes());
    let mut docs = Vec::new();
    for (i, doc) in serde_saphyr::read::<_, Value>(&mut reader).enumerate() {
        let document = i + 1;
        match doc {
            Ok(v @ Value::Object(_)) => docs.push(v),
            Ok(Value::Null) => {}
            Ok(_) => {
                return Err(Cause::Manifest {
                    document,
                    reason: "expected an object with apiVersion, kind and metadata".into(),
                });
            }
            Err(e) => {
                return Err(Cause::Manifest {
                    document,
                    reason: format!("invalid YAML: {e}"),
                });
            }
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_split_on_separator_lines() {
        let docs = parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# comment only\n---\n{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\"}}\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["metadata"]["name"], "a");
        assert_eq!(docs[1]["metadata"]["name"], "b");
    }

    #[test]
    fn bad_documents_are_named() {
        let e = parse_manifests("a: b\n---\n- 1\n").unwrap_err().to_string();
        assert!(e.starts_with("document 2"), "{e}");
        let e = parse_manifests("a: b\n---\nc: [1,\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("document 2: invalid YAML"), "{e}");
    }
}
