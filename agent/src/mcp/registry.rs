//! The tool registry: which tools the model may use, and which server serves each one.
//!
//! Tools come live from the supervised sessions, so a server that reconnects or changes its
//! tool list is picked up without a restart. Only allowlisted tools are offered or callable
//! (per server, see [`super::policy`]), destructive ones never unless an operator named them,
//! and a name two servers share is namespaced for the later one. Every call goes through
//! [`ToolRegistry::call`], which records the tool metrics.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolResult, JsonObject};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::policy;
use super::session::{McpSession, SessionTiming};
use crate::config::{AGENT_ONLY_TOOLS, EvidenceCall, McpServerConfig, ServerRole, ToolServer};
use crate::error::McpError;
use crate::metrics::Metrics;

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolInfo {
    /// Name of the server that serves it.
    pub server: String,
    /// The name the model and the agent use: the tool's own, or `<server>__<tool>` when an
    /// earlier server has a tool of that name.
    pub name: String,
    /// The tool's name on its server.
    pub tool: String,
    /// The role of its server.
    pub role: ServerRole,
    /// Offered to the model (allowlisted and not one the agent keeps to itself).
    pub visible: bool,
    /// Description (empty when the server gave none).
    pub description: String,
    /// JSON schema of the arguments.
    pub input_schema: Value,
}

impl ToolInfo {
    /// The OpenAI `tools[]` entry for this tool.
    pub fn to_openai(&self) -> Value {
        let parameters = match &self.input_schema {
            Value::Object(o) if !o.is_empty() => self.input_schema.clone(),
            _ => json!({"type": "object", "properties": {}}),
        };
        json!({"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": parameters}})
    }
}

/// A tool's result as text for the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolOutput {
    /// Text content joined with newlines (or the structured content as JSON).
    pub text: String,
    /// The server flagged the result as a failure (`isError`).
    pub is_error: bool,
}

impl From<CallToolResult> for ToolOutput {
    fn from(result: CallToolResult) -> Self {
        let parts: Vec<String> = result
            .content
            .iter()
            .map(|block| match block.as_text() {
                Some(text) => text.text.clone(),
                None => serde_json::to_string(block).unwrap_or_default(),
            })
            .collect();
        let text = if parts.is_empty() {
            result
                .structured_content
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_else(|| "No result".into())
        } else {
            parts.join("\n")
        };
        Self {
            text,
            is_error: result.is_error == Some(true),
        }
    }
}

/// Readiness of one server, for `/readyz` and logs.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ServerStatus {
    /// Server name.
    pub name: String,
    /// The server's role (`cluster`, `issues`, `evidence`).
    pub role: &'static str,
    /// Whether the agent is ready only with this server connected.
    pub required: bool,
    /// Whether a session is live.
    pub connected: bool,
    /// Number of tools it offers (all, not only allowed ones).
    pub tools: usize,
    /// Last connection error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Sessions re-established after a loss.
    pub reconnects: u64,
    /// One human line: `metrics: down (optional, runs go on without it): connection refused`.
    pub line: String,
}

/// All MCP servers and the allowlist.
pub struct ToolRegistry {
    sessions: Vec<Arc<McpSession>>,
    allowlist: HashSet<String>,
    metrics: Option<Arc<Metrics>>,
}

impl ToolRegistry {
    /// A registry for `servers` with the legacy policy of their names (`openshift` the
    /// cluster, `gitea` the tracker); nothing connects until [`ToolRegistry::start`].
    pub fn new(servers: &[McpServerConfig], allowlist: &[String], timing: SessionTiming) -> Self {
        let servers: Vec<ToolServer> = servers.iter().cloned().map(ToolServer::legacy).collect();
        Self::with_servers(&servers, allowlist, timing)
    }

    /// A registry for configured tool servers with their policies.
    pub fn with_servers(
        servers: &[ToolServer],
        allowlist: &[String],
        timing: SessionTiming,
    ) -> Self {
        Self {
            sessions: servers
                .iter()
                .map(|s| Arc::new(McpSession::new(s.clone(), timing.clone())))
                .collect(),
            allowlist: allowlist.iter().cloned().collect(),
            metrics: None,
        }
    }

    /// Records every call in `metrics` (by tool and by server).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Starts one supervisor task per server.
    pub fn start(&self, shutdown: &CancellationToken) {
        for session in &self.sessions {
            tokio::spawn(session.clone().supervise(shutdown.child_token()));
        }
    }

    /// Whether the global allowlist lets the model see `name` (bare names, `*`).
    pub fn is_allowed(&self, name: &str) -> bool {
        self.allowlist.contains(name) || self.allowlist.contains("*")
    }

    /// Whether the model may see `tool` of `session` (its entry's `tools`, else the global
    /// allowlist, bare or namespaced).
    fn model_may_see(&self, session: &McpSession, tool: &str) -> bool {
        let server = &session.config().name;
        match &session.server().policy.tools {
            Some(list) => list.iter().any(|e| policy::names_tool(e, server, tool)),
            None => self
                .allowlist
                .iter()
                .any(|e| policy::names_tool(e, server, tool)),
        }
    }

    /// Sessions in naming priority: cluster and issue servers first, then the others, each
    /// group in configuration order. The first to offer a name keeps it.
    fn by_priority(&self) -> Vec<&Arc<McpSession>> {
        let mut ordered: Vec<&Arc<McpSession>> = self.sessions.iter().collect();
        ordered.sort_by_key(|s| s.server().policy.role == ServerRole::Evidence);
        ordered
    }

