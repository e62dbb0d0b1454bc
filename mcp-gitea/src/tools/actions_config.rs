//! Gitea Actions settings: `actions_config_read` lists secrets (names and descriptions
//! only: Gitea never returns a secret's value) and reads variables of a repository or an
//! organization; `actions_config_write` creates, updates and deletes them.

use serde_json::{Value, json};

use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, paging, string_param};
use crate::gitea_client::{repo_path, seg};

const READ_METHODS: &[&str] = &[
    "list_repo_secrets",
    "list_org_secrets",
    "list_repo_variables",
    "get_repo_variable",
    "list_org_variables",
    "get_org_variable",
];
const WRITE_METHODS: &[&str] = &[
    "upsert_repo_secret",
    "delete_repo_secret",
    "upsert_org_secret",
    "delete_org_secret",
    "create_repo_variable",
    "update_repo_variable",
    "delete_repo_variable",
    "create_org_variable",
    "update_org_variable",
    "delete_org_variable",
];

fn target_params() -> [crate::catalog::Param; 4] {
    [
        string_param("owner", "repository owner (repo methods)"),
        string_param("repo", "repository name (repo methods)"),
        string_param("org", "organization (org methods)"),
        string_param("name", "secret or variable name"),
    ]
}

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "actions_config_read",
            "actions",
            Kind::Read,
            "Read Actions secrets and variables",
            "List secrets (names only) or list/get variables of a repository (owner, repo) or an organization (org).",
        )
        .runs(handler!(actions_config_read))
        .params([method(READ_METHODS)])
        .params(target_params())
        .params(paging(30))
        .required(&["method"]),
        ToolSpec::new(
            "actions_config_write",
            "actions",
            Kind::Destructive,
            "Write Actions secrets and variables",
            "Create, update or delete secrets (data = value) and variables (value) of a repository (owner, repo) or an organization (org).",
        )
        .runs(handler!(actions_config_write))
        .params([method(WRITE_METHODS)])
        .params(target_params())
        .params([
            string_param("data", "secret value (upsert_*_secret)"),
            string_param("value", "variable value (create/update_*_variable)"),
            string_param("description", "description"),
        ])
        .required(&["method"]),
    ]
}

/// `(base path, label)` of the repository or organization a method names.
fn target(args: &Args, m: &str) -> Result<(String, String), ToolError> {
    if m.contains("_org_") {
        let org = args.str_req("org")?;
        Ok((format!("/orgs/{}/actions", seg(&org)), org))
    } else {
        let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
        Ok((
            format!("{}/actions", repo_path(&owner, &repo)),
            format!("{owner}/{repo}"),
        ))
    }
}

fn secret(v: &Value) -> Value {
    json!({"name": v["name"], "description": v["description"], "created_at": v["created_at"]})
}

fn variable(v: &Value) -> Value {
    json!({"name": v["name"], "value": v["data"], "description": v["description"]})
}

async fn actions_config_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ_METHODS)?;
    let (base, label) = target(args, &m)?;
    if m.starts_with("get_") {
        let name = args.str_req("name")?;
        let got = ctx
            .get(format!("{base}/variables/{}", seg(&name)))
            .send(&format!("get {label} variable {name}"))
            .await?;
        return Ok(variable(&got));
    }
    let (kind, slim): (&str, fn(&Value) -> Value) = if m.ends_with("_secrets") {
        ("secrets", secret)
    } else {
        ("variables", variable)
    };
    let got = ctx
        .get(format!("{base}/{kind}"))
        .query(page_query(args, 30)?)
        .send(&format!("list {label} {kind}"))
        .await?;
    Ok(crate::slim::list(&got, slim))
}

async fn actions_config_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE_METHODS)?;
    let (base, label) = target(args, &m)?;
    let name = args.str_req("name")?;
    let description = args.str_opt("description")?;
    let verb = m.split('_').next().unwrap_or_default();
    if m.ends_with("_secret") {
        let path = format!("{base}/secrets/{}", seg(&name));
        if verb == "delete" {
            ctx.delete(path)
                .send(&format!("delete {label} secret {name}"))
                .await?;
            return Ok(json!("Secret deleted"));
        }
        let mut body = json!({"data": args.str_req("data")?});
        if let Some(d) = description {
            body["description"] = json!(d);
        }
        ctx.put(path)
            .json(&body)
            .send(&format!("upsert {label} secret {name}"))
            .await?;
        return Ok(json!("Secret saved"));
    }
    let path = format!("{base}/variables/{}", seg(&name));
    match verb {
        "delete" => {
            ctx.delete(path)
                .send(&format!("delete {label} variable {name}"))
                .await?;
            Ok(json!("Variable deleted"))
        }
        _ => {
            let mut body = json!({"value": args.str_req("value")?});
            if let Some(d) = description {
                body["description"] = json!(d);
            }
            let what = format!("{verb} {label} variable {name}");
            let req = if verb == "create" {
                ctx.post(path)
            } else {
                ctx.put(path)
            };
            req.json(&body).send(&what).await?;
            Ok(json!(if verb == "create" {
                "Variable created"
            } else {
                "Variable updated"
            }))
        }
    }
}
