//! Pod tools: list, get, delete, exec, run, top.

use std::time::Duration;

use http::Method;
use serde_json::json;

use super::apply::{FIELD_MANAGER, applied_text, apply_all};
use super::capped_read::read_capped;
use super::containers::choose_container;
use super::core_kinds::{core_kind, pods};
use super::listing::{ListQuery, list_rendered};
use super::metrics_api::{metrics_items, require_metrics_api};
use super::paging::ListShape;
use super::{ToolContext, ToolOutput, ToolResult};
use crate::args::Args;
use crate::error::{ArgError, Cause, Context, ToolError};
use crate::kube_api::{ResourceInfo, enc, query};
use crate::output::{strip_managed_fields, yaml};

const EXEC_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) async fn list_all(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list pods in all namespaces";
    let q = ListQuery {
        namespace: None,
        label_selector: a.opt_str("labelSelector").context(what)?,
        field_selector: a.opt_str("fieldSelector").context(what)?,
        shape: ListShape::from_args(a).context(what)?,
    };
    match list_rendered(ctx, &pods(), &q).await {
        Ok((text, structured)) => Ok(q.shape.output(text, structured)),
        Err(e) if e.code == Some(403) => {
            // Upstream silently narrows to the default namespace; we do the same but say so.
            let ns = ctx.cluster.default_namespace().to_string();
            let q = ListQuery {
                namespace: Some(&ns),
                ..q
            };
            let (text, structured) = list_rendered(ctx, &pods(), &q)
                .await
                .context(format!("failed to list pods in namespace {ns}"))?;
            Ok(q.shape.output(format!("# Listing pods in all namespaces is not allowed for this identity; showing namespace {ns} only\n{text}"), structured))
        }
        Err(e) => Err(ToolError::failed(what, e)),
    }
}

pub(super) async fn list_in_namespace(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let ns = a
        .req_str("namespace")
        .context("failed to list pods in namespace")?;
    let what = format!("failed to list pods in namespace {ns}");
    let q = ListQuery {
        namespace: Some(&ns),
        label_selector: a.opt_str("labelSelector").context(&what)?,
        field_selector: a.opt_str("fieldSelector").context(&what)?,
        shape: ListShape::from_args(a).context(&what)?,
    };
    let (text, structured) = list_rendered(ctx, &pods(), &q).await.context(&what)?;
    Ok(q.shape.output(text, structured))
}

pub(super) async fn get(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let (name, ns) = ctx.name_and_namespace(a).context("failed to get pod")?;
    let mut pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .context(format!("failed to get pod {name} in namespace {ns}"))?;
    strip_managed_fields(&mut pod);
    Ok(yaml(&pod).into())
}

pub(super) async fn delete(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let (name, ns) = ctx.name_and_namespace(a).context("failed to delete pod")?;
    let what = format!("failed to delete pod {name} in namespace {ns}");
    let pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .context(&what)?;
    let labels = &pod["metadata"]["labels"];
    if labels["app.kubernetes.io/managed-by"] == FIELD_MANAGER
        && let Some(app) = labels["app.kubernetes.io/name"].as_str()
    {
        let selector =
            format!("app.kubernetes.io/managed-by={FIELD_MANAGER},app.kubernetes.io/name={app}");
        let mut kinds = vec![core_kind("Service", "services", true)];
        if ctx.kube.has_group_version("route.openshift.io", "v1").await {
            kinds.push(ResourceInfo {
                group: "route.openshift.io".into(),
                version: "v1".into(),
                kind: "Route".into(),
                plural: "routes".into(),
                namespaced: true,
            });
        }
        for ri in kinds {
            let list = ctx
                .kube
                .get_json(&format!(
                    "{}{}",
                    ri.collection(Some(&ns)),
                    query(&[("labelSelector", Some(selector.clone()))])
                ))
                .await
                .context(&what)?;
            for item in list["items"].as_array().into_iter().flatten() {
                if let Some(n) = item["metadata"]["name"].as_str() {
                    ctx.kube
                        .send(
                            Method::DELETE,
                            &ri.object(Some(&ns), n),
                            "application/json",
                            None,
                        )
                        .await
                        .context(&what)?;
                }
            }
        }
    }
    ctx.kube
        .send(
            Method::DELETE,
            &pods().object(Some(&ns), &name),
            "application/json",
            None,
        )
        .await
        .context(&what)?;
    Ok("Pod deleted successfully".to_string().into())
}

pub(super) async fn exec(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let name = a.req_str("name").context("failed to exec in pod")?;
    let command = a
        .req_str_array("command")
        .context("failed to exec in pod")?;
    if command.is_empty() {
        return Err(ToolError::failed(
            "failed to exec in pod",
            ArgError::invalid("command", "must not be empty"),
        ));
    }
    let ns = ctx.namespace(a.opt_str("namespace").context("failed to exec in pod")?);
    let what = format!("failed to exec in pod {name} in namespace {ns}");
    let pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .context(&what)?;
    if let Some(phase @ ("Succeeded" | "Failed")) = pod["status"]["phase"].as_str() {
        return Err(ToolError::failed(
            what,
            Cause::PodCompleted {
                phase: phase.to_string(),
            },
        ));
    }
    let container = match a.opt_str("container").context(&what)? {
        Some(c) => c,
        None => choose_container(&pod).context(&what)?,
    };
    match tokio::time::timeout(EXEC_TIMEOUT, run_exec(ctx, &ns, &name, &container, command)).await {
        Ok(r) => r.map(ToolOutput::from).context(what),
        Err(_) => Err(ToolError::failed(
            what,
            Cause::Timeout {
                secs: EXEC_TIMEOUT.as_secs(),
            },
        )),
    }
}

