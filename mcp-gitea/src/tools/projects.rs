//! Projects (kanban boards) of a repository, an organization or the caller:
//! `project_read` and `project_write`, with upstream's paths. Gitea up to 1.26 (the
//! version this server is tested against) has no projects API, so on such a Gitea every
//! call fails with a 404; the error then says that the endpoint, not the project, is
//! likely what is missing.

use serde_json::{Map, Value, json};

use super::actions_run::missing_endpoint;
use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, number_param, paging, string_param};
use crate::context::ToolRequest;
use crate::gitea_client::{repo_path, seg};

const READ: &[&str] = &["list", "get", "list_columns", "list_column_issues"];
const WRITE: &[&str] = &[
    "create",
    "update",
    "delete",
    "create_column",
    "update_column",
    "delete_column",
    "add_issue",
    "remove_issue",
];
const NOTE: &str =
    "Gitea up to 1.26 has no projects API; a 404 here usually means this Gitea lacks it";

fn where_params() -> [crate::catalog::Param; 5] {
    [
        string_param("owner", "repository owner (with repo)"),
        string_param("repo", "repository name (with owner)"),
        string_param("org", "organization (instead of owner/repo)"),
        number_param("project_id", "project id"),
        number_param("column_id", "column id"),
    ]
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "project_read",
            "project",
            Kind::Read,
            "Read projects",
            "List or get projects of a repository (owner, repo), an organization (org) or yours (neither); their columns and column issues.",
        )
        .runs(handler!(project_read))
        .params([method(READ)])
        .params(where_params())
        .params([string_param("state", "open, closed or all")
            .one_of(&["open", "closed", "all"])
            .default(json!("all"))])
        .params(paging(30))
        .required(&["method"]),
        ToolSpec::new(
            "project_write",
            "project",
            Kind::Destructive,
            "Write projects",
            "Create, update or delete projects and columns; add an issue (issue_id, the issue's id, not its number) to a column or remove it.",
        )
        .runs(handler!(project_write))
        .params([method(WRITE)])
        .params(where_params())
        .params([
            number_param("issue_id", "issue id (not number)"),
            string_param("title", "title"),
            string_param("description", "description"),
            string_param("template_type", "none, basic_kanban or bug_triage")
                .one_of(&["none", "basic_kanban", "bug_triage"]),
            string_param("state", "open or closed").one_of(&["open", "closed"]),
        ])
        .required(&["method"]),
    ]
}

/// The projects collection the arguments name.
fn base(args: &Args) -> Result<String, ToolError> {
    if let Some(org) = args.str_opt("org")? {
        return Ok(format!("/orgs/{}/projects", seg(&org)));
    }
    match (args.str_opt("owner")?, args.str_opt("repo")?) {
        (Some(o), Some(r)) => Ok(format!("{}/projects", repo_path(&o, &r))),
        (None, None) => Ok("/user/projects".into()),
        _ => Err(ToolError::Other(
            "owner and repo must be set together".into(),
        )),
    }
}

fn project(v: &Value) -> Value {
    json!({
        "id": v["id"], "title": v["title"], "description": v["description"], "state": v["state"],
        "num_open_issues": v["num_open_issues"], "num_closed_issues": v["num_closed_issues"],
        "html_url": v["html_url"],
    })
}

fn column(v: &Value) -> Value {
    json!({"id": v["id"], "title": v["title"], "default": v["default"]})
}

fn issue(v: &Value) -> Value {
    json!({"id": v["id"], "number": v["number"], "title": v["title"], "state": v["state"], "html_url": v["html_url"]})
}

async fn send(req: ToolRequest<'_>, what: &str) -> Result<Value, ToolError> {
    req.send(what).await.map_err(|e| missing_endpoint(e, NOTE))
}

async fn project_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ)?;
    let base = base(args)?;
    let q = page_query(args, 30)?;
    match m.as_str() {
        "list" => {
            let mut q = q;
            q.push((
                "state",
                args.str_opt("state")?.unwrap_or_else(|| "all".into()),
            ));
            let got = send(ctx.get(base).query(q), "list projects").await?;
            Ok(crate::slim::list(&got, project))
        }
        "get" => {
            let id = args.int_req("project_id")?;
            let got = send(
                ctx.get(format!("{base}/{id}")),
                &format!("get project {id}"),
            )
            .await?;
            Ok(project(&got))
        }
        "list_columns" => {
            let id = args.int_req("project_id")?;
            let req = ctx.get(format!("{base}/{id}/columns")).query(q);
            let got = send(req, &format!("list columns of project {id}")).await?;
            Ok(crate::slim::list(&got, column))
        }
        _ => {
            let id = args.int_req("project_id")?;
            let col = args.int_req("column_id")?;
            let req = ctx
                .get(format!("{base}/{id}/columns/{col}/issues"))
                .query(q);
            let got = send(req, &format!("list issues of column {col}")).await?;
            Ok(crate::slim::list(&got, issue))
        }
    }
}

fn fields(args: &Args, keys: &[&str]) -> Result<Value, ToolError> {
    let mut body = Map::new();
    for k in keys {
        if let Some(v) = args.str_opt(k)? {
            body.insert((*k).to_string(), json!(v));
        }
    }
    Ok(Value::Object(body))
}

async fn project_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE)?;
    let base = base(args)?;
    let ok = |v: Value| if v.is_null() { json!("ok") } else { v };
    match m.as_str() {
        "create" => {
            args.str_req("title")?;
            let body = fields(args, &["title", "description", "template_type"])?;
            let got = send(ctx.post(base).json(&body), "create project").await?;
            Ok(ok(project(&got)))
        }
        "update" => {
            let id = args.int_req("project_id")?;
            let body = fields(args, &["title", "description", "state"])?;
            let got = send(
                ctx.patch(format!("{base}/{id}")).json(&body),
                &format!("update project {id}"),
            )
            .await?;
            Ok(ok(project(&got)))
        }
        "delete" => {
            let id = args.int_req("project_id")?;
            send(
                ctx.delete(format!("{base}/{id}")),
                &format!("delete project {id}"),
            )
            .await?;
            Ok(json!("ok"))
        }
        "create_column" => {
            let id = args.int_req("project_id")?;
            args.str_req("title")?;
            let body = fields(args, &["title"])?;
            let got = send(
                ctx.post(format!("{base}/{id}/columns")).json(&body),
                &format!("create column in project {id}"),
            )
            .await?;
            Ok(ok(column(&got)))
        }
        "update_column" | "delete_column" => {
            let id = args.int_req("project_id")?;
            let col = args.int_req("column_id")?;
            let path = format!("{base}/{id}/columns/{col}");
            if m == "delete_column" {
                send(ctx.delete(path), &format!("delete column {col}")).await?;
                return Ok(json!("ok"));
            }
            let body = fields(args, &["title"])?;
            let got = send(ctx.patch(path).json(&body), &format!("update column {col}")).await?;
            Ok(ok(column(&got)))
        }
        _ => {
            let id = args.int_req("project_id")?;
            let col = args.int_req("column_id")?;
            let issue_id = args.int_req("issue_id")?;
            let path = format!("{base}/{id}/columns/{col}/issues/{issue_id}");
            let what = format!("{} issue {issue_id} in column {col}", m.replace('_', " "));
            let req = if m == "add_issue" {
                ctx.post(path)
            } else {
                ctx.delete(path)
            };
            send(req, &what).await?;
            Ok(json!("ok"))
        }
    }
}
