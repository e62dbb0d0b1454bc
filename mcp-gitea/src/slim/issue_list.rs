//! A page of issues slimmed straight from Gitea's bytes to the result's JSON text.
//!
//! The general path parses Gitea's reply into `serde_json::Value`s, builds the slim
//! `Value`s from them and serializes those; for `list_issues` (thirty issues of a kilobyte
//! each) that was most of our time per call. Here serde's derive reads only the fields
//! [`super::issue_item`] keeps, borrowing strings from the buffer when they need no
//! unescaping, and the slim JSON is written in one pass with nothing in between.
//!
//! It accepts only the shape Gitea sends: strings where Gitea has strings, a `login` on
//! every user, a `name` on every label, no repeated keys. For anything else [`render`]
//! says `None` and the caller takes the general path, so the text is always the one
//! `issue_item` gives (the tests compare the two on both kinds of input).

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Number;

/// A string, borrowed from the input unless it had escapes.
type Text<'a> = Cow<'a, str>;

/// The fields of a Gitea issue that a list item shows.
#[derive(Deserialize)]
struct Issue<'a> {
    id: Option<Number>,
    number: Option<Number>,
    #[serde(borrow)]
    title: Option<Text<'a>>,
    #[serde(borrow)]
    state: Option<Text<'a>>,
    #[serde(borrow)]
    html_url: Option<Text<'a>>,
    comments: Option<Number>,
    #[serde(borrow)]
    created_at: Option<Text<'a>>,
    #[serde(borrow)]
    updated_at: Option<Text<'a>>,
    #[serde(borrow)]
    user: Option<User<'a>>,
    #[serde(borrow)]
    labels: Option<Vec<Label<'a>>>,
    #[serde(borrow)]
    assignees: Option<Vec<User<'a>>>,
    #[serde(borrow)]
    milestone: Option<Milestone<'a>>,
    #[serde(borrow, rename = "ref")]
    git_ref: Option<Text<'a>>,
    #[serde(borrow)]
    due_date: Option<Text<'a>>,
    /// Only whether it is there and not null matters.
    pull_request: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct User<'a> {
    #[serde(borrow)]
    login: Text<'a>,
}

#[derive(Deserialize)]
struct Label<'a> {
    #[serde(borrow)]
    name: Text<'a>,
}

#[derive(Deserialize)]
struct Milestone<'a> {
    id: Option<Number>,
    #[serde(borrow)]
    title: Option<Text<'a>>,
}

/// A present, non-empty string.
fn non_empty<'s>(s: &'s Option<Text<'_>>) -> Option<&'s str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Writes `key` only when `value` is present (the general path's `pick`).
fn present<M: SerializeMap, T: Serialize>(
    m: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => m.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// Writes the slim item: the keys and their order of `slim::issue_item`.
impl Serialize for Issue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        present(&mut m, "id", &self.id)?;
        present(&mut m, "number", &self.number)?;
        present(&mut m, "title", &self.title)?;
        present(&mut m, "state", &self.state)?;
        present(&mut m, "html_url", &self.html_url)?;
        present(&mut m, "comments", &self.comments)?;
        present(&mut m, "created_at", &self.created_at)?;
        present(&mut m, "updated_at", &self.updated_at)?;
        m.serialize_entry("user", &self.user.as_ref().map(|u| &u.login))?;
        let labels: Vec<&str> = self.labels.iter().flatten().map(|l| &*l.name).collect();
        m.serialize_entry("labels", &labels)?;
        if let Some(users) = self.assignees.as_ref().filter(|a| !a.is_empty()) {
            let logins: Vec<&str> = users.iter().map(|u| &*u.login).collect();
            m.serialize_entry("assignees", &logins)?;
        }
        if let Some(ms) = &self.milestone {
            m.serialize_entry("milestone", &MilestoneRef(ms))?;
        }
        present(&mut m, "ref", &non_empty(&self.git_ref))?;
        present(&mut m, "deadline", &non_empty(&self.due_date))?;
        if self.pull_request.is_some() {
            m.serialize_entry("is_pull", &true)?;
        }
        m.end()
    }
}

/// A milestone as `{id, title}`, each only when not null.
struct MilestoneRef<'m, 'a>(&'m Milestone<'a>);

impl Serialize for MilestoneRef<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        present(&mut m, "id", &self.0.id)?;
        present(&mut m, "title", &self.0.title)?;
        m.end()
    }
}

