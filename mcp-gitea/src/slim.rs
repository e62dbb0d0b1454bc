//! Slim result shapes: the fields a model needs, in upstream's layout.
//!
//! Users become login strings, labels become name lists, milestones `{id,title}`, and
//! optional keys are left out when empty. Lists carry fewer fields than single gets.

use serde_json::{Map, Value, json};

pub mod issue_list;
pub mod prune;

/// Copies the listed keys that are present and not null.
fn pick(v: &Value, keys: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for k in keys {
        if let Some(x) = v.get(*k).filter(|x| !x.is_null()) {
            out.insert((*k).to_string(), x.clone());
        }
    }
    out
}

/// Inserts `value` unless it is null, an empty string or an empty array.
fn put_opt(out: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    if !empty {
        out.insert(key.to_string(), value);
    }
}

/// A user object reduced to its login.
pub fn login(v: Option<&Value>) -> Value {
    v.and_then(|u| u.get("login").or_else(|| u.get("username")))
        .cloned()
        .unwrap_or(Value::Null)
}

fn logins(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Array(users)) => users.iter().map(|u| login(Some(u))).collect(),
        _ => Value::Null,
    }
}

fn label_names(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Array(labels)) => labels
            .iter()
            .filter_map(|l| l.get("name").cloned())
            .collect(),
        _ => Value::Null,
    }
}

/// Maps every item of an array (non-arrays become an empty list).
pub fn list(v: &Value, f: impl Fn(&Value) -> Value) -> Value {
    match v {
        Value::Array(items) => items.iter().map(f).collect(),
        _ => json!([]),
    }
}

/// A user as `get_me` shows it.
pub fn user(v: &Value) -> Value {
    Value::Object(pick(
        v,
        &[
            "id",
            "login",
            "full_name",
            "email",
            "avatar_url",
            "html_url",
            "is_admin",
        ],
    ))
}

/// An organization.
pub fn org(v: &Value) -> Value {
    let mut out = pick(
        v,
        &["id", "full_name", "description", "avatar_url", "website"],
    );
    put_opt(
        &mut out,
        "name",
        v.get("name")
            .or_else(|| v.get("username"))
            .cloned()
            .unwrap_or_default(),
    );
    Value::Object(out)
}

/// A repository.
pub fn repo(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "id",
            "full_name",
            "description",
            "html_url",
            "clone_url",
            "ssh_url",
            "default_branch",
            "private",
            "fork",
            "archived",
            "language",
            "stars_count",
            "forks_count",
            "open_issues_count",
            "open_pr_counter",
            "created_at",
            "updated_at",
        ],
    );
    put_opt(&mut out, "owner", login(v.get("owner")));
    put_opt(
        &mut out,
        "topics",
        v.get("topics").cloned().unwrap_or_default(),
    );
    Value::Object(out)
}

fn issue_common(v: &Value, keys: &[&str]) -> Map<String, Value> {
    let mut out = pick(v, keys);
    out.insert("user".into(), login(v.get("user")));
    out.insert(
        "labels".into(),
        match label_names(v.get("labels")) {
            Value::Null => json!([]),
            names => names,
        },
    );
    put_opt(&mut out, "assignees", logins(v.get("assignees")));
    if let Some(m) = v.get("milestone").filter(|m| m.is_object()) {
        out.insert("milestone".into(), Value::Object(pick(m, &["id", "title"])));
    }
    put_opt(&mut out, "ref", v.get("ref").cloned().unwrap_or_default());
    put_opt(
        &mut out,
        "deadline",
        v.get("due_date").cloned().unwrap_or_default(),
    );
    if v.get("pull_request").is_some_and(|p| !p.is_null()) {
        out.insert("is_pull".into(), json!(true));
    }
    out
}

/// A single issue.
pub fn issue(v: &Value) -> Value {
    Value::Object(issue_common(
        v,
        &[
            "id",
            "number",
            "title",
            "body",
            "state",
            "html_url",
            "comments",
            "created_at",
            "updated_at",
            "closed_at",
        ],
    ))
}

/// An issue in a list.
pub fn issue_item(v: &Value) -> Value {
    Value::Object(issue_common(
        v,
        &[
            "id",
            "number",
            "title",
            "state",
            "html_url",
            "comments",
            "created_at",
            "updated_at",
        ],
    ))
}

/// An issue in search results (adds the repository's full name).
pub fn issue_search_item(v: &Value) -> Value {
    let mut out = issue_common(
        v,
        &[
            "number",
            "title",
            "state",
            "html_url",
            "comments",
            "created_at",
            "updated_at",
        ],
    );
    if let Some(r) = v.get("repository").and_then(|r| r.get("full_name")) {
        out.insert("repository".into(), r.clone());
    }
    Value::Object(out)
}

