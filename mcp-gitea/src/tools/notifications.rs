//! Notifications of the caller: `notification_read` (list, optionally of one repository,
//! with status/subject/time filters; get one thread) and `notification_write` (mark one
//! thread read, or all up to a time, optionally of one repository).

use serde_json::{Value, json};

use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, paging, string_param};
use crate::gitea_client::repo_path;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "notification_read",
            "notification",
            Kind::Read,
            "Read notifications",
            "List your notification threads (owner+repo limits to one repository) or get one (id).",
        )
        .runs(handler!(notification_read))
        .params([method(&["list", "get"])])
        .params([
            string_param("owner", "repository owner (list in one repository)"),
            string_param("repo", "repository name (list in one repository)"),
            number_param("id", "thread id (get)"),
            string_param("status", "unread, read or pinned").one_of(&["unread", "read", "pinned"]),
            string_param("subject_type", "Issue, Pull, Commit or Repository").one_of(&[
                "Issue",
                "Pull",
                "Commit",
                "Repository",
            ]),
            string_param("since", "only updated after (ISO 8601)"),
            string_param("before", "only updated before (ISO 8601)"),
        ])
        .params(paging(30))
        .required(&["method"]),
        ToolSpec::new(
            "notification_write",
            "notification",
            Kind::Write,
            "Mark notifications read",
            "Mark one thread read (id), or all (owner+repo: of one repository) up to last_read_at.",
        )
        .runs(handler!(notification_write))
        .params([method(&["mark_read", "mark_all_read"])])
        .params([
            number_param("id", "thread id (mark_read)"),
            string_param(
                "owner",
                "repository owner (mark_all_read in one repository)",
            ),
            string_param("repo", "repository name (mark_all_read in one repository)"),
            string_param(
                "last_read_at",
                "mark threads up to this time (ISO 8601, default now)",
            ),
        ])
        .required(&["method"]),
    ]
}

fn thread(v: &Value) -> Value {
    json!({
        "id": v["id"],
        "unread": v["unread"],
        "pinned": v["pinned"],
        "updated_at": v["updated_at"],
        "subject": {
            "title": v["subject"]["title"],
            "type": v["subject"]["type"],
            "state": v["subject"]["state"],
            "html_url": v["subject"]["html_url"],
        },
        "repository": v["repository"]["full_name"],
    })
}

/// `/repos/{owner}/{repo}/notifications` when both are given, `/notifications` when
/// neither is, an error when only one is.
fn base(args: &Args) -> Result<String, ToolError> {
    match (args.str_opt("owner")?, args.str_opt("repo")?) {
        (Some(o), Some(r)) => Ok(format!("{}/notifications", repo_path(&o, &r))),
        (None, None) => Ok("/notifications".into()),
        (Some(_), None) => Err(ToolError::Missing("repo".into())),
        (None, Some(_)) => Err(ToolError::Missing("owner".into())),
    }
}

async fn notification_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["list", "get"])?;
    if m == "get" {
        let id = args.int_req("id")?;
        let got = ctx
            .get(format!("/notifications/threads/{id}"))
            .send(&format!("get notification {id}"))
            .await?;
        return Ok(thread(&got));
    }
    let path = base(args)?;
    let mut q = page_query(args, 30)?;
    if let Some(s) = args.str_opt("status")? {
        q.push(("status-types", s));
    }
    if let Some(s) = args.str_opt("subject_type")? {
        q.push(("subject-type", s));
    }
    for (key, name) in [("since", "since"), ("before", "before")] {
        if let Some(t) = args.str_opt(name)? {
            q.push((key, t));
        }
    }
    let got = ctx.get(path).query(q).send("list notifications").await?;
    Ok(crate::slim::list(&got, thread))
}

async fn notification_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["mark_read", "mark_all_read"])?;
    if m == "mark_read" {
        let id = args.int_req("id")?;
        ctx.patch(format!("/notifications/threads/{id}"))
            .query([("to-status", "read".to_string())])
            .send(&format!("mark notification {id} read"))
            .await?;
        return Ok(json!("Notification marked as read"));
    }
    let path = base(args)?;
    let mut q = vec![("to-status", "read".to_string())];
    if let Some(t) = args.str_opt("last_read_at")? {
        q.push(("last_read_at", t));
    }
    let got = ctx
        .put(path)
        .query(q)
        .send("mark notifications read")
        .await?;
    let n = got.as_array().map(Vec::len).unwrap_or(0);
    Ok(json!(format!("{n} notification(s) marked as read")))
}
