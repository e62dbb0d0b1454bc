//! Prometheus metrics (`/metrics`) and upstream-style JSON counters (`/stats`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde_json::{Value, json};

type Labels = Vec<(String, String)>;

#[derive(Default)]
struct Stats {
    total_tool_calls: u64,
    tool_call_errors: u64,
    tool_calls_by_name: BTreeMap<String, u64>,
    tool_errors_by_name: BTreeMap<String, u64>,
    total_http_requests: u64,
    http_requests_by_path: BTreeMap<String, u64>,
    http_requests_by_status: BTreeMap<String, u64>,
    http_requests_by_method: BTreeMap<String, u64>,
}

struct Inner {
    registry: Registry,
    http: Family<Labels, Counter>,
    tools: Family<Labels, Counter>,
    durations: Family<Labels, Histogram>,
    sessions: Gauge,
    stats: Mutex<Stats>,
    start: Instant,
    start_unix: i64,
}

/// Shared counters of one server process.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh counters.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let http = Family::<Labels, Counter>::default();
        let tools = Family::<Labels, Counter>::default();
        let durations = Family::<Labels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        let sessions = Gauge::default();
        let info = Family::<Labels, Gauge>::default();
        info.get_or_create(&vec![("version".into(), env!("CARGO_PKG_VERSION").into())])
            .set(1);
        registry.register(
            "k8s_mcp_http_requests",
            "HTTP requests by method, path and status",
            http.clone(),
        );
        registry.register(
            "k8s_mcp_tool_calls",
            "MCP tool calls by tool and outcome",
            tools.clone(),
        );
        registry.register(
            "k8s_mcp_tool_duration_seconds",
            "Duration of MCP tool calls",
            durations.clone(),
        );
        registry.register(
            "k8s_mcp_sse_sessions",
            "Open legacy SSE sessions",
            sessions.clone(),
        );
        registry.register("k8s_mcp_server_info", "Server version", info);
        let start_unix = jiff::Timestamp::now().as_second();
        Self(Arc::new(Inner {
            registry,
            http,
            tools,
            durations,
            sessions,
            stats: Mutex::default(),
            start: Instant::now(),
            start_unix,
        }))
    }

    /// Count one HTTP request (path is normalised to a known endpoint to bound cardinality).
    pub fn record_http(&self, method: &str, path: &str, status: u16) {
        let path = match path {
            "/mcp" | "/sse" | "/message" | "/healthz" | "/metrics" | "/stats" => path,
            p if p.starts_with("/mcp") => "/mcp",
            _ => "other",
        };
        self.0
            .http
            .get_or_create(&vec![
                ("method".into(), method.into()),
                ("path".into(), path.into()),
                ("status".into(), status.to_string()),
            ])
            .inc();
        if let Ok(mut s) = self.0.stats.lock() {
            s.total_http_requests += 1;
            *s.http_requests_by_path.entry(path.into()).or_default() += 1;
            *s.http_requests_by_status
                .entry(status.to_string())
                .or_default() += 1;
            *s.http_requests_by_method.entry(method.into()).or_default() += 1;
        }
    }

    /// Count one tool call.
    pub fn record_tool(&self, tool: &str, ok: bool, seconds: f64) {
        let outcome = if ok { "success" } else { "error" };
        self.0
            .tools
            .get_or_create(&vec![
                ("tool".into(), tool.into()),
                ("outcome".into(), outcome.into()),
            ])
            .inc();
        self.0
            .durations
            .get_or_create(&vec![("tool".into(), tool.into())])
            .observe(seconds);
        if let Ok(mut s) = self.0.stats.lock() {
            s.total_tool_calls += 1;
            *s.tool_calls_by_name.entry(tool.into()).or_default() += 1;
            if !ok {
                s.tool_call_errors += 1;
                *s.tool_errors_by_name.entry(tool.into()).or_default() += 1;
            }
        }
    }

    /// Track open SSE sessions.
    pub fn sse_sessions(&self, delta: i64) {
        self.0.sessions.inc_by(delta);
    }

    /// Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.0.registry).is_err() {
            return String::new();
        }
        out
    }

    /// The `/stats` document.
    pub fn stats_json(&self) -> Value {
        let Ok(s) = self.0.stats.lock() else {
            return json!({});
        };
        json!({
            "total_tool_calls": s.total_tool_calls,
            "tool_call_errors": s.tool_call_errors,
            "tool_calls_by_name": s.tool_calls_by_name,
            "tool_errors_by_name": s.tool_errors_by_name,
            "total_http_requests": s.total_http_requests,
            "http_requests_by_path": s.http_requests_by_path,
            "http_requests_by_status": s.http_requests_by_status,
            "http_requests_by_method": s.http_requests_by_method,
            "uptime_seconds": self.0.start.elapsed().as_secs(),
            "start_time_unix": self.0.start_unix,
        })
    }
}
