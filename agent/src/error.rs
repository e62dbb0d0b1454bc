//! Error types of the agent, one enum per layer, so that callers decide on variants
//! (retry or not, which HTTP status) instead of on message text.

use std::time::Duration;

/// A configuration value is missing or invalid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The variable is set to a value the agent cannot use.
    #[error("invalid {variable}: {reason}")]
    Invalid {
        /// Name of the environment variable.
        variable: String,
        /// Why the value was rejected (never the value of a secret).
        reason: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(variable: &str, value: &str, why: &str) -> Self {
        Self::Invalid {
            variable: variable.to_string(),
            reason: format!("{value:?}: {why}"),
        }
    }
}

/// A failed call to the LLM endpoint, classified by what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// The key's budget is spent (LiteLLM `budget_exceeded`); retrying cannot help.
    #[error("LLM budget exceeded: {message}")]
    BudgetExceeded {
        /// Message from the endpoint.
        message: String,
    },
    /// The key was refused (401/403, `auth_error`); retrying cannot help.
    #[error("LLM authentication failed ({status}): {message}")]
    Auth {
        /// HTTP status.
        status: u16,
        /// Message from the endpoint.
        message: String,
    },
    /// Rate limited, retries exhausted.
    #[error("LLM rate limited ({status}): {message}")]
    RateLimited {
        /// HTTP status.
        status: u16,
        /// Message from the endpoint.
        message: String,
        /// The delay the endpoint asked for, if any.
        retry_after: Option<Duration>,
    },
    /// 5xx or 408/409, retries exhausted.
    #[error("LLM server error ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Message from the endpoint.
        message: String,
        /// The delay the endpoint asked for, if any.
        retry_after: Option<Duration>,
    },
    /// Any other 4xx: the request itself is wrong; retrying cannot help.
    #[error("LLM rejected the request ({status}): {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Message from the endpoint.
        message: String,
    },
    /// One call took longer than the per-call timeout.
    #[error("LLM call timed out after {0:?}")]
    Timeout(Duration),
    /// Connection-level failure.
    #[error("LLM endpoint unreachable: {0}")]
    Transport(String),
    /// The reply was not a chat completion we could read.
    #[error("LLM reply unreadable: {0}")]
    BadResponse(String),
}

impl LlmError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::Timeout(_) | Self::Transport(_)
        )
    }

    /// The delay the endpoint asked for before another attempt.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } | Self::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// A failed MCP operation.
#[derive(Debug, Clone, thiserror::Error)]
pub enum McpError {
    /// The server has no live session right now.
    #[error("MCP server {server} is not connected")]
    NotConnected {
        /// Server name.
        server: String,
    },
    /// The tool call did not finish in time.
    #[error("MCP call to {server} timed out after {timeout:?}")]
    Timeout {
        /// Server name.
        server: String,
        /// The timeout that elapsed.
        timeout: Duration,
    },
    /// The protocol or the transport failed.
    #[error("MCP server {server} failed: {message}")]
    Protocol {
        /// Server name.
        server: String,
        /// What went wrong.
        message: String,
    },
}

/// Why an agent run ended without filing an issue.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    /// No MCP tools are available (servers down or nothing allowed).
    #[error("no tools available from MCP servers")]
    NoTools,
    /// The issue tool is not offered by any connected server.
    #[error("no issue-creation tool is available (need issue_write or create_issue)")]
    NoIssueTool,
    /// The LLM endpoint failed.
    #[error(transparent)]
    Llm(#[from] LlmError),
    /// Creating the issue failed on the MCP side.
    #[error("issue creation failed: {0}")]
    IssueTool(String),
    /// The model stopped without creating an issue.
    #[error("the model finished without creating an issue: {0}")]
    NoIssue(String),
    /// `MAX_ITERATIONS` reached without an issue.
    #[error("agent reached maximum iterations ({0}) without creating an issue")]
    MaxIterations(u32),
    /// The model's output was cut or filtered and could not continue.
    #[error("the model's output was unusable: {0}")]
    ModelOutput(String),
    /// The whole-run deadline passed.
    #[error("run deadline of {0:?} exceeded")]
    Deadline(Duration),
}

impl RunError {
    /// A stable machine-readable kind for API bodies and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NoTools => "no_tools",
            Self::NoIssueTool => "no_issue_tool",
            Self::Llm(LlmError::BudgetExceeded { .. }) => "llm_budget_exceeded",
            Self::Llm(LlmError::Auth { .. }) => "llm_auth",
            Self::Llm(LlmError::RateLimited { .. }) => "llm_rate_limited",
            Self::Llm(_) => "llm_error",
            Self::IssueTool(_) => "issue_tool_error",
            Self::NoIssue(_) => "no_issue_created",
            Self::MaxIterations(_) => "max_iterations",
            Self::ModelOutput(_) => "model_output",
            Self::Deadline(_) => "deadline_exceeded",
        }
    }
}
