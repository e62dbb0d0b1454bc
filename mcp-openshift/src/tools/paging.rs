//! Bounded list output, our extension on the list tools (`resources_list`, `pods_list`,
//! `pods_list_in_namespace`, `events_list`, `namespaces_list`): a page size and a continue
//! token (the API server's own `limit`/`continue`), a field projection, a summary mode, and a
//! byte budget that cuts any list answer with a note saying how to get the rest.
//!
//! Without these arguments the output is upstream's; only an answer over the budget
//! (`max_list_output_bytes`, 1 MiB by default) differs, by being cut.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::args::Args;
use crate::error::ArgError;
use crate::output::yaml;

/// Largest page size a call may ask for (the API server's own maximum is far higher, but a
/// page this size already exceeds any model's context).
pub(crate) const MAX_LIMIT: i64 = 5000;
/// Most projected fields per call.
const MAX_FIELDS: usize = 32;

/// How one list call shapes its answer.
#[derive(Debug, Default, Clone)]
pub(crate) struct ListShape {
    /// Items per page (`limit`).
    pub(crate) limit: Option<i64>,
    /// Where the previous page ended (`continue`).
    pub(crate) continue_token: Option<String>,
    /// Dotted paths to keep of each item (`fields`).
    pub(crate) fields: Vec<Vec<String>>,
    /// Counts instead of items (`summary`).
    pub(crate) summary: bool,
}

impl ListShape {
    /// Read `limit`, `continue`, `fields` and `summary`, each checked.
    pub(crate) fn from_args(a: &Args<'_>) -> Result<Self, ArgError> {
        let limit = match a.opt_int("limit")? {
            Some(l) if !(1..=MAX_LIMIT).contains(&l) => {
                return Err(ArgError::Invalid {
                    field: "limit".into(),
                    reason: format!("must be between 1 and {MAX_LIMIT}, got {l}"),
                });
            }
            l => l,
        };
        let continue_token = a.opt_str("continue")?;
        if continue_token.as_ref().is_some_and(|c| c.len() > 4096) {
            return Err(ArgError::Invalid {
                field: "continue".into(),
                reason: "is longer than 4096 characters; pass the token of the previous answer"
                    .into(),
            });
        }
        let fields = match a.opt_str_array("fields")? {
            None => Vec::new(),
            Some(f) if f.len() > MAX_FIELDS => {
                return Err(ArgError::Invalid {
                    field: "fields".into(),
                    reason: format!("at most {MAX_FIELDS} paths, got {}", f.len()),
                });
            }
            Some(f) => f
                .iter()
                .map(|p| parse_path(p))
                .collect::<Result<Vec<_>, _>>()?,
        };
        Ok(Self {
            limit,
            continue_token,
            fields,
            summary: a.opt_bool("summary")?.unwrap_or(false),
        })
    }

