//! Packages of a user or organization: `package_read` (list, versions of one package, one
//! version) and `package_write` (delete a version). A name with `/` (container images,
//! scoped npm packages) is encoded as one path segment; an already encoded name is
//! decoded first, so both spellings work.

use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use super::{ToolContext, page_query};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, method, paging, string_param};
use crate::gitea_client::seg;

pub(super) fn specs() -> Vec<ToolSpec> {
    let params = [
        string_param("owner", "package owner (user or organization)"),
        string_param(
            "type",
            "package type: container, npm, maven, pypi, cargo, generic, …",
        ),
        string_param("name", "package name"),
        string_param("version", "package version"),
    ];
    vec![
        ToolSpec::new(
            "package_read",
            "packages",
            Kind::Read,
            "Read packages",
            "List an owner's packages (type and q filter), the versions of one (type, name) or one version.",
        )
        .runs(handler!(package_read))
        .params([method(&["list", "list_versions", "get"])])
        .params(params.clone())
        .params([string_param("q", "name filter (list)")])
        .params(paging(30))
        .required(&["method", "owner"]),
        ToolSpec::new(
            "package_write",
            "packages",
            Kind::Destructive,
            "Delete package versions",
            "Delete one version of a package.",
        )
        .runs(handler!(package_write))
        .params([method(&["delete"])])
        .params(params)
        .required(&["method", "owner", "type", "name", "version"]),
    ]
}

fn package(v: &Value) -> Value {
    json!({
        "id": v["id"],
        "name": v["name"],
        "type": v["type"],
        "version": v["version"],
        "owner": v["owner"]["login"],
        "creator": v["creator"]["login"],
        "html_url": v["html_url"],
        "created_at": v["created_at"],
    })
}

/// A path segment from a name that may already be percent-encoded.
fn name_seg(raw: &str) -> String {
    seg(&percent_decode_str(raw).decode_utf8_lossy())
}

async fn package_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let m = args::method_in(args, &["list", "list_versions", "get"])?;
    let owner = args.str_req("owner")?;
    let base = format!("/packages/{}", seg(&owner));
    if m == "list" {
        let mut q = page_query(args, 30)?;
        for key in ["type", "q"] {
            if let Some(v) = args.str_opt(key)? {
                q.push((key, v));
            }
        }
        let got = ctx
            .get(base)
            .query(q)
            .send(&format!("list {owner} packages"))
            .await?;
        return Ok(crate::slim::list(&got, package));
    }
    let (kind, name) = (args.str_req("type")?, args.str_req("name")?);
    let path = format!("{base}/{}/{}", seg(&kind), name_seg(&name));
    if m == "list_versions" {
        let got = ctx
            .get(path)
            .query(page_query(args, 30)?)
            .send(&format!("list versions of {owner} {kind} package {name}"))
            .await?;
        return Ok(crate::slim::list(&got, package));
    }
    let version = args.str_req("version")?;
    let got = ctx
        .get(format!("{path}/{}", seg(&version)))
        .send(&format!("get {owner} {kind} package {name} {version}"))
        .await?;
    Ok(package(&got))
}

async fn package_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    args::method_in(args, &["delete"])?;
    let owner = args.str_req("owner")?;
    let (kind, name, version) = (
        args.str_req("type")?,
        args.str_req("name")?,
        args.str_req("version")?,
    );
    ctx.delete(format!(
        "/packages/{}/{}/{}/{}",
        seg(&owner),
        seg(&kind),
        name_seg(&name),
        seg(&version)
    ))
    .send(&format!("delete {owner} {kind} package {name} {version}"))
    .await?;
    Ok(json!("Package version deleted"))
}
