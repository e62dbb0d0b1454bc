//! The helm toolset, with Helm's own storage: releases are the `helm.sh/release.v1` Secrets
//! Helm writes (labels `owner=helm`, `name`, `version`, `status`; `data.release` is the
//! release JSON, gzipped and base64-encoded), so `helm list` and these tools see the same
//! releases.
//!
//! `helm_list` and `helm_uninstall` work on the Kubernetes API directly (read the release
//! Secrets; delete the objects of the release's manifest, then its Secrets), with the caller's
//! identity. `helm_install` needs a chart rendered by Helm's template engine, so it runs the
//! pinned `helm` binary named by `helm_binary` in the config file, with the server's own
//! kubeconfig; without `helm_binary` it says so.

use std::collections::BTreeMap;
use std::io::Read;

use base64::Engine;
use http::Method;
use serde_json::{Value, json};

use super::core_kinds::core_kind;
use super::manifests::parse_manifests;
use super::{ToolContext, ToolResult};
use crate::args::Args;
use crate::error::{ArgError, Context, KubeError, ToolError};
use crate::kube_api::query;
use crate::output::yaml;

/// Largest release document accepted after decompression (Helm's own limit on a Secret is
/// 1 MiB compressed).
const MAX_RELEASE_BYTES: u64 = 16 * 1024 * 1024;

/// `v1` Secrets, where Helm keeps its releases.
fn secret_kind() -> crate::kube_api::ResourceInfo {
    core_kind("Secret", "secrets", true)
}

/// The release Secrets of one release, or of all, in `ns` (all namespaces when `None`).
async fn release_secrets(
    ctx: &ToolContext<'_>,
    ns: Option<&str>,
    name: Option<&str>,
) -> Result<Vec<Value>, KubeError> {
    let selector = match name {
        Some(n) => format!("owner=helm,name={n}"),
        None => "owner=helm".to_string(),
    };
    let list = ctx
        .kube
        .get_json(&format!(
            "{}{}",
            secret_kind().collection(ns),
            query(&[("labelSelector", Some(selector))])
        ))
        .await?;
    Ok(list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s["type"] == "helm.sh/release.v1")
        .collect())
}

/// The release JSON inside a release Secret.
pub(crate) fn decode(secret: &Value) -> Result<Value, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let outer = secret["data"]["release"]
        .as_str()
        .ok_or("the Secret has no data.release")?;
    let inner = b64
        .decode(outer)
        .map_err(|e| format!("data.release: {e}"))?;
    let gz = b64
        .decode(inner.trim_ascii())
        .map_err(|e| format!("release encoding: {e}"))?;
    let mut json = Vec::new();
    if gz.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(gz.as_slice())
            .take(MAX_RELEASE_BYTES)
            .read_to_end(&mut json)
            .map_err(|e| format!("release gzip: {e}"))?;
    } else {
        json = gz;
    }
    serde_json::from_slice(&json).map_err(|e| format!("release JSON: {e}"))
}

/// What the tools show of a release.
fn simplify(rel: &Value) -> Value {
    let meta = &rel["chart"]["metadata"];
    json!({
        "name": rel["name"],
        "namespace": rel["namespace"],
        "revision": rel["version"],
        "chart": meta["name"],
        "chartVersion": meta["version"],
        "appVersion": meta["appVersion"],
        "status": rel["info"]["status"],
        "lastDeployed": rel["info"]["last_deployed"],
    })
}

/// The newest revision of each release among `secrets`.
fn latest(secrets: &[Value]) -> Vec<Value> {
    let mut newest: BTreeMap<(String, String), Value> = BTreeMap::new();
    for s in secrets {
        let Ok(rel) = decode(s) else { continue };
        let key = (
            rel["namespace"].as_str().unwrap_or_default().to_string(),
            rel["name"].as_str().unwrap_or_default().to_string(),
        );
        let version = rel["version"].as_i64().unwrap_or(0);
        if newest
            .get(&key)
            .is_none_or(|r| r["version"].as_i64().unwrap_or(0) < version)
        {
            newest.insert(key, rel);
        }
    }
    newest.into_values().collect()
}

pub(super) async fn list(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list helm releases";
    let all = a.opt_bool("all_namespaces").context(what)?.unwrap_or(false);
    let ns_arg = a.opt_str("namespace").context(what)?;
    let ns = (!all).then(|| ctx.namespace(ns_arg));
    let secrets = release_secrets(ctx, ns.as_deref(), None)
        .await
        .context(what)?;
    let releases: Vec<Value> = latest(&secrets)
        .iter()
        .filter(|r| {
            !matches!(
                r["info"]["status"].as_str(),
                Some("superseded" | "uninstalled" | "uninstalling")
            )
        })
        .map(simplify)
        .collect();
    if releases.is_empty() {
        return Ok("No Helm releases found".to_string().into());
    }
    Ok(super::ToolOutput {
        text: yaml(&Value::Array(releases.clone())),
        structured: Some(json!({ "releases": releases })),
    })
}

