//! File tools: read a file or folder, commit changes, delete a file.
//!
//! Content goes in and out as plain text (the server does the base64), and
//! `create_or_update_file` makes one commit for any number of files through Gitea's
//! change-files endpoint.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::{RepoRef, ToolContext};
use crate::args::{Args, ToolError};
use crate::catalog::{
    Kind, ToolSpec, bool_param, number_param, object_list_param, owner_repo, string_param,
};
use crate::gitea_client::file_path;

pub(super) fn specs() -> Vec<ToolSpec> {
    let edit = json!({"type": "object", "properties": {
        "old_string": {"type": "string", "description": "exact text to replace"},
        "new_string": {"type": "string", "description": "replacement text"},
        "replace_all": {"type": "boolean", "description": "replace every occurrence"}},
        "required": ["old_string", "new_string"]});
    let file = json!({"type": "object", "properties": {
        "path": {"type": "string", "description": "path relative to repo root"},
        "content": {"type": "string", "description": "literal file text, not base64"},
        "edits": {"type": "array", "items": edit.clone()},
        "sha": {"type": "string", "description": "current blob SHA (required to change an existing file)"},
        "from_path": {"type": "string", "description": "rename from this path"},
        "delete": {"type": "boolean", "description": "delete this file"}},
        "required": ["path"]});
    vec![
        ToolSpec::new("get_file_contents", "file", Kind::Read, "Get file", "Read one file at a ref. Content is base64 unless withLines or a line range is given.")
.runs(handler!(get_file_contents))
            .params(owner_repo())
            .params([
                string_param("ref", "branch, tag or commit"),
                string_param("path", "path relative to repo root"),
                bool_param("withLines", "return the text as numbered lines"),
                number_param("start_line", "first line to return, from 1").min(1),
                number_param("end_line", "last line to return").min(1),
            ])
            .required(&["owner", "repo", "ref", "path"]),
        ToolSpec::new("get_dir_contents", "file", Kind::Read, "List folder", "Entries of a folder at a ref.")
.runs(handler!(get_dir_contents))
            .params(owner_repo())
            .params([string_param("ref", "branch, tag or commit"), string_param("path", "folder path relative to repo root")])
            .required(&["owner", "repo", "ref", "path"]),
        ToolSpec::new("create_or_update_file", "file", Kind::Destructive, "Write files", "Create, update, rename or delete files in one commit. Give sha to update an existing file; edits replace exact strings.")
.runs(handler!(create_or_update_file))
            .params(owner_repo())
            .params([
                string_param("message", "commit message"),
                string_param("branch_name", "branch to commit to"),
                string_param("path", "path relative to repo root"),
                string_param("content", "literal file text, not base64"),
                string_param("sha", "current blob SHA of the file (omit to create)"),
                string_param("new_branch_name", "commit to a new branch created from branch_name"),
                object_list_param("edits", "exact-string replacements on the current file", edit),
                object_list_param("files", "several files in one commit", file),
            ])
            .required(&["owner", "repo", "message", "branch_name"]),
        ToolSpec::new("delete_file", "file", Kind::Destructive, "Delete file", "Delete one file.")
.runs(handler!(delete_file))
            .params(owner_repo())
            .params([
                string_param("path", "path relative to repo root"),
                string_param("message", "commit message"),
                string_param("branch_name", "branch to commit to"),
                string_param("sha", "current blob SHA of the file"),
            ])
            .required(&["owner", "repo", "path", "message", "branch_name", "sha"])
            .idempotent(),
    ]
}

async fn get_file_contents(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, .. } = RepoRef::from_args(args)?;
    get_file(ctx, &base, args).await
}

async fn get_dir_contents(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let path = args.str_opt("path")?.unwrap_or_default();
    let mut q = Vec::new();
    if let Some(r) = args.str_opt("ref")? {
        q.push(("ref", r));
    }
    let url = format!("{base}/contents/{}", file_path(&path));
    let got = ctx
        .get(url.trim_end_matches('/'))
        .query(q)
        .send(&format!("get {full} dir {path}"))
        .await?;
    Ok(crate::slim::list(
        &got,
        |e| json!({"name": e.get("name"), "path": e.get("path"), "type": e.get("type"), "size": e.get("size")}),
    ))
}

