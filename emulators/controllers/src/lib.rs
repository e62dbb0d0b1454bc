//! Stand-ins for the controllers of a real cluster, built on [`KubeEmulator`]'s public
//! API, so that code waiting for readiness (the provisioner) is exercised:
//!
//! - **Argo CD**: an `Application` is checked against its `AppProject` ([`project`]: the
//!   project must exist, source repository, destination, every rendered object's kind and
//!   namespace admitted), rendered (through an optional [`AppRenderer`], e.g.
//!   [`render::gitea_renderer`] from the tenant's repository), its objects applied with the
//!   `app.kubernetes.io/instance` label, then marked `Synced` and `Healthy`. A refused
//!   Application applies nothing and reports, as Argo CD does, an `InvalidSpecError`
//!   (project, source, destination) or a `SyncError` with a failed `operationState`
//!   (a resource's kind or namespace); it is retried when its spec changes or it is
//!   annotated `argocd.argoproj.io/refresh` (which also re-syncs a synced Application, as
//!   after a commit). When an Application with the `resources-finalizer.argocd.argoproj.io`
//!   finalizer is deleted, its objects are deleted first (cascade), then the finalizer is
//!   removed.
//! - **ToolHive**: an `MCPServer` gets `phase: Running` and the proxy `url`.
//! - **Deployments** become available (`availableReplicas`, condition `Available`).
//! - **Gitea operator** ([`gitea_operator`]): each `pfe.rhpds.com/v1 Gitea` gets a fresh
//!   Gitea emulator in process on a loopback port, reported in its status.
//!
//! [`Controllers::start`] runs them in a background task until the handle is dropped;
//! [`reconcile_once`] runs one pass (deterministic tests).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::core::GroupVersionKind;
use kube::discovery::ApiResource;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use kube_emulator::KubeEmulator;

/// Argo CD's cascade finalizer.
pub const ARGO_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// The label Argo CD tracks an Application's objects by.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The annotation that asks Argo CD to compare (and, with auto-sync, sync) again now.
pub const REFRESH_ANNOTATION: &str = "argocd.argoproj.io/refresh";

pub mod gitea_operator;
pub mod project;
pub mod render;

/// Renders an Application's source into objects (e.g. by running `helm template` on a
/// local chart folder). `Ok(vec![])` means "nothing to deploy".
pub type AppRenderer =
    Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Vec<Value>, String>> + Send + Sync>;

/// What the controllers do and how often.
#[derive(Clone)]
pub struct ControllerOptions {
    /// Pause between passes.
    pub interval: Duration,
    /// Renders Applications; without it Applications are only marked synced.
    pub renderer: Option<AppRenderer>,
}

impl Default for ControllerOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_millis(20),
            renderer: None,
        }
    }
}

impl std::fmt::Debug for ControllerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerOptions")
            .field("interval", &self.interval)
            .field("renderer", &self.renderer.is_some())
            .finish()
    }
}

/// What the controllers remember between passes: the objects each Application deployed
/// (by namespace/name of the Application) and the resolved kinds.
#[derive(Default)]
struct Memory {
    /// The simulated Gitea operator's instances (held across awaits: a tokio lock).
    giteas: Arc<tokio::sync::Mutex<gitea_operator::Instances>>,
    deployed: HashMap<String, Vec<Value>>,
    /// Refused Applications and the spec that was refused (retried when it changes).
    refused: HashMap<String, Value>,
    kinds: HashMap<(String, String), ApiResource>,
}

type Deployed = Arc<Mutex<Memory>>;

fn remember(deployed: &Deployed) -> std::sync::MutexGuard<'_, Memory> {
    deployed.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Running controllers; dropping the handle stops them.
#[derive(Debug)]
pub struct Controllers {
    cancel: CancellationToken,
}