/// The slim JSON text of a Gitea issue list, or `None` when `bytes` is not the plain
/// shape this reads (the caller then takes the general path).
pub fn render(bytes: &[u8]) -> Option<String> {
    let issues: Vec<Issue<'_>> = serde_json::from_slice(bytes).ok()?;
    serde_json::to_string(&issues).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::render;
    use crate::slim::{issue_item, list, prune::ISSUE};

    /// What the general path makes of the same bytes.
    fn general(bytes: &[u8]) -> String {
        let parsed = ISSUE.parse(bytes).unwrap_or(Value::Null);
        serde_json::to_string(&list(&parsed, issue_item)).unwrap()
    }

    fn gitea_issue(n: u64) -> Value {
        json!({
            "id": 1000 + n, "url": "http://g/api/v1/repos/u/r/issues/1", "number": n,
            "user": {"id": 3, "login": "user1", "full_name": "U \"one\"", "email": "u@x"},
            "original_author": "", "title": format!("Build failed <{n}> \u{e9}\\n"),
            "body": "long body", "ref": "", "assets": [],
            "labels": [{"id": 1, "name": "bug", "color": "ff0000"}, {"id": 2, "name": "ci"}],
            "milestone": null, "assignee": null, "assignees": null, "state": "open",
            "is_locked": false, "comments": 2, "created_at": "2026-11-24T10:00:00Z",
            "updated_at": "2026-11-24T10:05:00Z", "closed_at": null, "due_date": null,
            "pull_request": null, "repository": {"id": 7, "name": "r", "owner": "u"},
            "html_url": format!("http://g/u/r/issues/{n}"), "pin_order": 0
        })
    }

    #[test]
    fn gitea_shaped_pages_render_as_the_general_path_does() {
        let mut issues: Vec<Value> = (1..=5).map(gitea_issue).collect();
        issues[1]["milestone"] = json!({"id": 4, "title": "v1", "open_issues": 3});
        issues[1]["assignees"] = json!([{"login": "a"}, {"login": "b", "id": 9}]);
        issues[2]["ref"] = json!("refs/heads/main");
        issues[2]["due_date"] = json!("2026-12-01T00:00:00Z");
        issues[2]["pull_request"] = json!({"merged": false});
        issues[3]["labels"] = json!([]);
        issues[3]["assignees"] = json!([]);
        issues[3]["milestone"] = json!({"id": null, "title": "no id"});
        issues[4]["user"] = Value::Null;
        issues[4]["labels"] = Value::Null;
        for key in ["id", "title", "comments", "html_url"] {
            issues[4].as_object_mut().unwrap().remove(key);
        }
        // Go's encoder escapes <, > and & as \u003c…: the text must come out decoded.
        let bytes = serde_json::to_string(&issues)
            .unwrap()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e");
        let fast = render(bytes.as_bytes()).expect("a Gitea-shaped page renders");
        assert_eq!(fast, general(bytes.as_bytes()));
        assert!(
            fast.contains("\"title\":\"Build failed <1> \u{e9}\\\\n\""),
            "{fast}"
        );
        assert!(
            fast.contains(r#""milestone":{"id":4,"title":"v1"}"#),
            "{fast}"
        );
        assert!(fast.contains(r#""is_pull":true"#), "{fast}");
        assert_eq!(render(b"[]").as_deref(), Some("[]"));
    }

    #[test]
    fn other_shapes_are_left_to_the_general_path() {
        let odd = |edit: &dyn Fn(&mut Value)| {
            let mut issue = gitea_issue(1);
            edit(&mut issue);
            serde_json::to_vec(&json!([issue])).unwrap()
        };
        let cases = [
            odd(&|i| i["id"] = json!("1001")),
            odd(&|i| i["title"] = json!(7)),
            odd(&|i| i["user"] = json!({"username": "only-username"})),
            odd(&|i| i["user"] = json!({"login": null, "username": "x"})),
            odd(&|i| i["labels"] = json!([{"id": 1}])),
            odd(&|i| i["labels"] = json!("bug")),
            odd(&|i| i["milestone"] = json!("v1")),
            odd(&|i| i["ref"] = json!(["x"])),
            br#"[{"id":1,"id":2}]"#.to_vec(),
            br#"{"message":"not a list"}"#.to_vec(),
            b"[1, 2]".to_vec(),
            b"not json".to_vec(),
        ];
        for bytes in &cases {
            assert_eq!(
                render(bytes),
                None,
                "{} should take the general path",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
