//! The tool registry: which tools the model may use, and which server serves each one.
//!
//! Tools come live from the supervised sessions, so a server that reconnects or changes its
//! tool list is picked up without a restart. Only allowlisted tools are offered or callable,
//! which keeps destructive tools away from the model whatever the servers expose.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{CallToolResult, JsonObject};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::session::{McpSession, SessionTiming};
use crate::config::McpServerConfig;
use crate::error::McpError;

/// A tool the model may call.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolInfo {
    /// Name of the server that serves it.
    pub server: String,
    /// Tool name.
    pub name: String,
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
    /// Whether a session is live.
    pub connected: bool,
    /// Number of tools it offers (all, not only allowed ones).
    pub tools: usize,
    /// Last connection error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Sessions re-established after a loss.
    pub reconnects: u64,
}

/// All MCP servers and the allowlist.
pub struct ToolRegistry {
    sessions: Vec<Arc<McpSession>>,
    allowlist: HashSet<String>,
}

impl ToolRegistry {
    /// A registry for `servers`; nothing connects until [`ToolRegistry::start`].
    pub fn new(servers: &[McpServerConfig], allowlist: &[String], timing: SessionTiming) -> Self {
        Self {
            sessions: servers
                .iter()
                .map(|c| Arc::new(McpSession::new(c.clone(), timing.clone())))
                .collect(),
            allowlist: allowlist.iter().cloned().collect(),
        }
    }

    /// Starts one supervisor task per server.
    pub fn start(&self, shutdown: &CancellationToken) {
        for session in &self.sessions {
            tokio::spawn(session.clone().supervise(shutdown.child_token()));
        }
    }

    /// Whether `name` may be offered to and called by the model.
    pub fn is_allowed(&self, name: &str) -> bool {
        self.allowlist.contains(name) || self.allowlist.contains("*")
    }

    /// Allowed tools of connected servers; on a name clash the first server wins.
    pub fn tools(&self) -> Vec<ToolInfo> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for session in &self.sessions {
            for tool in session.tools() {
                if !self.is_allowed(&tool.name) || !seen.insert(tool.name.to_string()) {
                    continue;
                }
                out.push(ToolInfo {
                    server: session.config().name.clone(),
                    name: tool.name.to_string(),
                    description: tool.description.as_deref().unwrap_or_default().to_string(),
                    input_schema: Value::Object((*tool.input_schema).clone()),
                });
            }
        }
        out
    }

    /// Every configured server has a live session.
    pub fn is_ready(&self) -> bool {
        !self.sessions.is_empty() && self.sessions.iter().all(|s| s.is_connected())
    }

    /// Per-server status.
    pub fn status(&self) -> Vec<ServerStatus> {
        self.sessions
            .iter()
            .map(|s| ServerStatus {
                name: s.config().name.clone(),
                connected: s.is_connected(),
                tools: s.tools().len(),
                error: s.last_error(),
                reconnects: s.reconnects(),
            })
            .collect()
    }

    /// Waits until every server is connected, or `timeout` passes; returns readiness.
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

    /// Calls an allowed tool on the server that offers it. Callers check the name first;
    /// an unknown name here is an error.
    pub async fn call(
        &self,
        name: &str,
        arguments: JsonObject,
        timeout: Duration,
    ) -> Result<ToolOutput, McpError> {
        let session = self
            .sessions
            .iter()
            .find(|s| self.is_allowed(name) && s.tools().iter().any(|t| t.name == name))
            .ok_or_else(|| McpError::Protocol {
                server: "-".into(),
                message: format!("no server offers tool {name}"),
            })?;
        session
            .call_tool(name, arguments, timeout)
            .await
            .map(ToolOutput::from)
    }
}
