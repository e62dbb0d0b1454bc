//! Generic resource tools (any apiVersion/kind): list, get, server-side apply, delete, scale.

use http::Method;
use serde_json::Value;

use super::pods::FIELD_MANAGER;
use super::{ListQuery, ToolCtx, ToolOutput, ToolResult, fail, list_rendered};
use crate::args::Args;
use crate::error::KubeError;
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
    async fn locate(self, ctx: &ToolCtx<'_>) -> Result<(ResourceInfo, String), KubeError> {
        let ri = ctx.kube.resolve(&self.api_version, &self.kind).await?;
        Ok((ri, ctx.namespace(self.namespace)))
    }
}

fn target(a: &Args<'_>) -> Result<Target, String> {
    Ok(Target {
        api_version: a.req_str("apiVersion")?,
        kind: a.req_str("kind")?,
        namespace: a.opt_str("namespace")?,
    })
}

pub(super) async fn list(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list resources";
    let t = target(a).map_err(|e| fail(what, e))?;
    let q = ListQuery {
        namespace: t.namespace.as_deref(),
        label_selector: a.opt_str("labelSelector").map_err(|e| fail(what, e))?,
        field_selector: a.opt_str("fieldSelector").map_err(|e| fail(what, e))?,
    };
    let ri = ctx
        .kube
        .resolve(&t.api_version, &t.kind)
        .await
        .map_err(|e| fail(what, e))?;
    let (text, structured) = list_rendered(ctx, &ri, &q)
        .await
        .map_err(|e| fail(what, e))?;
    Ok(ToolOutput {
        text,
        structured: Some(structured),
    })
}

pub(super) async fn get(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get resource";
    let t = target(a).map_err(|e| fail(what, e))?;
    let name = a.req_str("name").map_err(|e| fail(what, e))?;
    let (ri, ns) = t.locate(ctx).await.map_err(|e| fail(what, e))?;
    let mut obj = ctx
        .kube
        .get_json(&ri.object(Some(&ns), &name))
        .await
        .map_err(|e| fail(what, e))?;
    strip_managed_fields(&mut obj);
    Ok(ToolOutput {
        text: yaml(&obj),
        structured: Some(obj),
    })
}

pub(super) async fn delete(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to delete resource";
    let t = target(a).map_err(|e| fail(what, e))?;
    let name = a.req_str("name").map_err(|e| fail(what, e))?;
    let grace = a.opt_int("gracePeriodSeconds").map_err(|e| fail(what, e))?;
    if grace.is_some_and(|g| g < 0) {
        return Err(fail(
            what,
            "gracePeriodSeconds parameter must be a non-negative integer",
        ));
    }
    let (ri, ns) = t.locate(ctx).await.map_err(|e| fail(what, e))?;
    let path = format!(
        "{}{}",
        ri.object(Some(&ns), &name),
        query(&[("gracePeriodSeconds", grace.map(|g| g.to_string()))])
    );
    ctx.kube
        .send(Method::DELETE, &path, "application/json", None)
        .await
        .map_err(|e| fail(what, e))?;
    Ok("Resource deleted successfully".to_string().into())
}

pub(super) async fn scale(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get/update resource scale";
    let t = target(a).map_err(|e| fail(what, e))?;
    let name = a.req_str("name").map_err(|e| fail(what, e))?;
    let replicas = a.opt_int("scale").map_err(|e| fail(what, e))?;
    if replicas.is_some_and(|r| r < 0) {
        return Err(fail(what, "scale parameter must be a non-negative integer"));
    }
    let (ri, ns) = t.locate(ctx).await.map_err(|e| fail(what, e))?;
    let path = format!("{}/scale", ri.object(Some(&ns), &name));
    let mut current = ctx.kube.get_json(&path).await.map_err(|e| fail(what, e))?;
    if let Some(r) = replicas {
        current["spec"]["replicas"] = r.into();
        current = ctx
            .kube
            .send_json(Method::PUT, &path, "application/json", &current)
            .await
            .map_err(|e| fail(what, e))?;
    }
    strip_managed_fields(&mut current);
    Ok(format!(
        "# Current resource scale (YAML) is below\n{}",
        yaml(&current)
    )
    .into())
}

