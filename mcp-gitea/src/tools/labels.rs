//! Repository and organization label tools.

use serde_json::{Map, Value, json};

use super::{Ctx, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, b, method, n, paging, s};
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
        .params([
            method(READ),
            s("owner", "repository owner"),
            s("repo", "repository name"),
            s("org", "organization name"),
            n("id", "label id (get_repo_label)"),
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
        .params([
            method(WRITE),
            s("owner", "repository owner"),
            s("repo", "repository name"),
            s("org", "organization name"),
            n("id", "label id (edit, delete)"),
            s("name", "label name (create)"),
            s("color", "hex color such as #ff0000 (create)"),
            s("description", "label description"),
            b("exclusive", "scoped label: only one of its scope per issue"),
            b("is_archived", "archive the label"),
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

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    let m = args::method(args)?;
    let known = if name == "label_read" { READ } else { WRITE };
    if !known.contains(&m.as_str()) {
        return Err(ToolError::UnknownMethod(m));
    }
    let (base, who) = target(args, m.contains("_org_"))?;
    match m.as_str() {
        "list_repo_labels" | "list_org_labels" => {
            let got = ctx
                .get(&format!("list {who} labels"), &base, &page_query(args, 30)?)
                .await?;
            Ok(slim::list(&got, slim::label))
        }
        "get_repo_label" => {
            let id = args.int_req("id")?;
            Ok(slim::label(
                &ctx.get(
                    &format!("get {who} label {id}"),
                    &format!("{base}/{id}"),
                    &[],
                )
                .await?,
            ))
        }
        "create_repo_label" | "create_org_label" => {
            let mut body = fields(args)?;
            body.insert("name".into(), json!(args.str_req("name")?));
            body.insert("color".into(), json!(args.str_req("color")?));
            let got = ctx
                .post(&format!("create {who} label"), &base, &Value::Object(body))
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
            let got = ctx
                .patch(
                    &format!("edit {who} label {id}"),
                    &format!("{base}/{id}"),
                    &Value::Object(body),
                )
                .await?;
            Ok(slim::label(&got))
        }
        _ => {
            let id = args.int_req("id")?;
            ctx.delete(
                &format!("delete {who} label {id}"),
                &format!("{base}/{id}"),
                None,
            )
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