async fn create_or_update_file(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, .. } = RepoRef::from_args(args)?;
    change_files(ctx, &base, args).await
}

async fn delete_file(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let path = args.str_req("path")?;
    let body = json!({
        "sha": args.str_req("sha")?,
        "message": args.str_req("message")?,
        "branch": args.str_req("branch_name")?,
    });
    ctx.delete(format!("{base}/contents/{}", file_path(&path)))
        .json(&body)
        .send(&format!("delete {full} file {path}"))
        .await?;
    Ok(json!("Delete file success"))
}

async fn fetch(
    ctx: ToolContext<'_>,
    base: &str,
    path: &str,
    r#ref: Option<&str>,
) -> Result<Value, ToolError> {
    let q = r#ref.map(|r| ("ref", r.to_string()));
    ctx.get(format!("{base}/contents/{}", file_path(path)))
        .query(q)
        .send(&format!("get file {path}"))
        .await
}

fn decode(file: &Value, path: &str) -> Result<String, ToolError> {
    let b64: String = file
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(b64)
        .map_err(|e| ToolError::Other(format!("{path}: cannot decode content: {e}")))?;
    String::from_utf8(bytes).map_err(|_| ToolError::Other(format!("{path} is not UTF-8 text")))
}

async fn get_file(ctx: ToolContext<'_>, base: &str, args: &Args) -> Result<Value, ToolError> {
    let path = args.str_req("path")?;
    let file = fetch(ctx, base, &path, args.str_opt("ref")?.as_deref()).await?;
    if file.is_array() {
        return Err(ToolError::Other(format!(
            "{path} is a directory; use get_dir_contents"
        )));
    }
    let mut out = Map::new();
    for k in [
        "name",
        "path",
        "sha",
        "type",
        "size",
        "content",
        "encoding",
        "html_url",
        "download_url",
    ] {
        if let Some(v) = file.get(k).filter(|v| !v.is_null()) {
            out.insert(k.into(), v.clone());
        }
    }
    let with_lines = args.bool_opt("withLines")?.unwrap_or(false);
    let (start, end) = (args.int_opt("start_line")?, args.int_opt("end_line")?);
    if !with_lines && start.is_none() && end.is_none() {
        return Ok(Value::Object(out));
    }
    let text = decode(&file, &path)?;
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len() as i64;
    let first = start.unwrap_or(1).max(1);
    let last = end.unwrap_or(total).min(total);
    let picked: Vec<(i64, &str)> = (first..=last)
        .filter_map(|n| lines.get(usize::try_from(n - 1).ok()?).map(|l| (n, *l)))
        .collect();
    out.remove("encoding");
    out.insert("total_lines".into(), json!(total));
    out.insert(
        "content".into(),
        if with_lines {
            picked
                .iter()
                .map(|(n, l)| json!({"line": n, "content": l}))
                .collect()
        } else {
            json!(
                picked
                    .iter()
                    .map(|(_, l)| *l)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        },
    );
    if start.is_some() || end.is_some() {
        out.insert("start_line".into(), json!(first));
        out.insert("end_line".into(), json!(last.max(first - 1)));
        out.insert("truncated".into(), json!(last < total));
    }
    Ok(Value::Object(out))
}

/// Applies exact-string edits, refusing ambiguous or missing matches.
fn apply_edits(path: &str, mut text: String, edits: &[Value]) -> Result<String, ToolError> {
    for (i, e) in edits.iter().enumerate() {
        let old = e
            .get("old_string")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let new = e
            .get("new_string")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let all = e
            .get("replace_all")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if old.is_empty() {
            return Err(ToolError::Missing(format!("edits[{i}].old_string")));
        }
        let count = text.matches(old).count();
        if count == 0 {
            return Err(ToolError::Other(format!(
                "{path}: edits[{i}].old_string not found"
            )));
        }
        if count > 1 && !all {
            return Err(ToolError::Other(format!(
                "{path}: edits[{i}].old_string matches {count} times; add context or set replace_all"
            )));
        }
        text = if all {
            text.replace(old, new)
        } else {
            text.replacen(old, new, 1)
        };
    }
    Ok(text)
}

/// Turns one file request into a change-files operation.
async fn operation(
    ctx: ToolContext<'_>,
    base: &str,
    branch: &str,
    f: &Map<String, Value>,
) -> Result<Value, ToolError> {
    let f = Args::new(f.clone());
    let path = f.str_req("path")?;
    let mut sha = f.str_opt("sha")?;
    if f.bool_opt("delete")?.unwrap_or(false) {
        if sha.is_none() {
            sha = fetch(ctx, base, &path, Some(branch))
                .await?
                .get("sha")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        return Ok(json!({"operation": "delete", "path": path, "sha": sha}));
    }
    let edits = f
        .get("edits")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let content = if !edits.is_empty() {
        let current = fetch(
            ctx,
            base,
            f.str_opt("from_path")?.as_deref().unwrap_or(&path),
            Some(branch),
        )
        .await?;
        sha = current
            .get("sha")
            .and_then(Value::as_str)
            .map(str::to_string);
        apply_edits(&path, decode(&current, &path)?, &edits)?
    } else {
        f.str_opt("content")?.unwrap_or_default()
    };
    let mut op = json!({"path": path, "content": STANDARD.encode(content.as_bytes())});
    if let Some(from) = f.str_opt("from_path")? {
        op["operation"] = json!("rename");
        op["from_path"] = json!(from);
    } else {
        op["operation"] = json!(if sha.is_some() { "update" } else { "create" });
    }
    if let Some(sha) = sha {
        op["sha"] = json!(sha);
    }
    Ok(op)
}

async fn change_files(ctx: ToolContext<'_>, base: &str, args: &Args) -> Result<Value, ToolError> {
    let message = args.str_req("message")?;
    let branch = args.str_req("branch_name")?;
    let mut requests: Vec<Map<String, Value>> = Vec::new();
    if let Some(files) = args.get("files") {
        let list = files
            .as_array()
            .ok_or_else(|| ToolError::invalid("files", "must be an array"))?;
        for f in list {
            requests.push(
                f.as_object()
                    .cloned()
                    .ok_or_else(|| ToolError::invalid("files", "items must be objects"))?,
            );
        }
    }
    if let Some(path) = args.str_opt("path")? {
        let mut one = Map::new();
        one.insert("path".into(), json!(path));
        for k in ["content", "sha", "edits"] {
            if let Some(v) = args.get(k) {
                one.insert(k.into(), v.clone());
            }
        }
        requests.push(one);
    }
    if requests.is_empty() {
        return Err(ToolError::Missing("path".into()));
    }
    let mut ops = Vec::new();
    for r in &requests {
        ops.push(operation(ctx, base, &branch, r).await?);
    }
    let mut body = json!({"files": ops, "message": message, "branch": branch});
    let target = match args.str_opt("new_branch_name")? {
        Some(nb) => {
            body["new_branch"] = json!(nb);
            nb
        }
        None => branch,
    };
    ctx.post(format!("{base}/contents"))
        .json(&body)
        .send("commit files")
        .await?;
    Ok(json!(format!(
        "Committed {} file(s) to branch {target}",
        ops.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_must_match_exactly_once_unless_replace_all() {
        let e = |o: &str, n: &str, all: bool| json!({"old_string": o, "new_string": n, "replace_all": all});
        assert_eq!(
            apply_edits("f", "a b a".into(), &[e("b", "c", false)]).unwrap(),
            "a c a"
        );
        assert!(
            apply_edits("f", "a b a".into(), &[e("a", "c", false)])
                .unwrap_err()
                .to_string()
                .contains("2 times")
        );
        assert_eq!(
            apply_edits("f", "a b a".into(), &[e("a", "c", true)]).unwrap(),
            "c b c"
        );
        assert!(apply_edits("f", "a".into(), &[e("z", "c", false)]).is_err());
    }
}