pub(super) async fn create_or_update(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to create or update resources";
    let text = a.req_str("resource").map_err(|e| fail(what, e))?;
    let docs = parse_manifests(&text).map_err(|e| fail(what, e))?;
    if docs.is_empty() {
        return Err(fail(what, "resource parameter contains no object"));
    }
    let applied = apply_all(ctx, docs).await.map_err(|e| fail(what, e))?;
    Ok(applied_text(applied).into())
}

/// Upstream's report of applied objects, shared by `resources_create_or_update` and
/// `pods_run` so both answer alike.
pub(super) fn applied_text(applied: Vec<Value>) -> String {
    format!(
        "# The following resources (YAML) have been created or updated successfully\n{}",
        yaml(&Value::Array(applied))
    )
}

/// Split on `---` lines and decode each document as JSON or YAML; empty documents are skipped.
pub(crate) fn parse_manifests(text: &str) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut chunks = Vec::new();
    for line in text.lines() {
        if line.trim_end() == "---" {
            chunks.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    chunks.push(current);
    for (i, chunk) in chunks.iter().enumerate() {
        let trimmed = chunk.trim();
        if trimmed.is_empty() || trimmed.lines().all(|l| l.trim_start().starts_with('#')) {
            continue;
        }
        let v: Value = if trimmed.starts_with('{') {
            serde_json::from_str(trimmed)
                .map_err(|e| format!("document {}: invalid JSON: {e}", i + 1))?
        } else {
            serde_saphyr::from_str(chunk)
                .map_err(|e| format!("document {}: invalid YAML: {e}", i + 1))?
        };
        match v {
            Value::Object(_) => docs.push(v),
            Value::Null => {}
            _ => {
                return Err(format!(
                    "document {}: expected an object with apiVersion, kind and metadata",
                    i + 1
                ));
            }
        }
    }
    Ok(docs)
}

/// Server-side apply each object (field manager `kubernetes-mcp-server`, force), in order.
pub(crate) async fn apply_all(
    ctx: &ToolCtx<'_>,
    docs: Vec<Value>,
) -> Result<Vec<Value>, KubeError> {
    let mut applied = Vec::new();
    for mut doc in docs {
        if let Some(o) = doc.as_object_mut() {
            o.remove("status");
        }
        let api_version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        let name = doc["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if api_version.is_empty() || kind.is_empty() || name.is_empty() {
            return Err(KubeError::msg(
                "every object needs apiVersion, kind and metadata.name",
            ));
        }
        let ri = ctx.kube.resolve(&api_version, &kind).await?;
        let ns = doc["metadata"]["namespace"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| ctx.cluster.default_namespace().to_string());
        if ri.namespaced {
            doc["metadata"]["namespace"] = ns.clone().into();
        }
        let path = format!(
            "{}{}",
            ri.object(Some(&ns), &name),
            query(&[
                ("fieldManager", Some(FIELD_MANAGER.into())),
                ("force", Some("true".into()))
            ])
        );
        let mut out = ctx
            .kube
            .send_json(Method::PATCH, &path, "application/apply-patch+yaml", &doc)
            .await?;
        strip_managed_fields(&mut out);
        if kind == "CustomResourceDefinition" {
            ctx.kube.reset_discovery();
        }
        applied.push(out);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_split_on_separator_lines() {
        let docs = parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# comment only\n---\n{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\"}}\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["metadata"]["name"], "a");
        assert_eq!(docs[1]["metadata"]["name"], "b");
    }

    #[test]
    fn bad_documents_are_named() {
        let e = parse_manifests("a: b\n---\n- 1\n").unwrap_err();
        assert!(e.starts_with("document 2"), "{e}");
    }
}