impl Drop for Controllers {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl Controllers {
    /// Starts the controllers against `kube` in a background task.
    pub fn start(kube: &KubeEmulator, opts: ControllerOptions) -> Self {
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let kube = kube.clone();
        let deployed = Deployed::default();
        tokio::spawn(async move {
            loop {
                if let Err(e) = pass(&kube, &opts, &deployed).await {
                    tracing::debug!(error = %e, "controller pass failed; retrying");
                }
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(opts.interval) => {}
                }
            }
        });
        Controllers { cancel }
    }
}

/// One pass of every controller.
pub async fn reconcile_once(kube: &KubeEmulator, opts: &ControllerOptions) -> Result<(), String> {
    pass(kube, opts, &Deployed::default()).await
}

async fn pass(
    kube: &KubeEmulator,
    opts: &ControllerOptions,
    deployed: &Deployed,
) -> Result<(), String> {
    argo(kube, opts, deployed).await?;
    let giteas = remember(deployed).giteas.clone();
    gitea_operator::reconcile(kube, &giteas).await?;
    toolhive(kube)?;
    deployments(kube)
}

fn key(obj: &Value) -> String {
    format!(
        "{}/{}",
        obj["metadata"]["namespace"].as_str().unwrap_or(""),
        obj["metadata"]["name"].as_str().unwrap_or("")
    )
}

/// Renders this many Applications at once (Argo CD's repo server is concurrent too).
const RENDER_CONCURRENCY: usize = 8;

async fn argo(
    kube: &KubeEmulator,
    opts: &ControllerOptions,
    deployed: &Deployed,
) -> Result<(), String> {
    let (mut to_sync, mut to_finalize) = (Vec::new(), Vec::new());
    for app in kube.list("argoproj.io/v1alpha1", "Application", None) {
        let refresh = app["metadata"]["annotations"][REFRESH_ANNOTATION].is_string();
        let refused_as_is = remember(deployed).refused.get(&key(&app)) == Some(&app["spec"]);
        if app["metadata"]["deletionTimestamp"].is_string() {
            to_finalize.push(app);
        } else if refresh
            || !(refused_as_is
                || app["status"]["sync"]["status"] == "Synced"
                    && app["status"]["health"]["status"] == "Healthy")
        {
            to_sync.push(app);
        }
    }
    let finalized: Vec<Result<(), String>> = stream::iter(to_finalize)
        .map(|app| async move { finalize(kube, &app, deployed).await })
        .buffer_unordered(RENDER_CONCURRENCY)
        .collect()
        .await;
    finalized.into_iter().collect::<Result<(), String>>()?;
    let rendered: Vec<(Value, Result<Vec<Value>, String>)> = stream::iter(to_sync)
        .map(|app| async move {
            let project = kube.get(
                "argoproj.io/v1alpha1",
                "AppProject",
                app["metadata"]["namespace"].as_str(),
                app["spec"]["project"].as_str().unwrap_or_default(),
            );
            if let Err(why) = project::admit_application(&app, project.as_ref()) {
                return (app, Err(format!("InvalidSpecError: {why}")));
            }
            let objects = match &opts.renderer {
                Some(render) => render(app.clone()).await,
                None => Ok(vec![]),
            };
            (app, objects.map_err(|e| format!("ComparisonError: {e}")))
        })
        .buffer_unordered(RENDER_CONCURRENCY)
        .collect()
        .await;
    for (app, objects) in rendered {
        let checked = objects.and_then(|objects| admit(kube, &app, objects));
        match checked {
            Ok(objects) => sync(kube, &app, objects, deployed)?,
            Err(why) => refuse(kube, &app, &why, deployed)?,
        }
    }
    Ok(())
}

