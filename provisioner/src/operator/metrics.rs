//! The operator's Prometheus metrics: reconciles by action and result, errors, time from a
//! Tenant's creation to Ready, and Tenants by phase (counted from the controller's cache
//! when scraped), served at `/metrics` beside `/healthz`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use kube::runtime::reflector::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::sync::RwLock;

use super::crd::Tenant;

/// `action` (`provision`, `destroy`, `validate`) and `result` (`ready`, `waiting`, `error`,
/// `invalid`, `deleted`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReconcileLabels {
    /// What the pass did.
    pub action: String,
    /// How it ended.
    pub result: String,
}

/// `phase`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PhaseLabels {
    /// The Tenant phase.
    pub phase: String,
}

/// The metrics and their registry.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<ReconcileLabels, Counter>,
    errors: Counter,
    time_to_ready: Histogram,
    by_phase: Family<PhaseLabels, Gauge>,
    store: RwLock<Option<Store<Tenant>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric under `tenant_operator_`.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tenant_operator");
        let reconciles = Family::<ReconcileLabels, Counter>::default();
        let errors = Counter::default();
        let time_to_ready = Histogram::new([1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0]);
        let by_phase = Family::<PhaseLabels, Gauge>::default();
        registry.register("reconciles", "Reconcile passes", reconciles.clone());
        registry.register("errors", "Reconcile passes that failed", errors.clone());
        registry.register(
            "time_to_ready_seconds",
            "From a Tenant's creation to its first Ready",
            time_to_ready.clone(),
        );
        registry.register("tenants", "Tenants by phase", by_phase.clone());
        Metrics {
            registry,
            reconciles,
            errors,
            time_to_ready,
            by_phase,
            store: RwLock::new(None),
        }
    }

    /// Counts one pass.
    pub fn reconciled(&self, action: &str, result: &str) {
        self.reconciles
            .get_or_create(&ReconcileLabels {
                action: action.into(),
                result: result.into(),
            })
            .inc();
        if result == "error" {
            self.errors.inc();
        }
    }

    /// Records a Tenant's first Ready.
    pub fn ready_after(&self, seconds: f64) {
        self.time_to_ready.observe(seconds);
    }

    /// The cache `tenants` is counted from.
    pub async fn set_store(&self, store: Store<Tenant>) {
        *self.store.write().await = Some(store);
    }

    /// The text exposition.
    pub async fn render(&self) -> String {
        if let Some(store) = self.store.read().await.as_ref() {
            self.by_phase.clear();
            for t in store.state() {
                let phase = t
                    .status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_else(|| "Pending".into());
                self.by_phase.get_or_create(&PhaseLabels { phase }).inc();
            }
        }
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// `/metrics` and `/healthz`.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(metrics)
}

async fn scrape(State(m): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render().await,
    )
}
