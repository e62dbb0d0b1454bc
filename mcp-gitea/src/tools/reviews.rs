//! Pull request reviews: `pull_request_review_write` (create, submit, delete, dismiss,
//! reply to and resolve/unresolve review threads) and the code comments that
//! `pull_request_read get_review_comments` returns.

use serde_json::{Map, Value, json};

use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::slim;

/// The methods of `pull_request_review_write`.
pub(super) const REVIEW: &[&str] = &[
    "create",
    "submit",
    "delete",
    "dismiss",
    "reply_comment",
    "resolve_thread",
    "unresolve_thread",
];

/// `get_review_comments` on the pull request at `path`: the comments of `review_id`, or
/// without it those of one page of reviews.
pub(super) async fn code_comments(
    ctx: ToolContext<'_>,
    path: &str,
    what: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    // Without review_id: the code comments of one page of reviews (those that
    // have any), as upstream does.
    let ids = match args.int_opt("review_id")? {
        Some(id) => vec![id],
        None => ctx
            .get(format!("{path}/reviews"))
            .query(page_query(args, 30)?)
            .send(what)
            .await?
            .as_array()
            .map(|reviews| {
                reviews
                    .iter()
                    .filter(|r| r.get("comments_count").and_then(Value::as_i64) > Some(0))
                    .filter_map(|r| r.get("id").and_then(Value::as_i64))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut out = Vec::new();
    for id in ids {
        let got = ctx
            .get(format!("{path}/reviews/{id}/comments"))
            .send(what)
            .await?;
        out.extend(got.as_array().into_iter().flatten().map(review_comment));
    }
    Ok(Value::Array(out))
}

/// A review code comment, slim: `review_id`, `old_position`, user as login, and
/// `resolved_by` (a login) only when its conversation is resolved.
fn review_comment(v: &Value) -> Value {
    let mut out = json!({
        "id": v.get("id"), "review_id": v.get("pull_request_review_id"), "body": v.get("body"),
        "path": v.get("path"), "position": v.get("position"),
        "old_position": v.get("original_position"), "diff_hunk": v.get("diff_hunk"),
        "user": slim::login(v.get("user")), "html_url": v.get("html_url"),
        "created_at": v.get("created_at"), "updated_at": v.get("updated_at"),
    });
    if let Some(resolver) = v.get("resolver").filter(|r| r.is_object()) {
        out["resolved_by"] = slim::login(Some(resolver));
    }
    out
}

pub(super) async fn write(
    ctx: ToolContext<'_>,
    base: &str,
    full: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    let m = args::method_in(args, REVIEW)?;
    if m == "resolve_thread" || m == "unresolve_thread" {
        let id = args.int_req("comment_id")?;
        let verb = m.trim_end_matches("_thread");
        ctx.post(format!("{base}/pulls/comments/{id}/{verb}"))
            .json(&json!({}))
            .send(&format!("{verb} {full} comment {id}"))
            .await?;
        return Ok(json!(format!("Review thread {verb}d")));
    }
    let num = args.int_req("pull_number")?;
    let path = format!("{base}/pulls/{num}");
    let what = format!("{m} review on {full}/pull/{num}");
    match m.as_str() {
        "create" => {
            let mut body = Map::new();
            for (from, to) in [
                ("state", "event"),
                ("body", "body"),
                ("commit_id", "commit_id"),
            ] {
                if let Some(v) = args.str_opt(from)? {
                    body.insert(to.into(), json!(v));
                }
            }
            if let Some(Value::Array(cs)) = args.get("comments") {
                let mapped: Vec<Value> = cs
                    .iter()
                    .map(|c| {
                        json!({"path": c.get("path"), "body": c.get("body"),
                    "old_position": c.get("old_line_num"), "new_position": c.get("new_line_num")})
                    })
                    .collect();
                body.insert("comments".into(), json!(mapped));
            }
            let body = Value::Object(body);
            Ok(slim::review(
                &ctx.post(format!("{path}/reviews"))
                    .json(&body)
                    .send(&what)
                    .await?,
            ))
        }
        "submit" => {
            let id = args.int_req("review_id")?;
            let body = json!({"event": args.str_req("state")?, "body": args.str_opt("body")?.unwrap_or_default()});
            Ok(slim::review(
                &ctx.post(format!("{path}/reviews/{id}"))
                    .json(&body)
                    .send(&what)
                    .await?,
            ))
        }
        "delete" => {
            let id = args.int_req("review_id")?;
            ctx.delete(format!("{path}/reviews/{id}"))
                .send(&what)
                .await?;
            Ok(json!("Review deleted"))
        }
        "dismiss" => {
            let id = args.int_req("review_id")?;
            let body = json!({"message": args.str_opt("message")?.unwrap_or_default()});
            ctx.post(format!("{path}/reviews/{id}/dismissals"))
                .json(&body)
                .send(&what)
                .await?;
            Ok(json!("Review dismissed"))
        }
        _ => {
            let id = args.int_req("comment_id")?;
            let body = json!({"body": args.str_req("body")?});
            replies_supported(ctx).await?;
            ctx.post(format!("{path}/comments/{id}/replies"))
                .json(&body)
                .send(&what)
                .await
        }
    }
}

/// `POST /pulls/{n}/comments/{id}/replies` exists from Gitea 1.27 on (1.26.3's swagger
/// has no such path, and calling it there gives a bare 404). Older servers get a clear
/// error naming the version and the alternatives; an unparsable version is tried anyway.
async fn replies_supported(ctx: ToolContext<'_>) -> Result<(), ToolError> {
    let got = ctx.get("/version").send("get gitea version").await?;
    let version = got
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if replies_available(version) {
        return Ok(());
    }
    Err(ToolError::Other(format!(
        "reply_comment is not supported by this Gitea ({version}): replying to a review comment needs Gitea 1.27 or newer; use method create with comments, or issue_write add_comment"
    )))
}

/// Whether a Gitea `version` string has the replies endpoint (1.27+); a version that
/// does not parse (a dev build) counts as new enough.
fn replies_available(version: &str) -> bool {
    let mut parts = version
        .trim_start_matches('v')
        .split(['.', '-', '+'])
        .map(str::parse::<u64>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= (1, 27),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::replies_available;

    #[test]
    fn replies_need_gitea_1_27() {
        for old in ["1.26.3", "v1.26.0", "1.9.0", "1.26.3+dev-12-gabc"] {
            assert!(!replies_available(old), "{old}");
        }
        for new in ["1.27.0", "1.27.0-rc1", "2.0.0", "v1.30.1", "main", ""] {
            assert!(replies_available(new), "{new}");
        }
    }
}
