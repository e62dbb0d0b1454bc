//! Readiness waits with a deadline: what a cluster's controllers must report before a
//! tenant counts as ready (Argo CD Applications synced and healthy; or, in direct mode,
//! the `MCPServer`s running and the Deployments available), and the wait for a
//! destroyed tenant's Applications and namespaces to be gone. Each wait says what it waits
//! for and how long is left when it starts and every ten seconds while it lasts, and its
//! timeout names each object not there yet and the condition it lacks.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::provisioner::Provisioner;
use crate::retry::poll_intervals;
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

/// How often a wait that is still pending says so.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Polls `check` (which names each object not there yet and the condition it lacks) until
/// it names nothing or the deadline passes, at the intervals of the one backoff policy
/// ([`poll_intervals`]). Says at the start what it waits for and for how long, every
/// [`PROGRESS_EVERY`] what is still pending and how long is left; a timeout names them.
async fn poll<F, Fut>(p: &Provisioner, what: &str, mut check: F) -> Result<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>>>,
{
    let (base, deadline) = p.wait_bounds();
    let mut intervals = poll_intervals(base);
    let start = Instant::now();
    let mut said = start;
    loop {
        let pending = check().await?;
        if pending.is_empty() {
            return Ok(format!("{what} after {} ms", start.elapsed().as_millis()));
        }
        let waited = start.elapsed();
        if waited >= deadline {
            return Err(Error::Timeout {
                what: format!("{what}: {}", pending.join("; ")),
                waited,
            });
        }
        let left = deadline.saturating_sub(waited);
        if said == start || said.elapsed() >= PROGRESS_EVERY {
            let verb = if said == start {
                "waiting"
            } else {
                "still waiting"
            };
            tracing::info!(
                pending = %pending.join("; "),
                left_s = left.as_secs(),
                "{verb} for {what} ({}s left)",
                left.as_secs()
            );
            said = Instant::now();
        }
        let interval = intervals.next().unwrap_or(base * 4);
        tokio::time::sleep(interval.min(left)).await;
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
            Some(app) => {
                let state = |field: &str| {
                    app["status"][field]["status"]
                        .as_str()
                        .unwrap_or("unknown")
                        .to_string()
                };
                return Ok(vec![format!(
                    "Application {ns}/{name} is {}/{} (wants Synced/Healthy)",
                    state("sync"),
                    state("health")
                )]);
            }
            None => {
                return Ok(vec![format!(
                    "Application {ns}/{name} is absent (wants Synced/Healthy)"
                )]);
            }
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
            match server.as_ref().map(|s| &s["status"]["phase"]) {
                Some(phase) if phase == "Running" => {}
                Some(phase) => pending.push(format!(
                    "MCPServer {ns}/{name} is {} (wants phase Running)",
                    phase
                        .as_str()
                        .map_or("without a phase".to_string(), |p| format!("in phase {p}"))
                )),
                None => pending.push(format!(
                    "MCPServer {ns}/{name} is absent (wants phase Running)"
                )),
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
        match d {
            Some(d) if deployment_available(&d) => {}
            Some(d) => pending.push(format!(
                "Deployment {ns}/{name} has {} of {} replicas available (wants Available)",
                d["status"]["availableReplicas"].as_i64().unwrap_or(0),
                d["spec"]["replicas"].as_i64().unwrap_or(1)
            )),
            None => pending.push(format!(
                "Deployment {ns}/{name} is absent (wants Available)"
            )),
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
                return Ok(vec![format!("Application {ns}/{name} still exists")]);
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
            if let Some(found) = p.cluster.get("v1", "Namespace", None, ns).await? {
                let phase = found["status"]["phase"].as_str().unwrap_or("Active");
                return Ok(vec![format!("Namespace {ns} still exists ({phase})")]);
            }
        }
        Ok(Vec::new())
    })
    .await
}
