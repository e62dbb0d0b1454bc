//! Version, user and user/team search tools.

use serde_json::{Value, json};

use super::{ToolContext, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, bool_param, paging, string_param};
use crate::gitea_client::seg;
use crate::slim;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "get_gitea_mcp_server_version",
            "version",
            Kind::Read,
            "MCP server version",
            "Version of this MCP server (not of Gitea).",
        )
        .runs(handler!(get_gitea_mcp_server_version)),
        ToolSpec::new(
            "get_me",
            "user",
            Kind::Read,
            "Current user",
            "The user the token belongs to.",
        )
        .runs(handler!(get_me))
        .output(json!({
            "type": "object",
            "properties": {
                "id": {"type": "number"}, "login": {"type": "string"},
                "full_name": {"type": "string"}, "email": {"type": "string"},
                "avatar_url": {"type": "string"}, "html_url": {"type": "string"},
                "is_admin": {"type": "boolean"}
            },
            "required": ["id", "login"]
        })),
        ToolSpec::new(
            "get_user_orgs",
            "user",
            Kind::Read,
            "My organizations",
            "Organizations the current user belongs to.",
        )
        .runs(handler!(get_user_orgs))
        .params(paging(30)),
        ToolSpec::new(
            "search_users",
            "search",
            Kind::Read,
            "Search users",
            "Find users by name.",
        )
        .runs(handler!(search_users))
        .params([string_param("query", "text to search for")])
        .params(paging(30))
        .required(&["query"]),
        ToolSpec::new(
            "search_org_teams",
            "search",
            Kind::Read,
            "Search teams",
            "Find teams of an organization.",
        )
        .runs(handler!(search_org_teams))
        .params([
            string_param("org", "organization name"),
            string_param("query", "text to search for"),
            bool_param("includeDescription", "also match team descriptions"),
        ])
        .params(paging(30))
        .required(&["org", "query"]),
    ]
}

async fn get_gitea_mcp_server_version(
    _ctx: ToolContext<'_>,
    _args: &Args,
) -> Result<Value, ToolError> {
    Ok(json!(format!(
        "Gitea MCP Server version: {}",
        env!("CARGO_PKG_VERSION")
    )))
}

async fn get_me(ctx: ToolContext<'_>, _args: &Args) -> Result<Value, ToolError> {
    Ok(slim::user(&ctx.get("/user").send("get user").await?))
}

async fn get_user_orgs(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let got = ctx
        .get("/user/orgs")
        .query(page_query(args, 30)?)
        .send("list my orgs")
        .await?;
    Ok(slim::list(&got, slim::org))
}

async fn search_users(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let mut q = page_query(args, 30)?;
    q.push(("q", args.str_req("query")?));
    let got = ctx
        .get("/users/search")
        .query(q)
        .send("search users")
        .await?;
    Ok(slim::list(got.get("data").unwrap_or(&got), slim::user))
}

async fn search_org_teams(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let org = args.str_req("org")?;
    let mut q = page_query(args, 30)?;
    q.push(("q", args.str_req("query")?));
    if let Some(d) = args.bool_opt("includeDescription")? {
        q.push(("include_desc", d.to_string()));
    }
    let path = format!("/orgs/{}/teams/search", seg(&org));
    let got = ctx.get(path).query(q).send("search teams").await?;
    Ok(slim::list(got.get("data").unwrap_or(&got), |t| {
        json!({
            "id": t.get("id"), "name": t.get("name"),
            "description": t.get("description"), "permission": t.get("permission")
        })
    }))
}
