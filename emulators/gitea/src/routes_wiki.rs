//! The repository wiki: pages with their history. A page is found by its title or by its
//! web path (the title with spaces as `-`); content travels base64-encoded as
//! `content_base64`, as in Gitea.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use super::Shared;
use super::access::{find_repo, find_repo_writable};
use super::auth::Ctx;
use super::body::Body;
use super::error::{ApiError, Result};
use super::paging::paged;
use super::repo_handler::{ItemPath, RepoPath, repo_at};
use super::state::{World, now, sha_of};
use super::state_extra::{WikiPage, WikiRevision};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/repos/{owner}/{repo}/wiki/pages", get(list_pages))
        .route("/repos/{owner}/{repo}/wiki/new", post(create_page))
        .route(
            "/repos/{owner}/{repo}/wiki/page/{pageName}",
            get(get_page).patch(edit_page).delete(delete_page),
        )
        .route(
            "/repos/{owner}/{repo}/wiki/revisions/{pageName}",
            get(revisions),
        )
}

/// The web path of a title (`My Page` → `My-Page`).
fn web_path(title: &str) -> String {
    title.replace(' ', "-")
}

fn page_pos(w: &World, repo_id: i64, name: &str) -> Result<usize> {
    w.extra
        .wiki
        .iter()
        .position(|p| p.repo_id == repo_id && (p.title == name || web_path(&p.title) == name))
        .ok_or_else(|| ApiError::not_found_err(format!("wiki page does not exist: {name}")))
}

fn commit_json(w: &World, rev: &WikiRevision) -> Value {
    let (name, email) = w
        .user_by_id(rev.author_id)
        .map(|u| (u.login.clone(), u.email.clone()))
        .unwrap_or_default();
    let user = json!({"name": name, "email": email, "date": rev.at.to_string()});
    json!({"sha": rev.sha, "author": user, "commiter": user, "message": rev.message})
}

fn meta_json(w: &World, html_base: &str, page: &WikiPage) -> Value {
    let sub = web_path(&page.title);
    json!({
        "title": page.title,
        "html_url": format!("{html_base}/wiki/{sub}"),
        "sub_url": sub,
        "last_commit": page.revisions.last().map(|r| commit_json(w, r)).unwrap_or(Value::Null),
    })
}

fn page_json(w: &World, html_base: &str, page: &WikiPage) -> Value {
    let mut out = meta_json(w, html_base, page);
    if let Value::Object(map) = &mut out {
        let content = base64::engine::general_purpose::STANDARD.encode(&page.content);
        map.insert("content_base64".into(), json!(content));
        map.insert("commit_count".into(), json!(page.revisions.len()));
        map.insert("sidebar".into(), json!(""));
        map.insert("footer".into(), json!(""));
    }
    out
}

fn decode(body: &Body) -> Result<Option<Vec<u8>>> {
    match body.str("content_base64")? {
        None => Ok(None),
        Some(text) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("illegal base64 data: {e}"))),
    }
}

fn revision(author_id: i64, message: String, content: &[u8]) -> WikiRevision {
    let at = now();
    WikiRevision {
        sha: sha_of(&[message.as_bytes(), content, at.to_string().as_bytes()]),
        message,
        author_id,
        at,
    }
}

async fn list_pages(ctx: Ctx, Path((owner, repo)): RepoPath) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let html = w.repo_html(r);
        let items = w
            .extra
            .wiki
            .iter()
            .filter(|p| p.repo_id == r.id)
            .map(|p| meta_json(w, &html, p))
            .collect();
        Ok(paged(&w.root_url, &ctx.path, &ctx.query, items).into_response())
    })
}

async fn create_page(ctx: Ctx, Path((owner, repo)): RepoPath, bytes: Bytes) -> Result<Response> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let title = body
        .str("title")?
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_request("wiki page title must not be empty"))?;
    let content = decode(&body)?.unwrap_or_default();
    let message = body
        .str("message")?
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("Add {title}"));
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let uid = ctx.require_user()?;
        let (repo_id, html) = {
            let r = repo_at(w, index)?;
            (r.id, w.repo_html(r))
        };
        if page_pos(w, repo_id, &title).is_ok() {
            return Err(ApiError::bad_request(format!(
                "wiki page already exists [title: {title}]"
            )));
        }
        let page = WikiPage {
            repo_id,
            revisions: vec![revision(uid, message, &content)],
            title,
            content,
        };
        let out = page_json(w, &html, &page);
        w.extra.wiki.push(page);
        Ok((StatusCode::CREATED, Json(out)).into_response())
    })
}

async fn get_page(ctx: Ctx, Path((owner, repo, name)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let r = repo_at(w, index)?;
        let pos = page_pos(w, r.id, &name)?;
        let page = w.extra.wiki.get(pos).ok_or_else(ApiError::not_found)?;
        Ok(Json(page_json(w, &w.repo_html(r), page)))
    })
}

async fn edit_page(
    ctx: Ctx,
    Path((owner, repo, name)): ItemPath,
    bytes: Bytes,
) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    let body = Body::parse(&bytes)?;
    let content = decode(&body)?;
    let title = body.str("title")?.filter(|t| !t.trim().is_empty());
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let uid = ctx.require_user()?;
        let (repo_id, html) = {
            let r = repo_at(w, index)?;
            (r.id, w.repo_html(r))
        };
        let pos = page_pos(w, repo_id, &name)?;
        if let Some(t) = &title
            && page_pos(w, repo_id, t).is_ok_and(|other| other != pos)
        {
            return Err(ApiError::bad_request(format!(
                "wiki page already exists [title: {t}]"
            )));
        }
        let page = w.extra.wiki.get_mut(pos).ok_or_else(ApiError::not_found)?;
        let message = body
            .str("message")?
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| format!("Update {}", page.title));
        if let Some(t) = title {
            page.title = t.trim().to_string();
        }
        if let Some(c) = content {
            page.content = c;
        }
        let rev = revision(uid, message, &page.content);
        page.revisions.push(rev);
        let page = page.clone();
        Ok(Json(page_json(w, &html, &page)))
    })
}

async fn delete_page(ctx: Ctx, Path((owner, repo, name)): ItemPath) -> Result<StatusCode> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let index = find_repo_writable(w, &ctx, &owner, &repo)?;
        let repo_id = repo_at(w, index)?.id;
        let pos = page_pos(w, repo_id, &name)?;
        w.extra.wiki.remove(pos);
        Ok(StatusCode::NO_CONTENT)
    })
}

async fn revisions(ctx: Ctx, Path((owner, repo, name)): ItemPath) -> Result<Json<Value>> {
    ctx.scopes(&["repository"])?;
    ctx.with(|w| {
        let (index, _) = find_repo(w, &ctx, &owner, &repo)?;
        let repo_id = repo_at(w, index)?.id;
        let pos = page_pos(w, repo_id, &name)?;
        let page = w.extra.wiki.get(pos).ok_or_else(ApiError::not_found)?;
        let commits: Vec<Value> = page
            .revisions
            .iter()
            .rev()
            .map(|r| commit_json(w, r))
            .collect();
        Ok(Json(json!({"commits": commits, "count": commits.len()})))
    })
}
