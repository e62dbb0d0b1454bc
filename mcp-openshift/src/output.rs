//! Rendering of tool results the way upstream prints them: YAML without `managedFields`,
//! kubectl-like tables from the API server's `Table` answer, simplified event lists.

use serde_json::{Map, Value};

/// Serialize any JSON value as YAML text.
pub fn yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n{value}"))
}

/// Remove `metadata.managedFields` (noise for a model, and large).
pub fn strip_managed_fields(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}

/// YAML of a list's items, each completed with the list's kind/apiVersion and without managedFields.
pub fn list_yaml(list: &Value) -> String {
    let api_version = list["apiVersion"].as_str().unwrap_or_default();
    let item_kind = list["kind"]
        .as_str()
        .unwrap_or_default()
        .strip_suffix("List")
        .unwrap_or_default();
    let items: Vec<Value> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let mut i = i.clone();
                    strip_managed_fields(&mut i);
                    if let Some(o) = i.as_object_mut() {
                        if !o.contains_key("apiVersion") && !api_version.is_empty() {
                            o.insert("apiVersion".into(), api_version.into());
                        }
                        if !o.contains_key("kind") && !item_kind.is_empty() {
                            o.insert("kind".into(), item_kind.into());
                        }
                    }
                    i
                })
                .collect()
        })
        .unwrap_or_default();
    yaml(&Value::Array(items))
}

/// Labels as kubectl shows them: sorted `k=v` pairs, `<none>` when there are none.
pub fn format_labels(labels: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> = labels
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    if pairs.is_empty() {
        return "<none>".into();
    }
    pairs.sort();
    pairs.join(",")
}

/// A rendered table: header names and string cells.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Table {
    /// Upper-case column names.
    pub headers: Vec<String>,
    /// Rows of cells, as long as `headers`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Build from a `meta.k8s.io` Table answer, adding upstream's extra columns
    /// (NAMESPACE when rows have one, APIVERSION, KIND, LABELS).
    pub fn from_server_table(table: &Value, api_version: &str, kind: &str) -> Self {
        let columns: Vec<String> = table["columnDefinitions"]
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|d| d["name"].as_str().unwrap_or_default().to_uppercase())
                    .collect()
            })
            .unwrap_or_default();
        let rows = table["rows"].as_array().cloned().unwrap_or_default();
        let with_ns = rows.iter().any(|r| {
            r["object"]["metadata"]["namespace"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        });
        let mut headers = Vec::new();
        if with_ns {
            headers.push("NAMESPACE".to_string());
        }
        headers.extend(["APIVERSION".to_string(), "KIND".to_string()]);
        headers.extend(columns.iter().cloned());
        headers.push("LABELS".into());
        let rows = rows
            .iter()
            .map(|r| {
                let meta = &r["object"]["metadata"];
                let mut cells = Vec::new();
                if with_ns {
                    cells.push(meta["namespace"].as_str().unwrap_or_default().to_string());
                }
                cells.push(api_version.to_string());
                cells.push(kind.to_string());
                let given = r["cells"].as_array().cloned().unwrap_or_default();
                for i in 0..columns.len() {
                    cells.push(
                        given
                            .get(i)
                            .map(cell_text)
                            .unwrap_or_else(|| "<none>".into()),
                    );
                }
                cells.push(format_labels(meta["labels"].as_object()));
                cells
            })
            .collect();
        Table { headers, rows }
    }

    /// Build from a plain list when the server does not render tables: NAME and AGE only.
    pub fn from_plain_list(
        list: &Value,
        api_version: &str,
        kind: &str,
        now: jiff::Timestamp,
    ) -> Self {
        let items = list["items"].as_array().cloned().unwrap_or_default();
        let with_ns = items.iter().any(|i| {
            i["metadata"]["namespace"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        });
        let mut headers = Vec::new();
        if with_ns {
            headers.push("NAMESPACE".to_string());
        }
        headers.extend(["APIVERSION", "KIND", "NAME", "AGE", "LABELS"].map(String::from));
        let rows = items
            .iter()
            .map(|i| {
                let meta = &i["metadata"];
                let mut cells = Vec::new();
                if with_ns {
                    cells.push(meta["namespace"].as_str().unwrap_or_default().to_string());
                }
                cells.push(api_version.to_string());
                cells.push(kind.to_string());
                cells.push(meta["name"].as_str().unwrap_or_default().to_string());
                cells.push(
                    meta["creationTimestamp"]
                        .as_str()
                        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                        .map(|t| human_age(now.duration_since(t).as_secs()))
                        .unwrap_or_else(|| "<unknown>".into()),
                );
                cells.push(format_labels(meta["labels"].as_object()));
                cells
            })
            .collect();
        Table { headers, rows }
    }

    /// Text as Go's tabwriter prints it for kubectl (min width 6, padding 3; last column unpadded).
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths = vec![0usize; n];
        for row in std::iter::once(&self.headers).chain(self.rows.iter()) {
            for (i, c) in row.iter().enumerate().take(n.saturating_sub(1)) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(self.rows.iter()) {
            for (i, c) in row.iter().enumerate() {
                out.push_str(c);
                if i + 1 < n {
                    let w = (widths[i] + 3).max(6);
                    out.extend(std::iter::repeat_n(' ', w - c.chars().count()));
                }
            }
            out.push('\n');
        }
        out
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => "<none>".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// kubectl's short age: `45s`, `12m`, `3h`, `2d`.
pub fn human_age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        7200..172800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// Upstream's simplified event view (capitalised keys, Go time format).
pub fn simplify_event(e: &Value) -> Value {
    let ts = [
        "eventTime",
        "series.lastObservedTime",
        "lastTimestamp",
        "firstTimestamp",
    ]
    .iter()
    .find_map(|k| {
        let v = k.split('.').fold(e, |v, p| &v[p]);
        v.as_str().filter(|s| !s.is_empty())
    })
    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    .map(|t| t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
    .unwrap_or_default();
    let io = &e["involvedObject"];
    serde_json::json!({
        "InvolvedObject": {"Kind": io["kind"], "Name": io["name"], "apiVersion": io["apiVersion"]},
        "Message": e["message"].as_str().unwrap_or_default().trim(),
        "Namespace": e["metadata"]["namespace"],
        "Reason": e["reason"],
        "Timestamp": ts,
        "Type": e["type"],
    })
}

#[cfg(test)]
mod tests;