    /// The `limit` and `continue` query pairs for the API server.
    pub(crate) fn query_pairs(&self) -> [(&'static str, Option<String>); 2] {
        [
            ("limit", self.limit.map(|l| l.to_string())),
            ("continue", self.continue_token.clone()),
        ]
    }

    /// Whether nothing of ours was asked for: upstream's answer, text only.
    pub(crate) fn is_upstream(&self) -> bool {
        self.is_plain() && self.limit.is_none() && self.continue_token.is_none()
    }

    /// The answer of a list tool that upstream gives as text only: structured content (the
    /// items, counts and continue token) only when one of our arguments was used.
    pub(crate) fn output(&self, text: String, structured: Value) -> super::ToolOutput {
        super::ToolOutput {
            text,
            structured: (!self.is_upstream()).then_some(structured),
        }
    }

    /// Whether the answer is the plain upstream rendering (no projection, no summary).
    pub(crate) fn is_plain(&self) -> bool {
        self.fields.is_empty() && !self.summary
    }

    /// The answer for a projection or a summary of `items` (`None` for a plain call).
    pub(crate) fn render(&self, what: &str, items: &[Value]) -> Option<(String, Value)> {
        if self.summary {
            let s = summarize(items);
            return Some((
                format!("# Summary of {} {what} (counts)\n{}", items.len(), yaml(&s)),
                s,
            ));
        }
        if self.fields.is_empty() {
            return None;
        }
        let projected: Vec<Value> = items.iter().map(|i| project(i, &self.fields)).collect();
        let text = if projected.is_empty() {
            format!("# No {what} found")
        } else {
            format!(
                "# The following {what} (YAML, projected) were found:\n{}",
                yaml(&Value::Array(projected.clone()))
            )
        };
        Some((text, json!({ "items": projected })))
    }
}

/// List items as the API server sends them carry no `kind`; projections and summaries
/// (which count by kind) get the listed kind filled in.
pub(crate) fn with_kind(mut items: Vec<Value>, kind: &str) -> Vec<Value> {
    for i in &mut items {
        if i.get("kind").is_none() {
            i["kind"] = Value::String(kind.to_string());
        }
    }
    items
}

/// `metadata.name` → `["metadata", "name"]`; names only, no wildcards or indexes.
fn parse_path(p: &str) -> Result<Vec<String>, ArgError> {
    let parts: Vec<String> = p.split('.').map(str::to_string).collect();
    if p.len() > 256 || parts.iter().any(|s| s.is_empty()) {
        return Err(ArgError::Invalid {
            field: "fields".into(),
            reason: format!(
                "{p:?} is not a dotted field path such as metadata.name or status.phase"
            ),
        });
    }
    Ok(parts)
}

/// `item` reduced to the given paths, nested as in the object; absent paths are left out.
pub(crate) fn project(item: &Value, paths: &[Vec<String>]) -> Value {
    let mut out = Map::new();
    for path in paths {
        let Some(v) = path.iter().try_fold(item, |v, k| v.get(k.as_str())) else {
            continue;
        };
        insert_at(&mut out, path, v.clone());
    }
    Value::Object(out)
}

/// Put `v` at `path` inside `map`, making the objects on the way.
fn insert_at(map: &mut Map<String, Value>, path: &[String], v: Value) {
    match path {
        [] => {}
        [last] => {
            map.insert(last.clone(), v);
        }
        [first, rest @ ..] => {
            let next = map
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !next.is_object() {
                *next = Value::Object(Map::new());
            }
            if let Value::Object(m) = next {
                insert_at(m, rest, v);
            }
        }
    }
}

/// Counts of `items` by kind, by phase (`status.phase`), and by reason: an event's `reason`,
/// else the first waiting or terminated container's reason, else `status.reason`.
pub(crate) fn summarize(items: &[Value]) -> Value {
    let mut kinds = BTreeMap::<String, u64>::new();
    let mut phases = BTreeMap::<String, u64>::new();
    let mut reasons = BTreeMap::<String, u64>::new();
    for i in items {
        let kind = i["kind"].as_str().unwrap_or("(unknown)");
        *kinds.entry(kind.to_string()).or_default() += 1;
        if let Some(p) = i["status"]["phase"].as_str() {
            *phases.entry(p.to_string()).or_default() += 1;
        }
        if let Some(r) = reason_of(i) {
            *reasons.entry(r).or_default() += 1;
        }
    }
    let mut s = json!({ "total": items.len(), "byKind": kinds });
    if !phases.is_empty() {
        s["byPhase"] = json!(phases);
    }
    if !reasons.is_empty() {
        s["byReason"] = json!(reasons);
    }
    s
}

fn reason_of(i: &Value) -> Option<String> {
    if let Some(r) = i["reason"].as_str().filter(|r| !r.is_empty()) {
        return Some(r.to_string());
    }
    let statuses = i["status"]["containerStatuses"].as_array();
    for c in statuses.into_iter().flatten() {
        for state in ["waiting", "terminated"] {
            if let Some(r) = c["state"][state]["reason"].as_str()
                && r != "Completed"
            {
                return Some(r.to_string());
            }
        }
    }
    i["status"]["reason"].as_str().map(str::to_string)
}

/// The note after a page that has more: the token to pass as `continue`.
pub(crate) fn continue_note(list: &Value) -> Option<(String, String)> {
    let token = list["metadata"]["continue"]
        .as_str()
        .filter(|t| !t.is_empty())?;
    let remaining = list["metadata"]["remainingItemCount"]
        .as_u64()
        .map(|n| format!(" ({n} more items)"))
        .unwrap_or_default();
    Some((
        format!("# More items{remaining}: call again with continue={token:?} and the same limit"),
        token.to_string(),
    ))
}

/// Cut `text` to `budget` bytes at a line end, with a note on what was cut and how to get
/// the rest; text within the budget is returned as it is.
pub(crate) fn cap(text: String, budget: usize) -> String {
    if text.len() <= budget {
        return text;
    }
    let mut end = budget.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let total_lines = text.lines().count();
    let kept_lines = text[..end].lines().count();
    format!(
        "{}# Output cut at {end} of {} bytes ({kept_lines} of {total_lines} lines shown). Ask for less: limit with continue to page, fields to keep only some fields, or summary=true for counts.\n",
        &text[..end],
        text.len()
    )
}

#[cfg(test)]
mod tests;
