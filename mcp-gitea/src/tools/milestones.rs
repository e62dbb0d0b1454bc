//! Milestone tools.

use serde_json::{Map, Value, json};

use super::{Ctx, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, n, owner_repo, paging, s};
use crate::gitea_client::repo_path;
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
        .params([method(&["get", "list"])])
        .params(owner_repo())
        .params([
            n("id", "milestone id (get)"),
            s("state", "open, closed or all").default(json!("all")),
            s("name", "filter by name (list)"),
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
        .params([method(&["create", "update", "edit", "delete"])])
        .params(owner_repo())
        .params([
            n("id", "milestone id (update, delete)"),
            s("title", "title (create)"),
            s("description", "description"),
            s("due_on", "due date (RFC 3339)"),
            s("state", "open or closed (update)").one_of(&["open", "closed"]),
        ])
        .required(&["method", "owner", "repo"]),
    ]
}

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    let m = args::method(args)?;
    let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
    let base = format!("{}/milestones", repo_path(&owner, &repo));
    let full = format!("{owner}/{repo}");
    match (name, m.as_str()) {
        ("milestone_read", "get") => {
            let id = args.int_req("id")?;
            Ok(slim::milestone(
                &ctx.get(
                    &format!("get {full} milestone {id}"),
                    &format!("{base}/{id}"),
                    &[],
                )
                .await?,
            ))
        }
        ("milestone_read", "list") => {
            let mut q = page_query(args, 30)?;
            q.push((
                "state",
                args.str_opt("state")?.unwrap_or_else(|| "all".into()),
            ));
            if let Some(nm) = args.str_opt("name")? {
                q.push(("name", nm));
            }
            let got = ctx
                .get(&format!("list {full} milestones"), &base, &q)
                .await?;
            Ok(slim::list(&got, slim::milestone))
        }
        ("milestone_write", "create") => {
            let mut body = fields(args)?;
            body.insert("title".into(), json!(args.str_req("title")?));
            Ok(slim::milestone(
                &ctx.post(
                    &format!("create {full} milestone"),
                    &base,
                    &Value::Object(body),
                )
                .await?,
            ))
        }
        ("milestone_write", "update" | "edit") => {
            let id = args.int_req("id")?;
            let mut body = fields(args)?;
            if let Some(t) = args.str_opt("title")? {
                body.insert("title".into(), json!(t));
            }
            if let Some(st) = args.str_opt("state")? {
                body.insert("state".into(), json!(st));
            }
            let got = ctx
                .patch(
                    &format!("update {full} milestone {id}"),
                    &format!("{base}/{id}"),
                    &Value::Object(body),
                )
                .await?;
            Ok(slim::milestone(&got))
        }
        ("milestone_write", "delete") => {
            let id = args.int_req("id")?;
            ctx.delete(
                &format!("delete {full} milestone {id}"),
                &format!("{base}/{id}"),
                None,
            )
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