/// Every rendered object (its namespace defaulted to the destination) checked against
/// the project: all admitted, or the first refusal as a `SyncError`, and nothing applied.
fn admit(kube: &KubeEmulator, app: &Value, objects: Vec<Value>) -> Result<Vec<Value>, String> {
    let project = kube
        .get(
            "argoproj.io/v1alpha1",
            "AppProject",
            app["metadata"]["namespace"].as_str(),
            app["spec"]["project"].as_str().unwrap_or_default(),
        )
        .ok_or_else(|| "InvalidSpecError: the project disappeared".to_string())?;
    let mut checked = Vec::new();
    for mut obj in objects {
        let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let namespaced = kube.is_namespaced(&api_version, &kind).ok_or_else(|| {
            format!(
                "SyncError: the server could not find the requested resource {api_version} {kind}"
            )
        })?;
        if namespaced && obj["metadata"]["namespace"].is_null() {
            obj["metadata"]["namespace"] = app["spec"]["destination"]["namespace"].clone();
        }
        if !namespaced && let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        project::admit_resource(&obj, namespaced, &project)
            .map_err(|e| format!("SyncError: {e}"))?;
        checked.push(obj);
    }
    Ok(checked)
}

/// Marks a refused Application: out of sync, the condition Argo CD shows, a failed
/// operation; remembered so it is not retried until its spec changes or a refresh.
fn refuse(kube: &KubeEmulator, app: &Value, why: &str, deployed: &Deployed) -> Result<(), String> {
    let (kind, message) = why.split_once(": ").unwrap_or(("SyncError", why));
    let mut marked = app.clone();
    if let Some(a) = marked["metadata"]["annotations"].as_object_mut() {
        a.remove(REFRESH_ANNOTATION);
    }
    marked["status"] = json!({
        "sync": { "status": "OutOfSync" },
        "health": { "status": app["status"]["health"]["status"].as_str().unwrap_or("Missing") },
        "conditions": [{ "type": kind, "message": message }],
        // The fields Argo CD's CRD requires of an operation state (the emulator checks them).
        "operationState": { "phase": "Failed", "message": message,
            "operation": { "sync": { "revision": app["spec"]["source"]["targetRevision"].as_str().unwrap_or("HEAD") } },
            "startedAt": app["metadata"]["creationTimestamp"].as_str().unwrap_or("1970-01-01T00:00:00Z") },
    });
    kube.apply_object(marked).map_err(|e| e.to_string())?;
    remember(deployed)
        .refused
        .insert(key(app), app["spec"].clone());
    tracing::debug!(app = key(app), message, "Argo CD refused the Application");
    Ok(())
}

