//! An in-memory Kubernetes API server, faithful to what kube-rs 5, kubectl and the
//! upstream Go `kubernetes-mcp-server` send (see `shared/reference/kube-testing.md`).
//!
//! One generic object store keyed by group/resource/namespace/name with resource types
//! registered as data (built-ins, OpenShift kinds, lab CRDs, and any CRD created through
//! the API); per-kind code only where Kubernetes has per-kind behaviour (pod logs and
//! status, namespace termination, CRD registration, Table columns).
//!
//! Use it in process ([`KubeEmulator::client`]: a `kube::Client` over the router, no
//! TCP) or on a loopback port ([`KubeEmulator::serve`]: HTTPS with a throwaway CA, or
//! HTTP, plus a kubeconfig file for kubectl and other binaries).

mod auth;
mod call;
pub mod crds;
mod deletion;
mod discovery;
mod error;
mod events;
mod exec;
mod exec_result;
mod fieldcheck;
mod fixtures;
mod handler;
mod kinds;
mod lab;
mod listen;
mod logs;
mod object;
mod observe;
mod openapi;
mod patch;
mod protobuf;
mod registry;
mod respond;
mod scale;
mod selectors;
mod ssa;
mod status;
mod store;
pub mod structural;
mod table;
mod validation;
mod verbs;
mod watch;
mod writes;

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

pub use auth::{Attributes, Identity, Rule};
pub use error::KubeEmuError;
pub use exec_result::ExecResult;
pub use fixtures::{ContainerFixture, ContainerState, PodFixture};
pub use kinds::{LOGS_ANNOTATION, PREVIOUS_LOGS_ANNOTATION};
pub use lab::{LAB_APPS_DOMAIN, LAB_RUN, LabScenario, build_log};
pub use listen::{KubeServeOptions, RunningKube};
pub use observe::{Fault, RecordedRequest};
pub use registry::{Column, ResourceType};
pub use status::ApiError;

use store::{Key, State};
use writes::{UpdateOpts, WriteOpts};

/// Shared state of one emulator instance.
#[derive(Debug)]
pub(crate) struct Inner {
    state: Mutex<State>,
    admin_token: String,
    observer: observe::Observer,
    /// Refuse requests without a bearer token (401) instead of treating them as admin.
    require_tokens: std::sync::atomic::AtomicBool,
}

impl Inner {
    /// Locks the state; a poisoned lock (a panic elsewhere) still yields the data.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A Kubernetes API emulator: a cheap `Clone` handle over one in-memory world.
#[derive(Debug, Clone)]
pub struct KubeEmulator {
    inner: Arc<Inner>,
}

impl Default for KubeEmulator {
    fn default() -> Self {
        Self::new()
    }
}

impl KubeEmulator {
    /// A fresh cluster: built-in, OpenShift, Tekton, Argo CD and ToolHive kinds; namespaces
    /// `default`, `kube-system`, `kube-public`.
    pub fn new() -> Self {
        let mut types = registry::builtin();
        types.extend(registry::lab_crds());
        let inner = Arc::new(Inner {
            state: Mutex::new(State::new(types)),
            admin_token: format!("testbed-admin-{}", uuid::Uuid::new_v4().simple()),
            observer: observe::Observer::default(),
            require_tokens: std::sync::atomic::AtomicBool::new(false),
        });
        let emu = Self { inner };
        {
            let mut st = emu.inner.lock();
            let crd_type = st.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions");
            let lab = registry::lab_crds();
            if let Some(crd_type) = crd_type {
                // One CRD per group and plural; its first listed version is the storage one.
                let mut seen: Vec<(String, String)> = Vec::new();
                for rt in &lab {
                    let id = (rt.group.clone(), rt.plural.clone());
                    if seen.contains(&id) {
                        continue;
                    }
                    let versions: Vec<ResourceType> = lab
                        .iter()
                        .filter(|t| t.group == id.0 && t.plural == id.1)
                        .enumerate()
                        .map(|(i, t)| ResourceType {
                            preferred: i == 0,
                            ..t.clone()
                        })
                        .collect();
                    seen.push(id);
                    if let Some(crd) = registry::crd_object(&versions) {
                        let _ = writes::create(&mut st, &crd_type, "", crd, &admin_opts());
                    }
                }
                // The vendored upstream CRDs of the lab cluster, as an operator creates them.
                for c in crds::all() {
                    match c.install {
                        crds::Install::AtStart => {
                            let created = writes::create(
                                &mut st,
                                &crd_type,
                                "",
                                c.crd.clone(),
                                &admin_opts(),
                            );
                            if let Err(e) = created {
                                tracing::error!(crd = c.name, error = %e, "vendored CRD refused");
                            }
                        }
                        crds::Install::SchemaOnly => st.set_schemas(&c.crd),
                        crds::Install::OnRequest => {}
                    }
                }
            }
        }
        for ns in ["default", "kube-system", "kube-public"] {
            let _ = emu.apply_yaml(&format!(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
            ));
        }
        emu
    }

