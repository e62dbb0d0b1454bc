//! Readiness waits with a deadline: what a cluster's controllers must report before a
//! tenant counts as ready (Argo CD Applications synced and healthy; or, in direct mode,
//! the `MCPServer`s running and the Deployments available), and the wait for a
//! destroyed tenant's Applications and namespaces to be gone.

use std::time::Instant;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::tenant::{Mode, Tenant};

/// Names of the (child) Applications a tenant has in bootstrap mode.
pub fn application_names(t: &Tenant) -> Vec<String> {
    let mut names = Vec::new();
    for app in [
        "agent",
        "mcp-openshift",
        "mcp-gitea",
        "librechat-config",
        "librechat",
    ] {
        names.push(format!("{app}-{}", t.username));
    }
    names
}

/// Whether an Argo CD Application reports Synced and Healthy.
pub fn app_ready(app: &Value) -> bool {
    app["status"]["sync"]["status"] == "Synced" && app["status"]["health"]["status"] == "Healthy"
}

/// Whether a Deployment reports the Available condition (or all replicas available).
pub fn deployment_available(d: &Value) -> bool {
    let cond = d["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Available" && c["status"] == "True");
    let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
    cond || (want > 0 && d["status"]["availableReplicas"].as_i64().unwrap_or(0) >= want)
}

/// Polls `check` (which names what is not ready yet) until it names nothing or the
/// deadline passes.
async fn poll<F, Fut>(p: &Provisioner, what: &str, mut check: F) -> Result<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>>>,
{
    let (base, deadline) = p.wait_bounds();
    // Back off to four times the poll interval: cheap for the API server when hundreds of
    // tenants wait at once, still prompt for one.
    let mut interval = base;
    let start = Instant::now();
    loop {
        let pending = check().await?;
        if pending.is_empty() {
            return Ok(format!("{what} after {} ms", start.elapsed().as_millis()));
        }
        if start.elapsed() >= deadline {
            return Err(Error::Timeout {
                what: format!("{what}: {}", pending.join(", ")),
                waited: start.elapsed(),
            });
        }
        let left = deadline.saturating_sub(start.elapsed());
        tokio::time::sleep(interval.min(left)).await;
        interval = (interval.mul_f64(1.5)).min(base * 4);
    }
}

/// Waits until the tenant's components report ready.
pub async fn ready(p: &Provisioner, t: &Tenant) -> Result<((), String)> {
    let detail = match p.mode {
        Mode::Bootstrap => {
            poll(p, "applications synced and healthy", || apps_pending(p, t)).await?
        }
        Mode::Direct => poll(p, "workloads ready", || workloads_pending(p, t)).await?,
    };
    Ok(((), detail))
}

/// Why Argo CD refuses an Application outright (its project does not admit it), if it
/// does: such an Application never becomes ready, so waiting for it is pointless.
pub fn app_refused(app: &Value) -> Option<String> {
    app["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "InvalidSpecError")
        .map(|c| c["message"].as_str().unwrap_or("invalid spec").to_string())
}

/// The first Application not ready yet. Stopping there keeps polling cheap when many
/// tenants wait at once. An Application its project refuses fails the wait at once.
async fn apps_pending(p: &Provisioner, t: &Tenant) -> Result<Vec<String>> {
    let ns = &p.settings.control_namespace;
    for name in application_names(t) {
        let app = p
            .cluster
            .get("argoproj.io/v1alpha1", "Application", Some(ns), &name)
            .await?;
        if let Some(why) = app.as_ref().and_then(app_refused) {
            return Err(Error::invalid(
                "application",
                format!("Argo CD refuses {name}: {why}"),
            ));
        }
        match app {
            Some(app) if app_ready(&app) => {}
            Some(_) => return Ok(vec![name]),
            None => return Ok(vec![format!("{name} (absent)")]),
        }
    }
    Ok(Vec::new())
}

async fn workloads_pending(p: &Provisioner, t: &Tenant) -> Result<Vec<String>> {
    let mut pending = Vec::new();
    let mut deployments = vec![(t.namespace("agent"), "agent")];
    if p.settings.mcp_mode == "toolhive" {
        for (comp, name) in [("mcp-openshift", "openshift"), ("mcp-gitea", "gitea")] {
            let ns = t.namespace(comp);
            let server = p
                .cluster
                .get(
                    "toolhive.stacklok.dev/v1alpha1",
                    "MCPServer",
                    Some(&ns),
                    name,
                )
                .await?;
            if server.as_ref().map(|s| s["status"]["phase"] == "Running") != Some(true) {
                pending.push(format!("MCPServer {ns}/{name}"));
            }
        }
    } else {
        deployments.push((t.namespace("mcp-openshift"), "openshift"));
        deployments.push((t.namespace("mcp-gitea"), "gitea"));
    }
    for (ns, name) in deployments {
        let d = p
            .cluster
            .get("apps/v1", "Deployment", Some(&ns), name)
            .await?;
        if d.as_ref().map(deployment_available) != Some(true) {
            pending.push(format!("Deployment {ns}/{name}"));
        }
    }
    Ok(pending)
}

/// Waits until none of the tenant's Applications is left (Argo CD's cascade finished).
/// Reads them by name: a label-selected list would scan every tenant's Applications.
pub async fn applications_gone(p: &Provisioner, t: &Tenant) -> Result<String> {
    let ns = p.settings.control_namespace.clone();
    let mut names = application_names(t);
    names.push(t.legacy_bootstrap_app());
    let names = &names;
    poll(p, "applications deleted", || async {
        for name in names {
            let app = p
                .cluster
                .get("argoproj.io/v1alpha1", "Application", Some(&ns), name)
                .await?;
            if app.is_some() {
                return Ok(vec![name.clone()]);
            }
        }
        Ok(Vec::new())
    })
    .await
}

/// Waits until the given namespaces are gone.
pub async fn namespaces_gone(p: &Provisioner, names: &[String]) -> Result<String> {
    poll(p, "namespaces deleted", || async {
        for ns in names {
            if p.cluster.get("v1", "Namespace", None, ns).await?.is_some() {
                return Ok(vec![ns.clone()]);
            }
        }
        Ok(Vec::new())
    })
    .await
}
