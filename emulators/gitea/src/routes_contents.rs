//! File contents: get (file or directory listing), create, update, delete, the
//! multi-file `POST /contents`, and raw downloads. Content travels base64-encoded.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::repo_handler::{RepoPath, repo_at};
use super::state::{Change, Commit, World, sha_of};

type FilePath = Path<(String, String, String)>;
/// `(path, Some(new content))` or `(path, None)` for a deletion.
type FileChange = (String, Option<Vec<u8>>);

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/repos/{owner}/{repo}/contents",
            get(list_root).post(change_files),
        )
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            get(get_contents)
                .post(create_file)
                .put(update_file)
                .delete(delete_file),
        )
        .route("/repos/{owner}/{repo}/raw/{*path}", get(raw))
        .route("/repos/{owner}/{repo}/media/{*path}", get(raw))
}

fn object_missing(path: &str) -> ApiError {
    ApiError::not_found_err(format!("object does not exist [id: , rel_path: {path}]"))
}

/// The entries directly under `dir` ("" = root) at `commit`: `(path, is_file)`.
fn dir_entries(commit: &Commit, dir: &str) -> Vec<(String, bool)> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut out: Vec<(String, bool)> = Vec::new();
    for path in commit.tree.keys().filter(|p| p.starts_with(&prefix)) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let entry = match rest.split_once('/') {
            Some((first, _)) => (format!("{prefix}{first}"), false),
            None => (path.clone(), true),
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}

fn contents(w: &World, ctx: &Ctx, owner: &str, repo: &str, path: &str) -> Result<Response> {
    let (index, _) = find_repo(w, ctx, owner, repo)?;
    let r = repo_at(w, index)?;
    let path = path.trim_matches('/');
    let reference = ctx
        .query
        .get("ref")
        .unwrap_or(&r.default_branch)
        .to_string();
    let commit = r
        .resolve(&reference)
        .ok_or_else(|| ApiError::not_found_err(format!("no such ref: {reference}")))?;
    if commit.tree.contains_key(path) {
        return Ok(Json(w.contents_json(r, commit, &reference, path, true)).into_response());
    }
    let entries = dir_entries(commit, path);
    if entries.is_empty() && !path.is_empty() {
        return Err(object_missing(path));
    }
    let items: Vec<Value> = entries
        .iter()
        .map(|(p, _)| w.contents_json(r, commit, &reference, p, false))
        .collect();
    Ok(Json(Value::Array(items)).into_response())
}

async fn list_root(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| contents(w, &ctx, &owner, &repo, ""))
}

async fn get_contents(ctx: Ctx, Path((owner, repo, path)): FilePath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| contents(w, &ctx, &owner, &repo, &path))
}

fn decode(content: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|err| ApiError::unprocessable(format!("illegal base64 data: {err}")))
}

/// One file operation of a commit request.
struct Op {
    kind: String,
    path: String,
    content: Option<Vec<u8>>,
    sha: Option<String>,
    from_path: Option<String>,
}

/// Checks one operation against the branch tip and returns the tree changes it makes
/// plus its default commit-message line.
fn plan(tree: &BTreeMap<String, Vec<u8>>, op: Op) -> Result<(Vec<FileChange>, String)> {
    let mut files = Vec::new();
    match op.kind.as_str() {
        "create" | "upload" if tree.contains_key(&op.path) => {
            return Err(ApiError::unprocessable(format!(
                "repository file already exists [path: {}]",
                op.path
            )));
        }
        "create" | "upload" => {}
        "update" | "delete" | "rename" => {
            let source = op.from_path.clone().unwrap_or_else(|| op.path.clone());
            let Some(current) = tree.get(&source).map(|b| sha_of(&[b"blob", b])) else {
                return Err(ApiError::not_found_err(format!(
                    "repository file does not exist [path: {source}]"
                )));
            };
            match &op.sha {
                Some(given) if *given != current => {
                    return Err(ApiError::unprocessable(format!(
                        "sha does not match [given: {given}, expected: {current}]"
                    )));
                }
                None if op.kind == "delete" => {
                    return Err(ApiError::unprocessable("[SHA]: Required"));
                }
                _ => {}
            }
            if source != op.path {
                files.push((source, None));
            }
        }
        other => {
            return Err(ApiError::unprocessable(format!(
                "[Operation]: unknown operation {other:?}"
            )));
        }
    }
    let verb = match op.kind.as_str() {
        "delete" => "Delete",
        "update" | "rename" => "Update",
        _ => "Add",
    };
    let line = format!("{verb} {}", op.path);
    let content = match op.kind.as_str() {
        "delete" => None,
        _ => Some(
            op.content
                .or_else(|| tree.get(&op.path).cloned())
                .unwrap_or_default(),
        ),
    };
    files.push((op.path, content));
    Ok((files, line))
}

