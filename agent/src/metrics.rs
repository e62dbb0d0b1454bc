//! Prometheus metrics of the agent, served at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabel {
    tool: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServerOutcomeLabel {
    server: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServerLabel {
    server: String,
}

/// All agent metrics.
pub struct Metrics {
    registry: Registry,
    runs: Family<OutcomeLabel, Counter>,
    iterations: Histogram,
    tool_calls: Family<ToolLabel, Counter>,
    server_calls: Family<ServerOutcomeLabel, Counter>,
    llm_latency: Histogram,
    llm_tokens: Family<KindLabel, Counter>,
    mcp_connected: Family<ServerLabel, Gauge>,
    mcp_reconnects: Family<ServerLabel, Gauge>,
    runs_in_flight: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("agent");
        let runs = Family::<OutcomeLabel, Counter>::default();
        registry.register("runs", "Agent runs by outcome", runs.clone());
        let iterations = Histogram::new([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0]);
        registry.register(
            "run_iterations",
            "LLM iterations per run",
            iterations.clone(),
        );
        let tool_calls = Family::<ToolLabel, Counter>::default();
        registry.register(
            "tool_calls",
            "Tool calls by tool and outcome",
            tool_calls.clone(),
        );
        let server_calls = Family::<ServerOutcomeLabel, Counter>::default();
        registry.register(
            "mcp_tool_calls",
            "Tool calls sent to an MCP server, by server and outcome",
            server_calls.clone(),
        );
        let llm_latency = Histogram::new(exponential_buckets(0.005, 2.0, 14));
        registry.register(
            "llm_request_duration_seconds",
            "LLM call latency, retries included",
            llm_latency.clone(),
        );
        let llm_tokens = Family::<KindLabel, Counter>::default();
        registry.register(
            "llm_tokens",
            "LLM tokens by kind (prompt, completion)",
            llm_tokens.clone(),
        );
        let mcp_connected = Family::<ServerLabel, Gauge>::default();
        registry.register(
            "mcp_connected",
            "1 when the MCP session is live",
            mcp_connected.clone(),
        );
        let mcp_reconnects = Family::<ServerLabel, Gauge>::default();
        registry.register(
            "mcp_reconnects",
            "MCP sessions re-established after a loss",
            mcp_reconnects.clone(),
        );
        let runs_in_flight = Gauge::default();
        registry.register(
            "runs_in_flight",
            "Runs executing now",
            runs_in_flight.clone(),
        );
        Self {
            registry,
            runs,
            iterations,
            tool_calls,
            server_calls,
            llm_latency,
            llm_tokens,
            mcp_connected,
            mcp_reconnects,
            runs_in_flight,
        }
    }

    /// Records a finished run.
    pub fn run_finished(&self, outcome: &str, iterations: u32) {
        self.runs
            .get_or_create(&OutcomeLabel {
                outcome: outcome.into(),
            })
            .inc();
        self.iterations.observe(f64::from(iterations));
    }

    /// Tracks runs in flight.
    pub fn run_started(&self) -> InFlight<'_> {
        self.runs_in_flight.inc();
        InFlight(&self.runs_in_flight)
    }

    /// Records the outcome of one call sent to `server` (`ok`, `tool_error`, `failed`): the
    /// one place the registry's calls are counted.
    pub fn tool_result(&self, tool: &str, server: &str, outcome: &str) {
        self.tool_call(tool, outcome);
        self.server_calls
            .get_or_create(&ServerOutcomeLabel {
                server: server.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// Records a call the agent refused before sending it (`unknown`, `invalid_arguments`,
    /// `repeated`, `quoted`).
    pub fn tool_call(&self, tool: &str, outcome: &str) {
        self.tool_calls
            .get_or_create(&ToolLabel {
                tool: tool.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// Records one LLM call.
    pub fn llm_call(&self, seconds: f64, prompt_tokens: u64, completion_tokens: u64) {
        self.llm_latency.observe(seconds);
        self.llm_tokens
            .get_or_create(&KindLabel {
                kind: "prompt".into(),
            })
            .inc_by(prompt_tokens);
        self.llm_tokens
            .get_or_create(&KindLabel {
                kind: "completion".into(),
            })
            .inc_by(completion_tokens);
    }

    /// Sets the MCP session gauges of one server.
    pub fn mcp_status(&self, server: &str, connected: bool, reconnects: u64) {
        let label = ServerLabel {
            server: server.into(),
        };
        self.mcp_connected
            .get_or_create(&label)
            .set(i64::from(connected));
        self.mcp_reconnects
            .get_or_create(&label)
            .set(reconnects as i64);
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}