/// Applies an Application's objects (labelled with its name) and marks it synced.
fn sync(
    kube: &KubeEmulator,
    app: &Value,
    objects: Vec<Value>,
    deployed: &Deployed,
) -> Result<(), String> {
    let name = app["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut applied = Vec::new();
    for mut obj in objects {
        obj["metadata"]["labels"][INSTANCE_LABEL] = json!(name);
        applied.push(kube.apply_object(obj).map_err(|e| e.to_string())?);
    }
    {
        let mut memory = remember(deployed);
        memory.refused.remove(&key(app));
        let all = memory.deployed.entry(key(app)).or_default();
        for obj in applied {
            if !all.iter().any(|o| same_object(o, &obj)) {
                all.push(obj);
            }
        }
    }
    let mut marked = app.clone();
    if let Some(a) = marked["metadata"]["annotations"].as_object_mut() {
        a.remove(REFRESH_ANNOTATION);
    }
    marked["status"] = json!({ "sync": { "status": "Synced" }, "health": { "status": "Healthy" } });
    kube.apply_object(marked).map_err(|e| e.to_string())?;
    Ok(())
}

fn same_object(a: &Value, b: &Value) -> bool {
    a["apiVersion"] == b["apiVersion"]
        && a["kind"] == b["kind"]
        && a["metadata"]["namespace"] == b["metadata"]["namespace"]
        && a["metadata"]["name"] == b["metadata"]["name"]
}

async fn api_for(
    kube: &KubeEmulator,
    obj: &Value,
    deployed: &Deployed,
) -> Option<Api<DynamicObject>> {
    let api_version = obj["apiVersion"].as_str()?;
    let kind = obj["kind"].as_str()?;
    let cache_key = (api_version.to_string(), kind.to_string());
    let cached = remember(deployed).kinds.get(&cache_key).cloned();
    let ar = match cached {
        Some(ar) => ar,
        None => {
            let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
            let gvk = GroupVersionKind::gvk(group, version, kind);
            let (ar, _) = kube::discovery::pinned_kind(&kube.client(), &gvk)
                .await
                .ok()?;
            remember(deployed).kinds.insert(cache_key, ar.clone());
            ar
        }
    };
    Some(match obj["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(kube.client(), ns, &ar),
        None => Api::all_with(kube.client(), &ar),
    })
}

/// Cascade: delete what the Application deployed (and wait for it), then drop the finalizer.
async fn finalize(kube: &KubeEmulator, app: &Value, deployed: &Deployed) -> Result<(), String> {
    let children = remember(deployed)
        .deployed
        .get(&key(app))
        .cloned()
        .unwrap_or_default();
    let mut remaining = 0;
    for child in &children {
        let current = kube.get(
            child["apiVersion"].as_str().unwrap_or_default(),
            child["kind"].as_str().unwrap_or_default(),
            child["metadata"]["namespace"].as_str(),
            child["metadata"]["name"].as_str().unwrap_or_default(),
        );
        let Some(current) = current else { continue };
        remaining += 1;
        // Already being deleted (its own finalizers run): do not ask again.
        if current["metadata"]["deletionTimestamp"].is_string() {
            continue;
        }
        if let Some(api) = api_for(kube, child, deployed).await {
            let name = child["metadata"]["name"].as_str().unwrap_or_default();
            let _ = api.delete(name, &DeleteParams::default()).await;
        }
    }
    if remaining > 0 {
        return Ok(());
    }
    let Some(api) = api_for(kube, app, deployed).await else {
        return Ok(());
    };
    let finalizers: Vec<Value> = app["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f.as_str() != Some(ARGO_FINALIZER))
        .cloned()
        .collect();
    let patch = json!({ "metadata": { "finalizers": finalizers } });
    let name = app["metadata"]["name"].as_str().unwrap_or_default();
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| e.to_string())?;
    remember(deployed).deployed.remove(&key(app));
    Ok(())
}

/// ToolHive: every MCPServer runs, with the URL the operator would report.
fn toolhive(kube: &KubeEmulator) -> Result<(), String> {
    for server in kube.list("toolhive.stacklok.dev/v1alpha1", "MCPServer", None) {
        if server["status"]["phase"] == "Running"
            || server["metadata"]["deletionTimestamp"].is_string()
        {
            continue;
        }
        let name = server["metadata"]["name"].as_str().unwrap_or_default();
        let ns = server["metadata"]["namespace"].as_str().unwrap_or_default();
        let port = server["spec"]["proxyPort"].as_u64().unwrap_or(8080);
        let path = match server["spec"]["transport"].as_str() {
            Some("sse") => format!("/sse#{name}"),
            _ => "/mcp".to_string(),
        };
        let mut marked = server.clone();
        marked["status"] = json!({ "phase": "Running",
            "url": format!("http://mcp-{name}-proxy.{ns}.svc.cluster.local:{port}{path}") });
        kube.apply_object(marked).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Deployments: every replica available.
fn deployments(kube: &KubeEmulator) -> Result<(), String> {
    for d in kube.list("apps/v1", "Deployment", None) {
        let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
        if d["status"]["availableReplicas"].as_i64() == Some(want)
            || d["metadata"]["deletionTimestamp"].is_string()
        {
            continue;
        }
        let mut marked = d.clone();
        marked["status"] = json!({ "observedGeneration": d["metadata"]["generation"], "replicas": want,
            "readyReplicas": want, "availableReplicas": want, "updatedReplicas": want,
            "conditions": [{ "type": "Available", "status": "True", "reason": "MinimumReplicasAvailable" }] });
        kube.apply_object(marked).map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
