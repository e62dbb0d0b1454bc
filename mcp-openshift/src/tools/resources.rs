//! Generic resource tools (any apiVersion/kind): list, get, server-side apply, delete, scale.

use http::Method;

use super::apply::{applied_text, apply_all};
use super::listing::{ListQuery, list_rendered};
use super::manifests::parse_manifests;
use super::paging::ListShape;
use super::{ToolContext, ToolOutput, ToolResult};
use crate::args::Args;
use crate::error::{ArgError, Context, KubeError, ToolError};
use crate::kube_api::{ResourceInfo, query};
use crate::output::{strip_managed_fields, yaml};

struct Target {
    api_version: String,
    kind: String,
    namespace: Option<String>,
}

impl Target {
    /// The kind's API resource and the namespace (the default one when none was given): what
    /// the single-object tools (get, delete, scale) address their object with.
    async fn locate(self, ctx: &ToolContext<'_>) -> Result<(ResourceInfo, String), KubeError> {
        let ri = ctx.kube.resolve(&self.api_version, &self.kind).await?;
        Ok((ri, ctx.namespace(self.namespace)))
    }
}

fn target(a: &Args<'_>) -> Result<Target, ArgError> {
    Ok(Target {
        api_version: a.req_str("apiVersion")?,
        kind: a.req_str("kind")?,
        namespace: a.opt_str("namespace")?,
    })
}

pub(super) async fn list(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list resources";
    let t = target(a).context(what)?;
    let q = ListQuery {
        namespace: t.namespace.as_deref(),
        label_selector: a.opt_str("labelSelector").context(what)?,
        field_selector: a.opt_str("fieldSelector").context(what)?,
        shape: ListShape::from_args(a).context(what)?,
    };
    let ri = ctx
        .kube
        .resolve(&t.api_version, &t.kind)
        .await
        .context(what)?;
    let (text, structured) = list_rendered(ctx, &ri, &q).await.context(what)?;
    Ok(ToolOutput {
        text,
        structured: Some(structured),
    })
}

pub(super) async fn get(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get resource";
    let t = target(a).context(what)?;
    let name = a.req_str("name").context(what)?;
    let (ri, ns) = t.locate(ctx).await.context(what)?;
    let mut obj = ctx
        .kube
        .get_json(&ri.object(Some(&ns), &name))
        .await
        .context(what)?;
    strip_managed_fields(&mut obj);
    Ok(ToolOutput {
        text: yaml(&obj),
        structured: Some(obj),
    })
}

pub(super) async fn delete(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to delete resource";
    let t = target(a).context(what)?;
    let name = a.req_str("name").context(what)?;
    let grace = a.opt_int("gracePeriodSeconds").context(what)?;
    if grace.is_some_and(|g| g < 0) {
        return Err(ToolError::failed(
            what,
            ArgError::invalid("gracePeriodSeconds", "must be a non-negative integer"),
        ));
    }
    let (ri, ns) = t.locate(ctx).await.context(what)?;
    let path = format!(
        "{}{}",
        ri.object(Some(&ns), &name),
        query(&[("gracePeriodSeconds", grace.map(|g| g.to_string()))])
    );
    ctx.kube
        .send(Method::DELETE, &path, "application/json", None)
        .await
        .context(what)?;
    Ok("Resource deleted successfully".to_string().into())
}

pub(super) async fn scale(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get/update resource scale";
    let t = target(a).context(what)?;
    let name = a.req_str("name").context(what)?;
    let replicas = a.opt_int("scale").context(what)?;
    if replicas.is_some_and(|r| r < 0) {
        return Err(ToolError::failed(
            what,
            ArgError::invalid("scale", "must be a non-negative integer"),
        ));
    }
    let (ri, ns) = t.locate(ctx).await.context(what)?;
    let path = format!("{}/scale", ri.object(Some(&ns), &name));
    let mut current = ctx.kube.get_json(&path).await.context(what)?;
    if let Some(r) = replicas {
        current["spec"]["replicas"] = r.into();
        current = ctx
            .kube
            .send_json(Method::PUT, &path, "application/json", &current)
            .await
            .context(what)?;
    }
    strip_managed_fields(&mut current);
    Ok(format!(
        "# Current resource scale (YAML) is below\n{}",
        yaml(&current)
    )
    .into())
}

pub(super) async fn create_or_update(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to create or update resources";
    let text = a.req_str("resource").context(what)?;
    let docs = parse_manifests(&text).context(what)?;
    if docs.is_empty() {
        return Err(ToolError::failed(
            what,
            ArgError::invalid("resource", "contains no object"),
        ));
    }
    let applied = apply_all(ctx, docs).await.context(what)?;
    Ok(applied_text(applied).into())
}