/// A comment.
pub fn comment(v: &Value) -> Value {
    let mut out = pick(v, &["id", "body", "html_url", "created_at", "updated_at"]);
    out.insert("user".into(), login(v.get("user")));
    Value::Object(out)
}

/// A label.
pub fn label(v: &Value) -> Value {
    Value::Object(pick(
        v,
        &["id", "name", "color", "description", "exclusive"],
    ))
}

/// A milestone.
pub fn milestone(v: &Value) -> Value {
    Value::Object(pick(
        v,
        &[
            "id",
            "title",
            "description",
            "state",
            "open_issues",
            "closed_issues",
            "due_on",
        ],
    ))
}

/// A branch.
pub fn branch(v: &Value) -> Value {
    let mut out = pick(v, &["name", "protected"]);
    put_opt(
        &mut out,
        "commit_sha",
        v.pointer("/commit/id").cloned().unwrap_or_default(),
    );
    Value::Object(out)
}

/// A tag (`with_message` for single gets).
pub fn tag(v: &Value, with_message: bool) -> Value {
    let mut out = pick(v, &["name"]);
    if with_message {
        put_opt(
            &mut out,
            "message",
            v.get("message").cloned().unwrap_or_default(),
        );
    }
    put_opt(
        &mut out,
        "commit_sha",
        v.pointer("/commit/sha").cloned().unwrap_or_default(),
    );
    Value::Object(out)
}

/// A commit.
pub fn commit(v: &Value) -> Value {
    let mut out = pick(v, &["sha", "html_url", "created"]);
    put_opt(
        &mut out,
        "message",
        v.pointer("/commit/message").cloned().unwrap_or_default(),
    );
    if let Some(a) = v.pointer("/commit/author").filter(|a| a.is_object()) {
        out.insert(
            "author".into(),
            Value::Object(pick(a, &["name", "email", "date"])),
        );
    }
    Value::Object(out)
}

/// A release.
pub fn release(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "id",
            "tag_name",
            "body",
            "draft",
            "prerelease",
            "html_url",
            "created_at",
            "published_at",
        ],
    );
    put_opt(
        &mut out,
        "target",
        v.get("target_commitish").cloned().unwrap_or_default(),
    );
    put_opt(
        &mut out,
        "title",
        v.get("name").cloned().unwrap_or_default(),
    );
    put_opt(&mut out, "author", login(v.get("author")));
    Value::Object(out)
}

/// A pull request (single get).
pub fn pull(v: &Value) -> Value {
    let mut out = issue_common(
        v,
        &[
            "number",
            "title",
            "body",
            "state",
            "draft",
            "merged",
            "mergeable",
            "html_url",
            "comments",
            "created_at",
            "updated_at",
            "closed_at",
            "merged_at",
            "merge_commit_sha",
            "additions",
            "deletions",
            "changed_files",
            "review_comments",
        ],
    );
    out.remove("is_pull");
    put_opt(&mut out, "merged_by", login(v.get("merged_by")));
    for side in ["head", "base"] {
        if let Some(h) = v.get(side).filter(|h| h.is_object()) {
            let mut hs = pick(h, &["ref", "sha"]);
            if let Some(r) = h.get("repo").filter(|r| r.is_object()) {
                hs.insert(
                    "repo".into(),
                    Value::Object(pick(r, &["full_name", "description"])),
                );
            }
            out.insert(side.into(), Value::Object(hs));
        }
    }
    Value::Object(out)
}

/// A pull request in a list.
pub fn pull_item(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "number",
            "title",
            "state",
            "draft",
            "merged",
            "html_url",
            "created_at",
            "updated_at",
        ],
    );
    out.insert("user".into(), login(v.get("user")));
    put_opt(
        &mut out,
        "head",
        v.pointer("/head/ref").cloned().unwrap_or_default(),
    );
    put_opt(
        &mut out,
        "base",
        v.pointer("/base/ref").cloned().unwrap_or_default(),
    );
    put_opt(&mut out, "labels", label_names(v.get("labels")));
    Value::Object(out)
}

/// A pull request review.
pub fn review(v: &Value) -> Value {
    let mut out = pick(
        v,
        &[
            "id",
            "state",
            "body",
            "comments_count",
            "submitted_at",
            "html_url",
            "stale",
            "official",
            "dismissed",
        ],
    );
    out.insert("user".into(), login(v.get("user")));
    Value::Object(out)
}

#[cfg(test)]
mod tests;