/// Validates `ops` against the branch tip and commits them (on `new_branch` when given);
/// returns the repository index and the new commit sha.
fn apply(
    w: &mut World,
    ctx: &Ctx,
    target: (&str, &str),
    body: &Body,
    ops: Vec<Op>,
) -> Result<(usize, String)> {
    let index = find_repo_writable(w, ctx, target.0, target.1)?;
    let author = ctx
        .user_id()
        .and_then(|id| w.user_by_id(id))
        .map(|u| (u.login.clone(), u.email.clone()))
        .unwrap_or_default();
    let r = w.repos.get_mut(index).ok_or_else(ApiError::not_found)?;
    let branch = body
        .str("branch")?
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| r.default_branch.clone());
    let new_branch = body.str("new_branch")?.filter(|b| !b.is_empty());
    if !r.branches.contains_key(&branch) && !r.commits.is_empty() {
        return Err(ApiError::not_found_err(format!(
            "branch does not exist [name: {branch}]"
        )));
    }
    if let Some(nb) = new_branch
        .as_ref()
        .filter(|nb| r.branches.contains_key(*nb))
    {
        return Err(ApiError::unprocessable(format!(
            "branch already exists [name: {nb}]"
        )));
    }
    let tree = r
        .resolve(&branch)
        .map(|c| c.tree.clone())
        .unwrap_or_default();
    let (mut files, mut lines) = (Vec::new(), Vec::new());
    for op in ops {
        let (changes, line) = plan(&tree, op)?;
        files.extend(changes);
        lines.push(line);
    }
    let message = body
        .str("message")?
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| lines.join("\n"));
    let target_branch = new_branch.unwrap_or_else(|| branch.clone());
    let sha = r.commit(Change {
        branch: &target_branch,
        from: Some(&branch),
        message: &message,
        author: (&author.0, &author.1),
        files,
    });
    Ok((index, sha))
}

fn file_response(w: &World, index: usize, sha: &str, path: Option<&str>) -> Result<Value> {
    let r = repo_at(w, index)?;
    let commit = r.commits.get(sha).ok_or_else(ApiError::not_found)?;
    let branch = r
        .branches
        .iter()
        .find(|(_, s)| *s == sha)
        .map(|(b, _)| b.clone())
        .unwrap_or_default();
    let content = path
        .map(|p| w.contents_json(r, commit, &branch, p, true))
        .unwrap_or(Value::Null);
    let verification = json!({"verified": false, "reason": "gpg.error.not_signed_commit", "signature": "", "signer": null, "payload": ""});
    Ok(
        json!({"content": content, "commit": w.file_commit_json(r, commit), "verification": verification}),
    )
}

/// Applies the one operation of a single-file route (create, update, delete) and
/// answers its `FileResponse`, showing the file at `shown` (none after a deletion).
fn apply_single(
    ctx: &Ctx,
    target: (&str, &str),
    body: &Body,
    op: Op,
    shown: Option<&str>,
) -> Result<Value> {
    ctx.with(|w| {
        let (index, sha) = apply(w, ctx, target, body, vec![op])?;
        file_response(w, index, &sha, shown)
    })
}

fn single_op(kind: &str, path: &str, body: &Body) -> Result<Op> {
    let content = match kind {
        "delete" => None,
        _ => Some(decode(&body.required_str("content")?)?),
    };
    let sha = body.str("sha")?.filter(|s| !s.is_empty());
    let from_path = body
        .str("from_path")?
        .filter(|p| !p.is_empty() && p != path);
    let kind = if from_path.is_some() { "rename" } else { kind };
    Ok(Op {
        kind: kind.to_string(),
        path: path.trim_matches('/').to_string(),
        content,
        sha,
        from_path,
    })
}