    /// The API as an axum router (every path goes to one handler).
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .fallback(handler::handle)
            // One span per request (method and path; never headers, so never the token).
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(self.inner.clone())
    }

    /// The bearer token of the built-in cluster admin.
    pub fn admin_token(&self) -> String {
        self.inner.admin_token.clone()
    }

    /// A `kube::Client` talking to the router in process, as cluster admin.
    pub fn client(&self) -> kube::Client {
        self.client_with_token(&self.inner.admin_token)
    }

    /// Makes requests without a bearer token fail with 401, as on a cluster without
    /// anonymous access (by default they act as cluster admin, which plain-HTTP clients
    /// need because client-go sends tokens only over TLS). Proves that a client forwards
    /// the caller's token.
    pub fn require_tokens(&self, on: bool) {
        self.inner
            .require_tokens
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// A `kube::Client` in process that presents `token` (see [`Self::add_identity`]).
    pub fn client_with_token(&self, token: &str) -> kube::Client {
        let value = http::HeaderValue::from_str(&format!("Bearer {token}"))
            .unwrap_or_else(|_| http::HeaderValue::from_static("Bearer invalid"));
        let service = tower::ServiceBuilder::new()
            .map_request(move |mut req: http::Request<kube::client::Body>| {
                req.headers_mut()
                    .insert(http::header::AUTHORIZATION, value.clone());
                req
            })
            .service(self.router());
        kube::Client::new(service, "default")
    }

    /// Serves the API on a loopback port and writes a kubeconfig.
    pub async fn serve(&self, opts: KubeServeOptions) -> std::io::Result<RunningKube> {
        listen::serve(self.router(), self.admin_token(), opts).await
    }

    /// Makes `token` authenticate as `identity` (RBAC rules enforced on every request).
    pub fn add_identity(&self, token: &str, identity: Identity) {
        self.inner
            .lock()
            .identities
            .insert(token.to_string(), identity);
    }

    /// Creates or replaces every document of a (multi-document) YAML or JSON text, as
    /// admin. `.status` is kept as written (fixtures play the kubelet and controllers).
    pub fn apply_yaml(&self, yaml: &str) -> Result<Vec<Value>, KubeEmuError> {
        let docs: Vec<Value> =
            serde_saphyr::from_multiple(yaml).map_err(|e| KubeEmuError::Yaml(e.to_string()))?;
        let mut out = Vec::new();
        for doc in docs.into_iter().filter(|d| !d.is_null()) {
            out.push(self.apply_object(doc)?);
        }
        Ok(out)
    }

    /// Creates or replaces one object, as admin, keeping `.status`.
    pub fn apply_object(&self, mut obj: Value) -> Result<Value, KubeEmuError> {
        let api_version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut st = self.inner.lock();
        let rt = st
            .lookup_kind(&api_version, &kind)
            .ok_or_else(|| KubeEmuError::UnknownKind {
                api_version: api_version.clone(),
                kind: kind.clone(),
            })?;
        let namespace = if rt.namespaced {
            object::meta_str(&obj, "namespace")
                .unwrap_or("default")
                .to_string()
        } else {
            String::new()
        };
        let name = object::meta_str(&obj, "name").unwrap_or("").to_string();
        let key = Key::new(&rt, &namespace, &name);
        let opts = admin_opts();
        if st.objects.contains_key(&key) {
            object::meta_mut(&mut obj).remove("resourceVersion");
            let uopts = UpdateOpts {
                write: opts,
                status_only: false,
                require_rv: false,
            };
            Ok(writes::update(
                &mut st, &rt, &namespace, &name, obj, &uopts,
            )?)
        } else {
            Ok(writes::create(&mut st, &rt, &namespace, obj, &opts)?)
        }
    }

    /// One object as the API would return it, if it exists.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let st = self.inner.lock();
        let rt = st.lookup_kind(api_version, kind)?;
        st.objects
            .get(&Key::new(&rt, namespace.unwrap_or(""), name))
            .map(|o| store::present(&rt, o))
    }