async fn run_exec(
    ctx: &ToolContext<'_>,
    ns: &str,
    name: &str,
    container: &str,
    command: Vec<String>,
) -> Result<String, Cause> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, AttachParams};
    let api: Api<Pod> = Api::namespaced(ctx.kube.client().clone(), ns);
    let params = AttachParams::default()
        .container(container)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let mut attached = api
        .exec(name, command, &params)
        .await
        .map_err(crate::error::KubeError::from)?;
    // Both streams at once: reading one to the end first could stall on a full other one.
    // Each keeps at most `cap` bytes; the rest is read (so the command can finish) and
    // dropped, and the result says how much.
    let cap = ctx.limits.exec_output_bytes;
    let (stdout, stderr) = (attached.stdout(), attached.stderr());
    let (out, err) = tokio::try_join!(read_capped(stdout, cap), read_capped(stderr, cap))?;
    let status = match attached.take_status() {
        Some(s) => s.await,
        None => None,
    };
    let _ = attached.join().await;
    let body = match (out.is_empty(), err.is_empty()) {
        (true, true) => format!(
            "The executed command in pod {name} in namespace {ns} has not produced any output"
        ),
        (false, true) => out,
        (true, false) => err,
        (false, false) => format!("{out}\n--- stderr ---\n{err}"),
    };
    match status {
        Some(s) if s.status.as_deref() == Some("Failure") => {
            Err(Cause::Command(exec_failure(&s, &body)))
        }
        _ => Ok(body),
    }
}

/// A failed command as upstream (client-go) words it — `command terminated with exit code N`
/// for a non-zero exit, the Status message otherwise — followed by whatever it printed.
fn exec_failure(s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Status, body: &str) -> String {
    let code = (s.reason.as_deref() == Some("NonZeroExitCode"))
        .then(|| {
            s.details.as_ref()?.causes.as_ref()?.iter().find_map(|c| {
                (c.reason.as_deref() == Some("ExitCode")).then(|| c.message.clone())?
            })
        })
        .flatten();
    let head = match code {
        Some(code) => format!("command terminated with exit code {code}"),
        None => s.message.clone().unwrap_or_else(|| "command failed".into()),
    };
    if body.starts_with("The executed command in pod ") {
        head
    } else {
        format!("{head}\n{body}")
    }
}

pub(super) async fn run(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let image = a.req_str("image").context("failed to run pod")?;
    let ns = ctx.namespace(a.opt_str("namespace").context("failed to run pod")?);
    let name = a
        .opt_str("name")
        .context("failed to run pod")?
        .unwrap_or_else(|| {
            format!(
                "kubernetes-mcp-server-run-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..5]
            )
        });
    let port = a
        .opt_int("port")
        .context("failed to run pod")?
        .filter(|p| *p > 0);
    let what = format!("failed to run pod {name} in namespace {ns}");
    let labels = json!({
        "app.kubernetes.io/name": name, "app.kubernetes.io/component": name,
        "app.kubernetes.io/managed-by": FIELD_MANAGER, "app.kubernetes.io/part-of": "kubernetes-mcp-server-run-sandbox",
    });
    let mut container = json!({"name": name, "image": image, "imagePullPolicy": "Always"});
    if let Some(p) = port {
        container["ports"] = json!([{"containerPort": p}]);
    }
    let mut docs = vec![
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": {"containers": [container]}}),
    ];
    if let Some(p) = port {
        docs.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"selector": {"app.kubernetes.io/name": name}, "ports": [{"name": "http", "port": p, "targetPort": p}]}}));
        if ctx.kube.has_group_version("route.openshift.io", "v1").await {
            docs.push(json!({"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": {"name": name, "namespace": ns, "labels": labels},
                "spec": {"to": {"kind": "Service", "name": name}, "port": {"targetPort": "http"}, "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"}}}));
        }
    }
    let applied = apply_all(ctx, docs).await.context(&what)?;
    Ok(applied_text(applied).into())
}

pub(super) async fn top(ctx: &ToolContext<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get pods top";
    let all = a.opt_bool("all_namespaces").context(what)?.unwrap_or(true);
    let ns_arg = a.opt_str("namespace").context(what)?;
    let name = a.opt_str("name").context(what)?;
    let selector = a.opt_str("label_selector").context(what)?;
    require_metrics_api(ctx, what).await?;
    let ns = if all && name.is_none() {
        None
    } else {
        Some(ctx.namespace(ns_arg))
    };
    let base = match &ns {
        Some(ns) => format!("/apis/metrics.k8s.io/v1beta1/namespaces/{}/pods", enc(ns)),
        None => "/apis/metrics.k8s.io/v1beta1/pods".to_string(),
    };
    let items = metrics_items(ctx, &base, name.as_deref(), selector)
        .await
        .context(what)?;
    let mut table = crate::output::Table {
        headers: ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    for pm in &items {
        for c in pm["containers"].as_array().into_iter().flatten() {
            table.rows.push(vec![
                pm["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .into(),
                pm["metadata"]["name"].as_str().unwrap_or_default().into(),
                c["name"].as_str().unwrap_or_default().into(),
                c["usage"]["cpu"].as_str().unwrap_or_default().into(),
                c["usage"]["memory"].as_str().unwrap_or_default().into(),
            ]);
        }
    }
    Ok(table.render().into())
}
