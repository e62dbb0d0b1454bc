//! Repository wiki: `wiki_read` (list pages, get one, its revisions) and `wiki_write`
//! (create, update, delete). Content goes in as plain text (encoded here, as upstream
//! does); a page read keeps Gitea's `content_base64` and adds the decoded `content` when
//! it is UTF-8 text, so a model need not decode base64 itself.

use base64::Engine;
use serde_json::{Value, json};

use super::{RepoRef, ToolContext};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, owner_repo, string_param};
use crate::gitea_client::seg;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "wiki_read",
            "wiki",
            Kind::Read,
            "Read wiki pages",
            "List wiki pages, get one page (pageName) or its revisions.",
        )
        .runs(handler!(wiki_read))
        .params([method(&["list", "get", "get_revisions"])])
        .params(owner_repo())
        .params([string_param("pageName", "page name (get, get_revisions)")])
        .required(&["method", "owner", "repo"]),
        ToolSpec::new(
            "wiki_write",
            "wiki",
            Kind::Destructive,
            "Write wiki pages",
            "Create a page (title, content), update one (pageName; title renames) or delete one.",
        )
        .runs(handler!(wiki_write))
        .params([method(&["create", "update", "delete"])])
        .params(owner_repo())
        .params([
            string_param("pageName", "page name (update, delete)"),
            string_param("title", "page title (create; update renames)"),
            string_param("content", "page content, plain text (not base64)"),
            string_param("message", "commit message"),
        ])
        .required(&["method", "owner", "repo"]),
    ]
}

/// A page as Gitea returns it, plus `content` (decoded) when it is UTF-8 text.
fn page(mut v: Value) -> Value {
    let text = v["content_base64"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if let (Some(o), Some(t)) = (v.as_object_mut(), text) {
        o.insert("content".into(), json!(t));
    }
    v
}

async fn wiki_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["list", "get", "get_revisions"])?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    match m.as_str() {
        "list" => {
            ctx.get(format!("{base}/wiki/pages"))
                .send(&format!("list {full} wiki pages"))
                .await
        }
        "get" => {
            let name = args.str_req("pageName")?;
            let got = ctx
                .get(format!("{base}/wiki/page/{}", seg(&name)))
                .send(&format!("get {full} wiki page {name}"))
                .await?;
            Ok(page(got))
        }
        _ => {
            let name = args.str_req("pageName")?;
            ctx.get(format!("{base}/wiki/revisions/{}", seg(&name)))
                .send(&format!("get {full} wiki revisions of {name}"))
                .await
        }
    }
}

async fn wiki_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["create", "update", "delete"])?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let encode = |t: String| base64::engine::general_purpose::STANDARD.encode(t);
    match m.as_str() {
        "create" => {
            let title = args.str_req("title")?;
            let content = args.str_opt("content")?.unwrap_or_default();
            let message = args
                .str_opt("message")?
                .unwrap_or_else(|| format!("Create wiki page '{title}'"));
            let body =
                json!({"title": title, "content_base64": encode(content), "message": message});
            let got = ctx
                .post(format!("{base}/wiki/new"))
                .json(&body)
                .send(&format!("create {full} wiki page {title}"))
                .await?;
            Ok(page(got))
        }
        "update" => {
            let name = args.str_req("pageName")?;
            let mut body = json!({
                "message": args.str_opt("message")?.unwrap_or_else(|| format!("Update wiki page '{name}'")),
            });
            if let Some(t) = args.str_opt("title")? {
                body["title"] = json!(t);
            }
            if let Some(c) = args.str_opt("content")? {
                body["content_base64"] = json!(encode(c));
            }
            let got = ctx
                .patch(format!("{base}/wiki/page/{}", seg(&name)))
                .json(&body)
                .send(&format!("update {full} wiki page {name}"))
                .await?;
            Ok(page(got))
        }
        _ => {
            let name = args.str_req("pageName")?;
            ctx.delete(format!("{base}/wiki/page/{}", seg(&name)))
                .send(&format!("delete {full} wiki page {name}"))
                .await?;
            Ok(json!("Wiki page deleted"))
        }
    }
}
