//! Repository and organization label tools.

use serde_json::{Map, Value, json};

use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, bool_param, method, number_param, paging, string_param};
use crate::gitea_client::{repo_path, seg};
use crate::slim;

const READ: &[&str] = &["list_repo_labels", "get_repo_label", "list_org_labels"];
const WRITE: &[&str] = &[
    "create_repo_label",
    "edit_repo_label",
    "delete_repo_label",
    "create_org_label",
    "edit_org_label",
    "delete_org_label",
];

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "label_read",
            "label",
            Kind::Read,
            "Read labels",
            "List or get labels of a repository (owner, repo) or an organization (org).",
        )
        .runs(handler!(label_read))
        .params([
            method(READ),
            string_param("owner", "repository owner"),
            string_param("repo", "repository name"),
            string_param("org", "organization name"),
            number_param("id", "label id (get_repo_label)"),
        ])
        .params(paging(30))
        .required(&["method"]),
        ToolSpec::new(
            "label_write",
            "label",
            Kind::Destructive,
            "Write labels",
            "Create, edit or delete labels of a repository (owner, repo) or an organization (org).",
        )
        .runs(handler!(label_write))
        .params([
            method(WRITE),
            string_param("owner", "repository owner"),
            string_param("repo", "repository name"),
            string_param("org", "organization name"),
            number_param("id", "label id (edit, delete)"),
            string_param("name", "label name (create)"),
            string_param("color", "hex color such as #ff0000 (create)"),
            string_param("description", "label description"),
            bool_param("exclusive", "scoped label: only one of its scope per issue"),
            bool_param("is_archived", "archive the label"),
        ])
        .required(&["method"]),
    ]
}

/// `(base path, display name)` of the label collection the method works on.
fn target(args: &Args, org_method: bool) -> Result<(String, String), ToolError> {
    if org_method {
        let org = args.str_req("org")?;
        Ok((format!("/orgs/{}/labels", seg(&org)), org))
    } else {
        let (o, r) = (args.str_req("owner")?, args.str_req("repo")?);
        Ok((format!("{}/labels", repo_path(&o, &r)), format!("{o}/{r}")))
    }
}

async fn label_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    run(ctx, READ, args).await
}

async fn label_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    run(ctx, WRITE, args).await
}

/// Runs the `method` of `args`, which must be one of `known`.
async fn run(ctx: ToolContext<'_>, known: &[&str], args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, known)?;
    let (base, who) = target(args, m.contains("_org_"))?;
    match m.as_str() {
        "list_repo_labels" | "list_org_labels" => {
            let got = ctx
                .get(base)
                .query(page_query(args, 30)?)
                .send(&format!("list {who} labels"))
                .await?;
            Ok(slim::list(&got, slim::label))
        }
        "get_repo_label" => {
            let id = args.int_req("id")?;
            let got = ctx
                .get(format!("{base}/{id}"))
                .send(&format!("get {who} label {id}"))
                .await?;
            Ok(slim::label(&got))
        }
        "create_repo_label" | "create_org_label" => {
            let mut body = fields(args)?;
            body.insert("name".into(), json!(args.str_req("name")?));
            body.insert("color".into(), json!(args.str_req("color")?));
            let body = Value::Object(body);
            let got = ctx
                .post(base)
                .json(&body)
                .send(&format!("create {who} label"))
                .await?;
            Ok(slim::label(&got))
        }
        "edit_repo_label" | "edit_org_label" => {
            let id = args.int_req("id")?;
            let mut body = fields(args)?;
            for k in ["name", "color"] {
                if let Some(v) = args.str_opt(k)? {
                    body.insert(k.into(), json!(v));
                }
            }
            let body = Value::Object(body);
            let got = ctx
                .patch(format!("{base}/{id}"))
                .json(&body)
                .send(&format!("edit {who} label {id}"))
                .await?;
            Ok(slim::label(&got))
        }
        _ => {
            let id = args.int_req("id")?;
            ctx.delete(format!("{base}/{id}"))
                .send(&format!("delete {who} label {id}"))
                .await?;
            Ok(json!("Label deleted"))
        }
    }
}

fn fields(args: &Args) -> Result<Map<String, Value>, ToolError> {
    let mut body = Map::new();
    if let Some(d) = args.str_opt("description")? {
        body.insert("description".into(), json!(d));
    }
    for k in ["exclusive", "is_archived"] {
        if let Some(v) = args.bool_opt(k)? {
            body.insert(k.into(), json!(v));
        }
    }
    Ok(body)
}