async fn create_file(
    ctx: Ctx,
    Path((owner, repo, path)): FilePath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let op = single_op("create", &path, &body)?;
    let path = op.path.clone();
    let file = apply_single(&ctx, (&owner, &repo), &body, op, Some(&path))?;
    Ok((StatusCode::CREATED, Json(file)).into_response())
}

async fn update_file(
    ctx: Ctx,
    Path((owner, repo, path)): FilePath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let op = single_op("update", &path, &body)?;
    let path = op.path.clone();
    let file = apply_single(&ctx, (&owner, &repo), &body, op, Some(&path))?;
    Ok(Json(file).into_response())
}

async fn delete_file(
    ctx: Ctx,
    Path((owner, repo, path)): FilePath,
    bytes: Bytes,
) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    body.required_str("sha")
        .map_err(|_| ApiError::unprocessable("[SHA]: Required"))?;
    let op = single_op("delete", &path, &body)?;
    let file = apply_single(&ctx, (&owner, &repo), &body, op, None)?;
    Ok(Json(file).into_response())
}

async fn change_files(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let raw_files = body
        .values("files")?
        .filter(|f| !f.is_empty())
        .ok_or_else(|| ApiError::unprocessable("[Files]: Required"))?;
    let mut ops = Vec::new();
    for file in raw_files {
        let item = Body::parse(&Bytes::from(file.to_string()))?;
        let kind = item.required_str("operation")?;
        let path = item.required_str("path")?;
        let content = match item.str("content")? {
            Some(c) => Some(decode(&c)?),
            None if matches!(kind.as_str(), "create" | "upload") => {
                return Err(ApiError::unprocessable("[Content]: Required"));
            }
            None => None,
        };
        let sha = item.str("sha")?.filter(|s| !s.is_empty());
        let from_path = item.str("from_path")?.filter(|p| !p.is_empty());
        ops.push(Op {
            kind,
            path: path.trim_matches('/').to_string(),
            content,
            sha,
            from_path,
        });
    }
    let paths: Vec<(String, bool)> = ops
        .iter()
        .map(|o| (o.path.clone(), o.kind == "delete"))
        .collect();
    ctx.with(|w| {
        let (index, sha) = apply(w, &ctx, (&owner, &repo), &body, ops)?;
        let r = repo_at(w, index)?;
        let commit = r.commits.get(&sha).ok_or_else(ApiError::not_found)?;
        let branch = r
            .branches
            .iter()
            .find(|(_, s)| **s == sha)
            .map(|(b, _)| b.clone())
            .unwrap_or_default();
        let files: Vec<Value> = paths
            .iter()
            .map(|(p, deleted)| {
                if *deleted {
                    Value::Null
                } else {
                    w.contents_json(r, commit, &branch, p, true)
                }
            })
            .collect();
        let mut out = file_response(w, index, &sha, None)?;
        if let Value::Object(map) = &mut out {
            map.remove("content");
            map.insert("files".into(), Value::Array(files));
        }
        Ok((StatusCode::CREATED, Json(out)).into_response())
    })
}

/// Raw bytes; without `?ref=` the path may start with a branch or tag name, as Gitea allows.
async fn raw(ctx: Ctx, Path((owner, repo, path)): FilePath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let path = path.trim_matches('/');
        let found = match ctx.query.get("ref") {
            Some(reference) => r.resolve(reference).and_then(|c| c.tree.get(path)),
            None => r
                .resolve(&r.default_branch)
                .and_then(|c| c.tree.get(path))
                .or_else(|| {
                    let parts: Vec<&str> = path.split('/').collect();
                    (1..parts.len()).find_map(|n| {
                        let (reference, rest) = (parts[..n].join("/"), parts[n..].join("/"));
                        r.resolve(&reference).and_then(|c| c.tree.get(&rest))
                    })
                }),
        };
        let bytes = found.cloned().ok_or_else(|| object_missing(path))?;
        let kind = if std::str::from_utf8(&bytes).is_ok() {
            "text/plain; charset=utf-8"
        } else {
            "application/octet-stream"
        };
        Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
    })
}
