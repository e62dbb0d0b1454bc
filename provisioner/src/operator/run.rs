//! Running the operator: the Tenant controller (with the tenant's Applications, MCPServers
//! and Deployments watched and mapped back to their Tenant), only while this replica holds
//! the leader Lease when one is configured, and the metrics endpoint.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::api::{ApiResource, DynamicObject};
use kube::runtime::controller::Controller;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};

use super::children;
use super::crd::Tenant;
use super::leader::{Leadership, LeaseOptions};
use super::limits::{Limits, RateLimit};
use super::metrics::{self, Metrics};
use super::profile::Profiles;
use super::reconcile::{Context, Timing, error_policy, reconcile};
use crate::charts::Helm;
use crate::error::{Error, Result};

/// Everything the operator is configured with (built by the CLI or a test).
#[derive(Debug, Clone)]
pub struct OperatorOptions {
    /// helm and the charts folder.
    pub helm: Helm,
    /// Tenants reconciled at once.
    pub concurrency: u16,
    /// Requeue intervals.
    pub timing: Timing,
    /// Passes per second toward Gitea, LiteLLM, Keycloak (0: unlimited).
    pub rates: [f64; 3],
    /// Burst of each rate.
    pub burst: u32,
    /// Where `/metrics` is served (none: not served).
    pub metrics_listen: Option<String>,
    /// Leader election (none: this replica always runs).
    pub lease: Option<LeaseOptions>,
    /// The control namespace whose Applications are watched.
    pub control_namespace: String,
    /// The name in Events' `reportingController`.
    pub reporter: String,
}

impl OperatorOptions {
    /// Defaults: 16 at once, 2 s poll, 5 s retry, 60 s drift resync, 5 passes/s each.
    pub fn new(helm: Helm) -> Self {
        OperatorOptions {
            helm,
            concurrency: 16,
            timing: Timing {
                poll: Duration::from_secs(2),
                retry: Duration::from_secs(5),
                resync: Duration::from_secs(60),
            },
            rates: [5.0, 5.0, 5.0],
            burst: 10,
            metrics_listen: None,
            lease: None,
            control_namespace: "openshift-gitops".into(),
            reporter: "tenant-operator".into(),
        }
    }
}

/// Runs until `shutdown` completes (or the metrics listener fails).
pub async fn run(
    client: Client,
    opts: OperatorOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let metrics = Arc::new(Metrics::new());
    let server = match &opts.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Listen {
                    addr: addr.clone(),
                    source,
                })?;
            let app = metrics::router(metrics.clone());
            Some(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }))
        }
        None => None,
    };
    let ctx = Arc::new(Context {
        client: client.clone(),
        profiles: Profiles::new(client.clone(), opts.helm.clone()),
        metrics,
        recorder: Recorder::new(
            client.clone(),
            Reporter {
                controller: opts.reporter.clone(),
                instance: opts.lease.as_ref().map(|l| l.identity.clone()),
            },
        ),
        limits: Limits {
            gitea: RateLimit::per_second(opts.rates[0], opts.burst),
            llm: RateLimit::per_second(opts.rates[1], opts.burst),
            keycloak: RateLimit::per_second(opts.rates[2], opts.burst),
        },
        timing: opts.timing,
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let result = match &opts.lease {
        None => {
            let mut stop = stop_rx.clone();
            controller(&client, &opts, ctx, async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
            Ok(())
        }
        Some(lease) => led(&client, &opts, lease, ctx, stop_rx).await,
    };
    if let Some(s) = server {
        s.abort();
    }
    result
}

/// Runs the controller whenever this replica leads, until shutdown.
async fn led(
    client: &Client,
    opts: &OperatorOptions,
    lease: &LeaseOptions,
    ctx: Arc<Context>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<()> {
    let mut leadership = Leadership::start(client.clone(), lease).await?;
    loop {
        let mut stop_wait = stop.clone();
        tokio::select! {
            _ = stop_wait.wait_for(|s| *s) => break,
            led = leadership.wait_leading() => if !led { break },
        }
        tracing::info!(
            identity = lease.identity,
            "leading: starting the controller"
        );
        let mut lost = leadership.subscribe();
        let mut stop_wait = stop.clone();
        controller(client, opts, ctx.clone(), async move {
            tokio::select! {
                _ = lost.wait_for(|l| !*l) => {}
                _ = stop_wait.wait_for(|s| *s) => {}
            }
        })
        .await;
        if *stop.borrow() {
            break;
        }
        tracing::warn!(
            identity = lease.identity,
            "lost the lease: controller stopped"
        );
    }
    leadership.release().await;
    Ok(())
}

/// One run of the controller until `until` completes.
async fn controller(
    client: &Client,
    opts: &OperatorOptions,
    ctx: Arc<Context>,
    until: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let api = Api::<Tenant>::all(client.clone());
    let (reader, writer) = reflector::store();
    // Status writes (ours) do not trigger a pass; spec, finalizer and deletion changes do.
    let tenants = watcher(api, watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(trigger_hash, Default::default());
    ctx.metrics.set_store(reader.clone()).await;
    let mut c = Controller::for_stream(tenants, reader.clone())
        .with_config(kube::runtime::controller::Config::default().concurrency(opts.concurrency));
    for (gvk, namespace) in children::watched(client, &opts.control_namespace).await {
        let ar = ApiResource::from_gvk(&gvk);
        let api: Api<DynamicObject> = match &namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
            None => Api::all_with(client.clone(), &ar),
        };
        let store = reader.clone();
        let control = opts.control_namespace.clone();
        c = c.watches_with(
            api,
            ar,
            watcher::Config::default(),
            move |obj: DynamicObject| {
                children::tenant_of(&obj, &control, &store).map(|n| ObjectRef::<Tenant>::new(&n))
            },
        );
    }
    c.graceful_shutdown_on(until)
        .run(reconcile, error_policy, ctx)
        .for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!(error = %e, "controller");
            }
        })
        .await;
}

/// What a pass reacts to: the spec (generation), the finalizers, deletion.
fn trigger_hash(t: &Tenant) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.metadata.generation.hash(&mut h);
    t.metadata.finalizers.hash(&mut h);
    t.metadata.deletion_timestamp.is_some().hash(&mut h);
    Some(h.finish())
}