    /// The tools the agent may use on connected servers (offered to the model or kept for
    /// the agent's own steps), with their exposed names.
    pub fn tools(&self) -> Vec<ToolInfo> {
        let mut taken = HashSet::new();
        let mut out = Vec::new();
        for session in self.by_priority() {
            let server = session.server();
            let name = &server.connection.name;
            let live = session.is_connected();
            for tool in session.known_tools() {
                let own = tool.name.to_string();
                let visible =
                    self.model_may_see(session, &own) && !AGENT_ONLY_TOOLS.contains(&own.as_str());
                let agent_only =
                    AGENT_ONLY_TOOLS.contains(&own.as_str()) && self.model_may_see(session, &own);
                let evidence = server.policy.evidence.iter().any(|e| e.tool == own);
                if !(visible || agent_only || evidence)
                    || !policy::permits(&server.policy, name, &tool)
                {
                    continue;
                }
                let exposed = policy::exposed_name(name, &own, taken.contains(&own));
                taken.insert(own.clone());
                if !live {
                    continue;
                }
                out.push(ToolInfo {
                    server: name.clone(),
                    name: exposed,
                    tool: own,
                    role: server.policy.role,
                    visible,
                    description: tool.description.as_deref().unwrap_or_default().to_string(),
                    input_schema: Value::Object((*tool.input_schema).clone()),
                });
            }
        }
        out
    }

    /// Every tool name the connected servers offer, allowed or not, and the exposed names
    /// of the usable ones (to recognise any tool call quoted in untrusted data).
    pub fn all_tool_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.tools().into_iter().map(|t| t.name).collect();
        for session in &self.sessions {
            for tool in session.tools() {
                if !names.iter().any(|n| n == tool.name.as_ref()) {
                    names.push(tool.name.to_string());
                }
            }
        }
        names
    }

    /// The evidence calls of connected servers whose tool is there, with the tool.
    pub fn evidence_calls(&self) -> Vec<(ToolInfo, EvidenceCall)> {
        let tools = self.tools();
        let mut out = Vec::new();
        for session in &self.sessions {
            for call in &session.server().policy.evidence {
                if let Some(tool) = tools
                    .iter()
                    .find(|t| t.server == session.config().name && t.tool == call.tool)
                {
                    out.push((tool.clone(), call.clone()));
                }
            }
        }
        out
    }

    /// The configured server named `name`.
    pub fn server(&self, name: &str) -> Option<&ToolServer> {
        self.sessions
            .iter()
            .map(|s| s.server())
            .find(|s| s.connection.name == name)
    }

    /// Every required server has a live session (and at least one server does): an
    /// optional server that is down only takes its tools away.
    pub fn is_ready(&self) -> bool {
        self.sessions.iter().any(|s| s.is_connected())
            && self
                .sessions
                .iter()
                .all(|s| s.is_connected() || !s.server().policy.required)
    }

    /// Per-server status.
    pub fn status(&self) -> Vec<ServerStatus> {
        self.sessions
            .iter()
            .map(|s| {
                let server = s.server();
                let connected = s.is_connected();
                let tools = s.tools().len();
                let error = s.last_error();
                let required = server.policy.required;
                let line = match (connected, required) {
                    (true, _) => format!("{}: connected, {tools} tools", server.connection.name),
                    (false, need) => format!(
                        "{}: down ({}){}",
                        server.connection.name,
                        if need {
                            "required, runs wait for it"
                        } else {
                            "optional, runs go on without it"
                        },
                        error
                            .as_deref()
                            .map(|e| format!(": {e}"))
                            .unwrap_or_default()
                    ),
                };
                ServerStatus {
                    name: server.connection.name.clone(),
                    role: server.policy.role.as_str(),
                    required,
                    connected,
                    tools,
                    error,
                    reconnects: s.reconnects(),
                    line,
                }
            })
            .collect()
    }

    /// Waits until every required server is connected, or `timeout` passes; returns
    /// readiness.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.is_ready() {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Calls a tool by its exposed name on the server that offers it, within `timeout`
    /// (and the server's own call timeout), and records the outcome in the metrics (`ok`,
    /// `tool_error`, `failed`). Callers check the name first; an unknown name here is an
    /// error.
    pub async fn call(
        &self,
        name: &str,
        arguments: JsonObject,
        timeout: Duration,
    ) -> Result<ToolOutput, McpError> {
        let found = self
            .tools()
            .into_iter()
            .find(|t| t.name == name)
            .and_then(|t| {
                self.sessions
                    .iter()
                    .find(|s| s.config().name == t.server)
                    .map(|s| (s, t))
            });
        let Some((session, tool)) = found else {
            self.record(name, "-", "failed");
            return Err(McpError::Protocol {
                server: "-".into(),
                message: format!("no server offers tool {name}"),
            });
        };
        let timeout = session
            .server()
            .call_timeout
            .map_or(timeout, |own| own.min(timeout));
        let result = session
            .call_tool(&tool.tool, arguments, timeout)
            .await
            .map(ToolOutput::from);
        let outcome = match &result {
            Ok(out) if !out.is_error => "ok",
            Ok(_) => "tool_error",
            Err(_) => "failed",
        };
        self.record(name, &tool.server, outcome);
        result
    }

    fn record(&self, tool: &str, server: &str, outcome: &str) {
        if let Some(metrics) = &self.metrics {
            metrics.tool_result(tool, server, outcome);
        }
    }
}
