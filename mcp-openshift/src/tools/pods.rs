//! Pod tools: list, get, delete, exec, run, top.

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};

use super::cluster_info::{metrics_items, require_metrics_api};
use super::{ListQuery, ToolCtx, ToolOutput, ToolResult, fail, list_rendered};
use crate::args::Args;
use crate::kube_api::{ResourceInfo, enc, query};
use crate::output::{strip_managed_fields, yaml};

/// Field manager for everything this server applies.
pub(crate) const FIELD_MANAGER: &str = "kubernetes-mcp-server";
const EXEC_TIMEOUT: Duration = Duration::from_secs(60);

/// A built-in kind that needs no discovery.
pub(crate) fn core_kind(kind: &str, plural: &str, namespaced: bool) -> ResourceInfo {
    ResourceInfo {
        group: String::new(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        namespaced,
    }
}

pub(crate) fn pods() -> ResourceInfo {
    core_kind("Pod", "pods", true)
}

pub(super) async fn list_all(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to list pods in all namespaces";
    let q = ListQuery {
        namespace: None,
        label_selector: a.opt_str("labelSelector").map_err(|e| fail(what, e))?,
        field_selector: a.opt_str("fieldSelector").map_err(|e| fail(what, e))?,
    };
    match list_rendered(ctx, &pods(), &q).await {
        Ok((text, _)) => Ok(text.into()),
        Err(e) if e.code == Some(403) => {
            // Upstream silently narrows to the default namespace; we do the same but say so.
            let ns = ctx.cluster.default_namespace().to_string();
            let q = ListQuery {
                namespace: Some(&ns),
                ..q
            };
            let (text, _) = list_rendered(ctx, &pods(), &q)
                .await
                .map_err(|e| fail(&format!("failed to list pods in namespace {ns}"), e))?;
            Ok(format!("# Listing pods in all namespaces is not allowed for this identity; showing namespace {ns} only\n{text}").into())
        }
        Err(e) => Err(fail(what, e)),
    }
}

pub(super) async fn list_in_namespace(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let ns = a
        .req_str("namespace")
        .map_err(|e| fail("failed to list pods in namespace", e))?;
    let what = format!("failed to list pods in namespace {ns}");
    let q = ListQuery {
        namespace: Some(&ns),
        label_selector: a.opt_str("labelSelector").map_err(|e| fail(&what, e))?,
        field_selector: a.opt_str("fieldSelector").map_err(|e| fail(&what, e))?,
    };
    let (text, _) = list_rendered(ctx, &pods(), &q)
        .await
        .map_err(|e| fail(&what, e))?;
    Ok(text.into())
}

pub(super) async fn get(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .map_err(|e| fail("failed to get pod", e))?;
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .map_err(|e| fail("failed to get pod", e))?,
    );
    let mut pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .map_err(|e| fail(&format!("failed to get pod {name} in namespace {ns}"), e))?;
    strip_managed_fields(&mut pod);
    Ok(yaml(&pod).into())
}

pub(super) async fn delete(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .map_err(|e| fail("failed to delete pod", e))?;
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .map_err(|e| fail("failed to delete pod", e))?,
    );
    let what = format!("failed to delete pod {name} in namespace {ns}");
    let pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .map_err(|e| fail(&what, e))?;
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
                .map_err(|e| fail(&what, e))?;
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
                        .map_err(|e| fail(&what, e))?;
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
        .map_err(|e| fail(&what, e))?;
    Ok("Pod deleted successfully".to_string().into())
}

/// The container to use when none was named: the only one, else the default-container annotation.
pub(crate) fn choose_container(pod: &Value) -> Result<String, String> {
    let names: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    if let [only] = names.as_slice() {
        return Ok(only.to_string());
    }
    if let Some(d) =
        pod["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"].as_str()
        && names.contains(&d)
    {
        return Ok(d.to_string());
    }
    if names.is_empty() {
        return Err("the pod has no containers".into());
    }
    Err(format!(
        "the pod has {} containers and none was named; choose one with the container parameter: {}",
        names.len(),
        names.join(", ")
    ))
}

pub(super) async fn exec(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let name = a
        .req_str("name")
        .map_err(|e| fail("failed to exec in pod", e))?;
    let command = a
        .req_str_array("command")
        .map_err(|e| fail("failed to exec in pod", e))?;
    if command.is_empty() {
        return Err("failed to exec in pod: command parameter must not be empty".into());
    }
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .map_err(|e| fail("failed to exec in pod", e))?,
    );
    let what = format!("failed to exec in pod {name} in namespace {ns}");
    let pod = ctx
        .kube
        .get_json(&pods().object(Some(&ns), &name))
        .await
        .map_err(|e| fail(&what, e))?;
    if let Some(phase @ ("Succeeded" | "Failed")) = pod["status"]["phase"].as_str() {
        return Err(fail(
            &what,
            format!("cannot exec into a container in a completed pod; current phase is {phase}"),
        ));
    }
    let container = match a.opt_str("container").map_err(|e| fail(&what, e))? {
        Some(c) => c,
        None => choose_container(&pod).map_err(|e| fail(&what, e))?,
    };
    match tokio::time::timeout(EXEC_TIMEOUT, run_exec(ctx, &ns, &name, &container, command)).await {
        Ok(r) => r.map(ToolOutput::from).map_err(|e| fail(&what, e)),
        Err(_) => Err(fail(
            &what,
            format!("command did not finish within {}s", EXEC_TIMEOUT.as_secs()),
        )),
    }
}

async fn run_exec(
    ctx: &ToolCtx<'_>,
    ns: &str,
    name: &str,
    container: &str,
    command: Vec<String>,
) -> Result<String, String> {
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
        .map_err(|e| crate::error::KubeError::from(e).to_string())?;
    // Both streams at once: reading one to the end first could stall on a full other one.
    // Each keeps at most `cap` bytes; the rest is read (so the command can finish) and
    // dropped, and the result says how much.
    let cap = ctx.limits.exec_output_bytes;
    let (stdout, stderr) = (attached.stdout(), attached.stderr());
    let (out, err) = tokio::try_join!(
        super::capped_read::read_capped(stdout, cap),
        super::capped_read::read_capped(stderr, cap)
    )?;
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
        Some(s) if s.status.as_deref() == Some("Failure") => Err(exec_failure(&s, &body)),
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

pub(super) async fn run(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let image = a
        .req_str("image")
        .map_err(|e| fail("failed to run pod", e))?;
    let ns = ctx.namespace(
        a.opt_str("namespace")
            .map_err(|e| fail("failed to run pod", e))?,
    );
    let name = a
        .opt_str("name")
        .map_err(|e| fail("failed to run pod", e))?
        .unwrap_or_else(|| {
            format!(
                "kubernetes-mcp-server-run-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..5]
            )
        });
    let port = a
        .opt_int("port")
        .map_err(|e| fail("failed to run pod", e))?
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
    let applied = super::resources::apply_all(ctx, docs)
        .await
        .map_err(|e| fail(&what, e))?;
    Ok(super::resources::applied_text(applied).into())
}

pub(super) async fn top(ctx: &ToolCtx<'_>, a: &Args<'_>) -> ToolResult {
    let what = "failed to get pods top";
    let all = a
        .opt_bool("all_namespaces")
        .map_err(|e| fail(what, e))?
        .unwrap_or(true);
    let ns_arg = a.opt_str("namespace").map_err(|e| fail(what, e))?;
    let name = a.opt_str("name").map_err(|e| fail(what, e))?;
    let selector = a.opt_str("label_selector").map_err(|e| fail(what, e))?;
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
        .map_err(|e| fail(what, e))?;
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