pub(super) async fn uninstall(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .context("failed to uninstall helm chart")?;
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .context("failed to uninstall helm chart")?,
    );
    let what = format!("failed to uninstall helm chart '{name}'");
    let secrets = release_secrets(ctx, Some(&ns), Some(&name))
        .await
        .context(&what)?;
    let Some(rel) = latest(&secrets).into_iter().next() else {
        return Ok(format!("Release {name} not found").into());
    };
    let docs = parse_manifests(rel["manifest"].as_str().unwrap_or_default()).context(&what)?;
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    // Reverse order: what was created last goes first, as Helm does for most kinds.
    for obj in docs.iter().rev() {
        let (Some(api_version), Some(kind), Some(obj_name)) = (
            obj["apiVersion"].as_str(),
            obj["kind"].as_str(),
            obj["metadata"]["name"].as_str(),
        ) else {
            continue;
        };
        if obj["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep" {
            kept.push(format!("{kind}/{obj_name}"));
            continue;
        }
        let ri = ctx.kube.resolve(api_version, kind).await.context(&what)?;
        let obj_ns = obj["metadata"]["namespace"].as_str().unwrap_or(&ns);
        let path = ri.object(ri.namespaced.then_some(obj_ns), obj_name);
        if delete_if_present(ctx, &path).await.context(&what)? {
            deleted.push(format!("{kind}/{obj_name}"));
        }
    }
    for s in &secrets {
        let Some(sname) = s["metadata"]["name"].as_str() else {
            continue;
        };
        delete_if_present(ctx, &secret_kind().object(Some(&ns), sname))
            .await
            .context(&what)?;
    }
    let mut text = format!(
        "Uninstalled release {name} (revision {}): deleted {}",
        rel["version"],
        if deleted.is_empty() {
            "no objects".to_string()
        } else {
            deleted.join(", ")
        }
    );
    if !kept.is_empty() {
        text.push_str(&format!(
            "; kept (helm.sh/resource-policy: keep) {}",
            kept.join(", ")
        ));
    }
    Ok(text.into())
}

/// Delete the object at `path`; `false` when it was already gone.
async fn delete_if_present(ctx: &ToolContext<'_>, path: &str) -> Result<bool, KubeError> {
    match ctx
        .kube
        .send(Method::DELETE, path, "application/json", None)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if e.code == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Refuse chart references Helm would fetch from places a caller must not choose: plain
/// HTTP, local files (unless an operator allowed that prefix), anything outside
/// `allowed_registries` when the list is set.
pub(crate) fn check_chart(chart: &str, allowed: &[String]) -> Result<(), ArgError> {
    let refuse = |reason: &str| Err(ArgError::invalid("chart", reason));
    if allowed.iter().any(|p| chart.starts_with(p.as_str())) {
        return if chart.contains("..") {
            refuse("must not contain \"..\"")
        } else {
            Ok(())
        };
    }
    if chart.starts_with("http://") {
        return refuse("must not be a plain http:// URL (use https:// or oci://)");
    }
    if chart.starts_with("file://") || chart.starts_with('/') || chart.starts_with('.') {
        return refuse("must not be a local path");
    }
    if !allowed.is_empty() {
        return refuse(&format!(
            "is not under an allowed registry ({})",
            allowed.join(", ")
        ));
    }
    Ok(())
}

pub(super) async fn install(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to install helm chart";
    let chart = a.req_str("chart").context(what)?;
    let name = a.opt_str("name").context(what)?;
    let ns = ctx.namespace(a.opt_str("namespace").context(what)?);
    let values = a.opt_object("values").context(what)?.unwrap_or_default();
    let helm = &ctx.helm;
    let Some(bin) = &helm.binary else {
        return Err(ToolError::failed(
            what,
            KubeError::msg(
                "helm_install runs a pinned helm binary, and none is configured (set helm_binary in the config file)",
            ),
        ));
    };
    check_chart(&chart, &helm.allowed_registries).context(what)?;
    let dir = tempfile_dir()?;
    let values_file = dir.join("values.json");
    std::fs::write(&values_file, Value::Object(values).to_string())
        .map_err(|e| ToolError::failed(what, KubeError::msg(e.to_string())))?;
    let mut cmd = tokio::process::Command::new(bin);
    cmd.arg("install");
    match &name {
        Some(n) => cmd.arg(n),
        None => cmd.arg("--generate-name"),
    };
    cmd.arg(&chart)
        .args(["--namespace", &ns, "--values"])
        .arg(&values_file)
        .args(["--wait", "--timeout", "5m", "--output", "json"])
        .kill_on_drop(true);
    if let Some(kc) = &helm.kubeconfig {
        cmd.arg("--kubeconfig").arg(kc);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(330), cmd.output()).await;
    let _ = std::fs::remove_dir_all(&dir);
    let out = out
        .map_err(|_| ToolError::failed(what, KubeError::msg("helm did not finish in 5 minutes")))?
        .map_err(|e| ToolError::failed(what, KubeError::msg(format!("cannot run helm: {e}"))))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let err: String = err.trim().chars().take(4000).collect();
        return Err(ToolError::failed(what, KubeError::msg(err)));
    }
    let rel: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        ToolError::failed(what, KubeError::msg(format!("unexpected helm output: {e}")))
    })?;
    let released = vec![simplify(&rel)];
    Ok(super::ToolOutput {
        text: yaml(&Value::Array(released.clone())),
        structured: Some(json!({ "releases": released })),
    })
}

/// A private temporary folder for one install's values file.
fn tempfile_dir() -> Result<std::path::PathBuf, ToolError> {
    let dir = std::env::temp_dir().join(format!("mcp-openshift-helm-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).map_err(|e| {
        ToolError::failed(
            "failed to install helm chart",
            KubeError::msg(e.to_string()),
        )
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests;
