//! Version, user and user/team search tools.

use serde_json::{Value, json};

use super::{Ctx, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, b, paging, s};
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
        ),
        ToolSpec::new(
            "get_me",
            "user",
            Kind::Read,
            "Current user",
            "The user the token belongs to.",
        )
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
        .params(paging(30)),
        ToolSpec::new(
            "search_users",
            "search",
            Kind::Read,
            "Search users",
            "Find users by name.",
        )
        .params([s("query", "text to search for")])
        .params(paging(30))
        .required(&["query"]),
        ToolSpec::new(
            "search_org_teams",
            "search",
            Kind::Read,
            "Search teams",
            "Find teams of an organization.",
        )
        .params([
            s("org", "organization name"),
            s("query", "text to search for"),
            b("includeDescription", "also match team descriptions"),
        ])
        .params(paging(30))
        .required(&["org", "query"]),
    ]
}

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    match name {
        "get_gitea_mcp_server_version" => Ok(json!(format!(
            "Gitea MCP Server version: {}",
            env!("CARGO_PKG_VERSION")
        ))),
        "get_me" => Ok(slim::user(&ctx.get("get user", "/user", &[]).await?)),
        "get_user_orgs" => {
            let got = ctx
                .get("list my orgs", "/user/orgs", &page_query(args, 30)?)
                .await?;
            Ok(slim::list(&got, slim::org))
        }
        "search_users" => {
            let mut q = page_query(args, 30)?;
            q.push(("q", args.str_req("query")?));
            let got = ctx.get("search users", "/users/search", &q).await?;
            Ok(slim::list(got.get("data").unwrap_or(&got), slim::user))
        }
        _ => {
            let org = args.str_req("org")?;
            let mut q = page_query(args, 30)?;
            q.push(("q", args.str_req("query")?));
            if let Some(d) = args.bool_opt("includeDescription")? {
                q.push(("include_desc", d.to_string()));
            }
            let path = format!("/orgs/{}/teams/search", seg(&org));
            let got = ctx.get("search teams", &path, &q).await?;
            Ok(slim::list(got.get("data").unwrap_or(&got), |t| {
                json!({
                    "id": t.get("id"), "name": t.get("name"),
                    "description": t.get("description"), "permission": t.get("permission")
                })
            }))
        }
    }
}
