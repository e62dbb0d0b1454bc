//! The agent's one typed configuration, read from environment variables.
//!
//! Every setting is parsed and validated here, once, at startup; a bad value yields a
//! [`ConfigError`] naming the variable. Tests build a [`Config`] from a map through
//! [`Config::from_lookup`] instead of mutating the process environment.

use std::collections::HashMap;
use std::time::Duration;

use url::Url;

use crate::error::ConfigError;

pub use self::servers::{
    EVIDENCE_PLACEHOLDERS, EvidenceCall, PinSource, ServerPolicy, ServerRole, ToolServer,
};
pub use serve_common::{LogFormat, Secret};

#[path = "config/servers.rs"]
mod servers;

/// How the agent talks to one MCP server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum McpTransport {
    /// Legacy HTTP+SSE (protocol 2024-11-05): a GET stream plus POSTs to an announced endpoint.
    Sse,
    /// Streamable HTTP: one endpoint, POST per message.
    StreamableHttp,
}

impl McpTransport {
    /// The name used in env vars and log lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sse => "sse",
            Self::StreamableHttp => "streamable-http",
        }
    }
}

/// One MCP server to connect to.
#[derive(Clone, Debug)]
pub struct McpServerConfig {
    /// Short name used in logs and metrics (`openshift`, `gitea`).
    pub name: String,
    /// Display name for the startup banner.
    pub label: String,
    /// The URL with any fragment removed.
    pub url: Url,
    /// The transport to use.
    pub transport: McpTransport,
    /// Bearer token sent on every request to this server (`MCP_<NAME>_TOKEN`, or the file
    /// named by `MCP_<NAME>_TOKEN_FILE`): the tenant's Gitea token for a Gitea server that
    /// requires callers to bring their own (`-require-token`).
    pub bearer: Option<Secret>,
}

/// Settings for the OpenAI-compatible LLM endpoint.
#[derive(Clone, Debug)]
pub struct LlmConfig {
    /// Base URL ending in `/v1`.
    pub base_url: String,
    /// Bearer token.
    pub api_key: Secret,
    /// Model name as the endpoint knows it (LiteLLM's `openai/` routing prefix removed).
    pub model: String,
    /// Timeout of one HTTP call.
    pub call_timeout: Duration,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// Cap of one answer (`max_tokens`): `LLM_MAX_TOKENS`, else the context budget's answer
    /// reserve, so a model that rambles cannot spend the run's deadline on one turn.
    pub max_tokens: u32,
    /// Sampling temperature (`LLM_TEMPERATURE`), sent only when set.
    pub temperature: Option<f64>,
    /// Sampling seed (`LLM_SEED`), sent only when set (repeatable runs where supported).
    pub seed: Option<u64>,
    /// After a prose answer, force the issue tool on the next call with an OpenAI
    /// `tool_choice` (`LLM_FORCE_ISSUE_TOOL`, default on): a weak model that always picks
    /// prose under `auto` is then constrained to a call the guardrails can check.
    pub force_issue_tool: bool,
}

/// The whole agent configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// HTTP listen port.
    pub port: u16,
    /// LLM settings.
    pub llm: LlmConfig,
    /// MCP servers in connection order (the connection part of `servers`).
    pub mcp_servers: Vec<McpServerConfig>,
    /// The tool servers with their policies: the legacy `MCP_OPENSHIFT_*` / `MCP_GITEA_*`
    /// servers first, then the entries of `MCP_SERVERS_FILE`, then those of `MCP_SERVERS`.
    pub servers: Vec<ToolServer>,
    /// Owner of the repository issues are filed in.
    pub gitea_owner: String,
    /// Repository issues are filed in.
    pub gitea_repo: String,
    /// Maximum LLM iterations per run.
    pub max_iterations: u32,
    /// Wall-clock limit of one run.
    pub run_deadline: Duration,
    /// Timeout of one MCP tool call.
    pub tool_timeout: Duration,
    /// Tool names the model may see and call.
    pub tool_allowlist: Vec<String>,
    /// Tool calls of one turn executed at the same time.
    pub tool_concurrency: usize,
    /// The model's context window in tokens: every LLM request is kept inside it (minus a
    /// reserve for the answer) by cutting older tool results.
    pub context_window_tokens: usize,
    /// Labels put on a filed issue when the repository has them (others are skipped).
    pub issue_labels: Vec<String>,
    /// Hosts links and images in model-written issue text may point to: the tenant's Gitea
    /// (`GITEA_PUBLIC_URL`), the cluster console (`CONSOLE_URL`) and the operator's list
    /// (`ISSUE_LINK_ALLOWED_HOSTS`). Other URLs are filed as plain text.
    pub issue_link_hosts: Vec<String>,
    /// Runs executed at the same time; further reports wait.
    pub max_concurrent_runs: usize,
    /// Synchronous reports that may wait for a run slot; beyond that 503 `overloaded`.
    pub max_queued_reports: usize,
    /// `Retry-After` of a 503 `overloaded` answer.
    pub overloaded_retry_after: Duration,
    /// Largest accepted request body in bytes.
    pub body_limit: usize,
    /// Log format.
    pub log_format: LogFormat,
}

