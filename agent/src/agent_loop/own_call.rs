//! The agent's own tool calls, made outside the model's loop (the investigation reads, the
//! de-duplication listing and comment): one rule for their timeout and for what counts as a
//! tool error; the registry counts them in the tool metrics like the model's calls. Each
//! caller logs a miss in its own words.

use serde_json::Value;
use tokio::time::Instant;

use super::{Agent, Run};
use crate::error::McpError;

/// Why an own call gave no result.
pub(super) enum Miss {
    /// The arguments were not a JSON object: nothing was sent, nothing counted.
    NotAnObject,
    /// The server answered with an error result (`isError`).
    Refused(String),
    /// The call itself failed (no session, transport, timeout).
    Failed(McpError),
}

impl Agent {
    /// One call bounded by the tool timeout and the run's deadline.
    pub(super) async fn own_call(
        &self,
        run: &Run<'_>,
        tool: &str,
        args: Value,
    ) -> Result<String, Miss> {
        let Value::Object(args) = args else {
            return Err(Miss::NotAnObject);
        };
        let remaining = run.deadline.saturating_duration_since(Instant::now());
        let timeout = self.settings.tool_timeout.min(remaining);
        match self.registry.call(tool, args, timeout).await {
            Ok(out) if !out.is_error => Ok(out.text),
            Ok(out) => Err(Miss::Refused(out.text)),
            Err(e) => Err(Miss::Failed(e)),
        }
    }
}
