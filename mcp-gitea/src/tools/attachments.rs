//! `attachment_read`: the files attached to an issue or an issue comment (list, get one,
//! download one). Where upstream writes large downloads to the MCP server's own disk, this
//! answers inline: the file's bytes (base64, or the text itself for UTF-8 text) up to
//! 5 MiB, and for a larger file its metadata and `browser_download_url` only.

use base64::Engine;
use serde_json::{Value, json};

use super::{RepoRef, ToolContext};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, owner_repo, string_param};
use crate::gitea_client::seg;

/// The largest file returned inline (upstream's default `-max-inline-attachment-bytes`).
const INLINE_CAP: usize = 5 * 1024 * 1024;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "attachment_read",
            "issue",
            Kind::Read,
            "Read issue and comment attachments",
            "List, get or download the attachments of an issue (issue_number) or a comment (comment_id); downloads come back inline.",
        )
        .runs(handler!(attachment_read))
        .params([method(&["list", "get", "download"])])
        .params(owner_repo())
        .params([
            number_param("issue_number", "issue number (exactly one of issue_number, comment_id)"),
            number_param("comment_id", "comment id"),
            number_param("attachment_id", "attachment id (get; download unless attachment_uuid)"),
            string_param("attachment_uuid", "attachment uuid (download)"),
            string_param("output_path", "ignored: downloads are answered inline"),
        ])
        .required(&["method", "owner", "repo"]),
    ]
}

fn attachment(v: &Value) -> Value {
    json!({
        "id": v["id"], "name": v["name"], "uuid": v["uuid"], "size": v["size"],
        "download_count": v["download_count"], "created_at": v["created_at"],
        "browser_download_url": v["browser_download_url"],
    })
}

/// The MIME type of a file name (the kinds a model can use).
fn mime_of(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" | "log" | "md" => "text/plain",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

async fn attachment_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["list", "get", "download"])?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let (assets, on) = match (args.int_opt("issue_number")?, args.int_opt("comment_id")?) {
        (Some(n), None) => (format!("{base}/issues/{n}/assets"), format!("{full}#{n}")),
        (None, Some(c)) => (
            format!("{base}/issues/comments/{c}/assets"),
            format!("{full} comment {c}"),
        ),
        (None, None) => return Err(ToolError::Missing("issue_number or comment_id".into())),
        (Some(_), Some(_)) => {
            return Err(ToolError::invalid(
                "comment_id",
                "cannot be given together with issue_number",
            ));
        }
    };
    match m.as_str() {
        "list" => {
            let got = ctx
                .get(assets)
                .send(&format!("list attachments of {on}"))
                .await?;
            Ok(crate::slim::list(&got, attachment))
        }
        "get" => {
            let id = args.int_req("attachment_id")?;
            let got = ctx
                .get(format!("{assets}/{id}"))
                .send(&format!("get attachment {id} of {on}"))
                .await?;
            Ok(attachment(&got))
        }
        _ => {
            let meta = match (
                args.str_opt("attachment_uuid")?,
                args.int_opt("attachment_id")?,
            ) {
                (_, Some(id)) => {
                    let got = ctx
                        .get(format!("{assets}/{id}"))
                        .send(&format!("get attachment {id} of {on}"))
                        .await?;
                    attachment(&got)
                }
                (Some(uuid), None) => json!({"uuid": uuid, "name": uuid}),
                (None, None) => {
                    return Err(ToolError::Missing(
                        "attachment_id or attachment_uuid".into(),
                    ));
                }
            };
            download(ctx, meta).await
        }
    }
}

async fn download(ctx: ToolContext<'_>, mut meta: Value) -> Result<Value, ToolError> {
    let uuid = meta["uuid"].as_str().unwrap_or_default().to_string();
    if meta["size"].as_u64().is_some_and(|s| s > INLINE_CAP as u64) {
        meta["note"] = json!(format!(
            "larger than {INLINE_CAP} bytes: not returned inline; fetch browser_download_url"
        ));
        return Ok(meta);
    }
    let bytes = ctx
        .get(format!("/attachments/{}", seg(&uuid)))
        .web()
        .send_raw(&format!("download attachment {uuid}"))
        .await?
        .unwrap_or_default();
    if bytes.len() > INLINE_CAP {
        meta["note"] = json!(format!(
            "larger than {INLINE_CAP} bytes: not returned inline; fetch browser_download_url"
        ));
        return Ok(meta);
    }
    let name = meta["name"].as_str().unwrap_or_default().to_string();
    let mime = mime_of(&name);
    meta["size"] = json!(bytes.len());
    meta["mime_type"] = json!(mime);
    match std::str::from_utf8(&bytes) {
        Ok(text) if !mime.starts_with("image/") => {
            meta["encoding"] = json!("utf-8");
            meta["content"] = json!(text);
        }
        _ => {
            meta["encoding"] = json!("base64");
            meta["content"] = json!(base64::engine::general_purpose::STANDARD.encode(&bytes));
        }
    }
    Ok(meta)
}