/// Tools callable by default: what a failure analysis needs (pod logs and status, events,
/// Tekton runs through the generic resource reads), issue filing, and the issue reads the
/// agent's de-duplication uses (those are not offered to the model, see
/// [`AGENT_ONLY_TOOLS`]). Destructive tools (delete, exec, scale, apply, …) are never in
/// this list.
pub const DEFAULT_TOOL_ALLOWLIST: &[&str] = &[
    "pods_log",
    "pods_get",
    "events_list",
    "resources_get",
    "resources_list",
    "issue_write",
    "create_issue",
    "list_issues",
    "list_repo_issues",
    "issue_read",
    "label_read",
    "get_me",
];

/// The context window assumed when `CONTEXT_WINDOW_TOKENS` is not set: small enough for the
/// lab's self-hosted models (vLLM deployments often cap `max_model_len` at 32k).
pub const DEFAULT_CONTEXT_WINDOW_TOKENS: usize = 32_768;

/// Tools the agent calls itself (de-duplication, issue labels, its own Gitea login) and
/// never offers to the model.
pub const AGENT_ONLY_TOOLS: &[&str] = &[
    "list_issues",
    "list_repo_issues",
    "issue_read",
    "label_read",
    "get_me",
];

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from a map (tests).
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_lookup(|name| map.get(name).cloned())
    }

    /// Reads the configuration through `lookup`, which returns a variable's value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env { lookup: &lookup };
        let context_window_tokens = env.number(
            "CONTEXT_WINDOW_TOKENS",
            DEFAULT_CONTEXT_WINDOW_TOKENS,
            2_048,
            10_000_000,
        )?;
        let answer_reserve =
            failure_analysis::log_hygiene::ContextBudget::new(context_window_tokens)
                .output_reserve_tokens;
        let llm = LlmConfig {
            base_url: normalize_llm_url(&env.string("LITELLM_URL", "http://localhost:4000"))?,
            api_key: env.secret("LITELLM_API_KEY")?,
            model: strip_routing_prefix(
                &env.string("LITELLM_MODEL", "openai/Llama-4-Scout-17B-16E-W4A16"),
            ),
            call_timeout: env.seconds("LLM_TIMEOUT_SECONDS", 120)?,
            max_retries: env.number("LLM_MAX_RETRIES", 3, 0, 10)?,
            max_tokens: env.number(
                "LLM_MAX_TOKENS",
                u32::try_from(answer_reserve).unwrap_or(u32::MAX),
                16,
                1_000_000,
            )?,
            temperature: env
                .opt("LLM_TEMPERATURE")
                .map(|_| env.number("LLM_TEMPERATURE", 0.0, 0.0, 2.0))
                .transpose()?,
            seed: env
                .opt("LLM_SEED")
                .map(|_| env.number("LLM_SEED", 0, 0, u64::MAX))
                .transpose()?,
            force_issue_tool: env.boolean("LLM_FORCE_ISSUE_TOOL", true)?,
        };
        let mut mcp_servers = Vec::new();
        for (name, label, default_transport) in [
            ("openshift", "OpenShift", "sse"),
            ("gitea", "Gitea", "streamable-http"),
        ] {
            let upper = name.to_uppercase();
            if let Some(server) = env.mcp_server(&upper, name, label, default_transport)? {
                mcp_servers.push(server);
            }
        }
        let mut servers: Vec<ToolServer> =
            mcp_servers.into_iter().map(ToolServer::legacy).collect();
        if let Some(path) = env.opt("MCP_SERVERS_FILE") {
            let text = std::fs::read_to_string(path.trim()).map_err(|e| ConfigError::Invalid {
                variable: "MCP_SERVERS_FILE".into(),
                reason: format!("cannot read {path}: {e}"),
            })?;
            let list = servers::parse_list("MCP_SERVERS_FILE", &text, &lookup)?;
            servers::merge("MCP_SERVERS_FILE", &mut servers, list)?;
        }
        if let Some(text) = env.opt("MCP_SERVERS") {
            let list = servers::parse_list("MCP_SERVERS", &text, &lookup)?;
            servers::merge("MCP_SERVERS", &mut servers, list)?;
        }
        let mcp_servers = servers.iter().map(|s| s.connection.clone()).collect();
        let allowlist = env.string("AGENT_TOOL_ALLOWLIST", "");
        let tool_allowlist = if allowlist.trim().is_empty() {
            DEFAULT_TOOL_ALLOWLIST
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            allowlist
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let gitea_owner = env
            .opt("MCP_GITEA_USER")
            .or_else(|| env.opt("GITEA_OWNER"))
            .unwrap_or_else(|| "user1".into());
        let gitea_repo = env
            .opt("MCP_GITEA_REPO")
            .or_else(|| env.opt("GITEA_REPO"))
            .unwrap_or_else(|| "mcp".into());
        let issue_link_hosts = env.link_hosts()?;
        Ok(Self {
            port: env.number("PORT", 8000, 0, 65535)?,
            issue_link_hosts,
            llm,
            mcp_servers,
            servers,
            gitea_owner,
            gitea_repo,
            max_iterations: env.number("MAX_ITERATIONS", 10, 1, 100)?,
            run_deadline: env.seconds("RUN_DEADLINE_SECONDS", 300)?,
            tool_timeout: env.seconds("MCP_TOOL_TIMEOUT_SECONDS", 60)?,
            tool_allowlist,
            issue_labels: env
                .string("ISSUE_LABELS", "bug,pipeline")
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            tool_concurrency: env.number("TOOL_CONCURRENCY", 4, 1, 64)?,
            context_window_tokens,
            max_concurrent_runs: env.number("MAX_CONCURRENT_RUNS", 64, 1, 10_000)?,
            max_queued_reports: env.number("MAX_QUEUED_REPORTS", 256, 0, 100_000)?,
            overloaded_retry_after: env.seconds("OVERLOADED_RETRY_AFTER_SECONDS", 10)?,
            body_limit: env.number("MAX_BODY_BYTES", 64 * 1024, 1024, 16 * 1024 * 1024)?,
            log_format: match env
                .string("LOG_FORMAT", "text")
                .to_ascii_lowercase()
                .as_str()
            {
                "text" | "" => LogFormat::Text,
                "json" => LogFormat::Json,
                other => {
                    return Err(ConfigError::invalid(
                        "LOG_FORMAT",
                        other,
                        "expected text or json",
                    ));
                }
            },
        })
    }
}

struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    fn opt(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    fn boolean(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        let Some(raw) = self.opt(name) else {
            return Ok(default);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::invalid(name, &raw, "expected true or false")),
        }
    }

    fn string(&self, name: &str, default: &str) -> String {
        self.opt(name).unwrap_or_else(|| default.to_string())
    }

    /// A secret from `NAME` or from the file named by `NAME_FILE` (a mounted Secret).
    fn secret(&self, name: &str) -> Result<Secret, ConfigError> {
        let file_var = format!("{name}_FILE");
        if let Some(path) = self.opt(&file_var) {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Invalid {
                variable: file_var.clone(),
                reason: format!("cannot read {path}: {e}"),
            })?;
            return Ok(Secret::new(text.trim()));
        }
        Ok(Secret::new(self.opt(name).unwrap_or_default()))
    }

    fn number<T>(&self, name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(raw) = self.opt(name) else {
            return Ok(default);
        };
        let value: T = raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::invalid(name, &raw, "not a whole number"))?;
        if value < min || value > max {
            return Err(ConfigError::invalid(
                name,
                &raw,
                &format!("must be between {min} and {max}"),
            ));
        }
        Ok(value)
    }

    fn seconds(&self, name: &str, default: u64) -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(self.number(name, default, 1, 86_400)?))
    }

    /// The hosts of `GITEA_PUBLIC_URL` and `CONSOLE_URL` (http or https URLs) and the
    /// entries of `ISSUE_LINK_ALLOWED_HOSTS` (`host` or `host:port`, comma-separated).
    fn link_hosts(&self) -> Result<Vec<String>, ConfigError> {
        let mut hosts = Vec::new();
        for var in ["GITEA_PUBLIC_URL", "CONSOLE_URL"] {
            let Some(raw) = self.opt(var) else { continue };
            let url = Url::parse(raw.trim())
                .map_err(|e| ConfigError::invalid(var, &raw, &e.to_string()))?;
            match (url.scheme(), url.host_str()) {
                ("http" | "https", Some(host)) => hosts.push(match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                }),
                _ => {
                    return Err(ConfigError::invalid(
                        var,
                        &raw,
                        "expected an http or https URL with a host",
                    ));
                }
            }
        }
        let raw = self.string("ISSUE_LINK_ALLOWED_HOSTS", "");
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let policy = failure_analysis::issue::links::LinkPolicy::new([entry]);
            if entry.contains('/') || policy.hosts().is_empty() {
                return Err(ConfigError::invalid(
                    "ISSUE_LINK_ALLOWED_HOSTS",
                    entry,
                    "expected host names (host or host:port), comma-separated",
                ));
            }
            hosts.extend(policy.hosts().iter().cloned());
        }
        Ok(hosts)
    }

    fn mcp_server(
        &self,
        upper: &str,
        name: &str,
        label: &str,
        default_transport: &str,
    ) -> Result<Option<McpServerConfig>, ConfigError> {
        let url_var = format!("MCP_{upper}_URL");
        let Some(raw) = self.opt(&url_var) else {
            return Ok(None);
        };
        let url =
            servers::server_url(&raw).map_err(|why| ConfigError::invalid(&url_var, &raw, &why))?;
        let transport_var = format!("MCP_{upper}_TRANSPORT");
        let transport = match self.string(&transport_var, default_transport).trim() {
            "sse" => McpTransport::Sse,
            "streamable-http" | "streamable_http" | "http" => McpTransport::StreamableHttp,
            other => {
                return Err(ConfigError::invalid(
                    &transport_var,
                    other,
                    "expected sse or streamable-http",
                ));
            }
        };
        let bearer =
            Some(self.secret(&format!("MCP_{upper}_TOKEN"))?).filter(|t| !t.expose().is_empty());
        Ok(Some(McpServerConfig {
            name: name.into(),
            label: label.into(),
            url,
            transport,
            bearer,
        }))
    }
}

/// Accepts the LiteLLM URL with or without `/v1` and returns it ending in `/v1`.
fn normalize_llm_url(raw: &str) -> Result<String, ConfigError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigError::invalid("LITELLM_URL", raw, &e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::invalid(
            "LITELLM_URL",
            raw,
            "expected an http or https URL",
        ));
    }
    let text = url.as_str().trim_end_matches('/');
    if text.ends_with("/v1") {
        Ok(text.to_string())
    } else {
        Ok(format!("{text}/v1"))
    }
}

/// LiteLLM SDK model names carry a provider routing prefix (`openai/x`); the HTTP endpoint
/// expects only the model name.
fn strip_routing_prefix(model: &str) -> String {
    model
        .trim()
        .strip_prefix("openai/")
        .unwrap_or(model.trim())
        .to_string()
}

#[cfg(test)]
#[path = "config/tests.rs"]
mod tests;
