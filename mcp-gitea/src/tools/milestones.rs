//! Milestone tools.

use serde_json::{Map, Value, json};

use super::{RepoRef, ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, owner_repo, paging, string_param};
use crate::slim;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "milestone_read",
            "milestone",
            Kind::Read,
            "Read milestones",
            "List milestones or get one by id.",
        )
        .runs(handler!(milestone_read))
        .params([method(&["get", "list"])])
        .params(owner_repo())
        .params([
            number_param("id", "milestone id (get)"),
            string_param("state", "open, closed or all").default(json!("all")),
            string_param("name", "filter by name (list)"),
        ])
        .params(paging(30))
        .required(&["method", "owner", "repo"]),
        ToolSpec::new(
            "milestone_write",
            "milestone",
            Kind::Destructive,
            "Write milestones",
            "Create, update or delete a milestone.",
        )
        .runs(handler!(milestone_write))
        .params([method(&["create", "update", "edit", "delete"])])
        .params(owner_repo())
        .params([
            number_param("id", "milestone id (update, delete)"),
            string_param("title", "title (create)"),
            string_param("description", "description"),
            string_param("due_on", "due date (RFC 3339)"),
            string_param("state", "open or closed (update)").one_of(&["open", "closed"]),
        ])
        .required(&["method", "owner", "repo"]),
    ]
}

/// The method, then the milestones of `owner/repo`: `(method, base path, "owner/repo")`.
fn target(args: &Args) -> Result<(String, String, String), ToolError> {
    let m = args::method(args)?;
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    Ok((m, format!("{base}/milestones"), full))
}

async fn milestone_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let (m, base, full) = target(args)?;
    match m.as_str() {
        "get" => {
            let id = args.int_req("id")?;
            let got = ctx
                .get(format!("{base}/{id}"))
                .send(&format!("get {full} milestone {id}"))
                .await?;
            Ok(slim::milestone(&got))
        }
        "list" => {
            let mut q = page_query(args, 30)?;
            q.push((
                "state",
                args.str_opt("state")?.unwrap_or_else(|| "all".into()),
            ));
            if let Some(nm) = args.str_opt("name")? {
                q.push(("name", nm));
            }
            let got = ctx
                .get(base)
                .query(q)
                .send(&format!("list {full} milestones"))
                .await?;
            Ok(slim::list(&got, slim::milestone))
        }
        _ => Err(ToolError::UnknownMethod(m)),
    }
}

async fn milestone_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let (m, base, full) = target(args)?;
    match m.as_str() {
        "create" => {
            let mut body = fields(args)?;
            body.insert("title".into(), json!(args.str_req("title")?));
            let body = Value::Object(body);
            let got = ctx
                .post(base)
                .json(&body)
                .send(&format!("create {full} milestone"))
                .await?;
            Ok(slim::milestone(&got))
        }
        "update" | "edit" => {
            let id = args.int_req("id")?;
            let mut body = fields(args)?;
            if let Some(t) = args.str_opt("title")? {
                body.insert("title".into(), json!(t));
            }
            if let Some(st) = args.str_opt("state")? {
                body.insert("state".into(), json!(st));
            }
            let body = Value::Object(body);
            let got = ctx
                .patch(format!("{base}/{id}"))
                .json(&body)
                .send(&format!("update {full} milestone {id}"))
                .await?;
            Ok(slim::milestone(&got))
        }
        "delete" => {
            let id = args.int_req("id")?;
            ctx.delete(format!("{base}/{id}"))
                .send(&format!("delete {full} milestone {id}"))
                .await?;
            Ok(json!("Milestone deleted"))
        }
        _ => Err(ToolError::UnknownMethod(m)),
    }
}

fn fields(args: &Args) -> Result<Map<String, Value>, ToolError> {
    let mut body = Map::new();
    for k in ["description", "due_on"] {
        if let Some(v) = args.str_opt(k)? {
            body.insert(k.into(), json!(v));
        }
    }
    Ok(body)
}