    /// Whether a kind the emulator serves is namespaced (`None`: not served).
    pub fn is_namespaced(&self, api_version: &str, kind: &str) -> Option<bool> {
        let st = self.inner.lock();
        st.lookup_kind(api_version, kind).map(|rt| rt.namespaced)
    }

    /// Every object of a kind (in one namespace, or all), sorted by namespace and name.
    pub fn list(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Value> {
        let st = self.inner.lock();
        let Some(rt) = st.lookup_kind(api_version, kind) else {
            return vec![];
        };
        st.objects
            .iter()
            .filter(|(k, _)| {
                k.group == rt.group
                    && k.plural == rt.plural
                    && namespace.is_none_or(|ns| k.namespace == ns)
            })
            .map(|(_, o)| store::present(&rt, o))
            .collect()
    }

    /// Sets the log text of a container (the current instance, or the previous one).
    pub fn set_logs(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        text: &str,
        previous: bool,
    ) {
        self.inner.lock().logs.insert(
            (namespace.into(), pod.into(), container.into(), previous),
            kinds::log_text(text),
        );
    }

    /// Appends lines to a container's current log (readers with `follow=true` get them).
    pub fn append_logs(&self, namespace: &str, pod: &str, container: &str, text: &str) {
        let mut st = self.inner.lock();
        let key = (
            namespace.to_string(),
            pod.to_string(),
            container.to_string(),
            false,
        );
        let now = jiff::Timestamp::now().as_second();
        for line in text.lines() {
            st.logs
                .entry(key.clone())
                .or_insert_with(|| kinds::log_text(""))
                .lines
                .push((now, line.to_string()));
            let _ = st.log_tx.send(Arc::new(store::LogLine {
                key: key.clone(),
                ts: now,
                text: line.to_string(),
            }));
        }
    }

    /// Installs a vendored upstream CRD by name (`servicemonitors.monitoring.coreos.com`;
    /// see [`crds::all`]), as its operator would: its kinds are served and validated
    /// against its schema from then on.
    pub fn install_crd(&self, name: &str) -> Result<Value, KubeEmuError> {
        let crd = crds::get(name).ok_or_else(|| KubeEmuError::UnknownKind {
            api_version: "apiextensions.k8s.io/v1".into(),
            kind: format!("CustomResourceDefinition {name} (not vendored)"),
        })?;
        self.apply_object(crd.crd.clone())
    }

    /// Registers extra resource types (as if their CRDs had been created).
    pub fn register(&self, types: Vec<ResourceType>) {
        self.inner.lock().register(types);
    }

    /// Every request served so far, oldest first (the token itself is never recorded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.observer.requests()
    }

    /// Injects a fault: matching requests fail with its status until it is used up.
    pub fn add_fault(&self, fault: Fault) {
        self.inner.observer.add_fault(fault);
    }

    /// Scripts what `command` prints when exec'd in `pod` (any container); without a
    /// script `echo`, `true`, `false` and `hostname` behave as usual and anything else is
    /// "executable file not found".
    pub fn set_exec(&self, namespace: &str, pod: &str, command: &[&str], result: ExecResult) {
        self.inner
            .lock()
            .exec
            .insert((namespace.into(), pod.into(), command.join(" ")), result);
    }

    /// Simulates the controller owning `finalizer` (e.g. Argo CD's
    /// `resources-finalizer.argocd.argoproj.io`): it is removed as soon as an object
    /// carrying it is deleted, so the object goes at once instead of staying Terminating.
    pub fn simulate_finalizer(&self, finalizer: &str) {
        self.inner
            .lock()
            .simulated_finalizers
            .push(finalizer.to_string());
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.inner.lock().rv
    }
}

fn admin_opts() -> WriteOpts {
    WriteOpts {
        dry_run: false,
        manager: Some("testbed".into()),
        keep_status: true,
        apply: false,
        fields: fieldcheck::FieldValidation::Fixture,
        warnings: fieldcheck::Warnings::default(),
    }
}
