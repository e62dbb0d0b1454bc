//! Command line and environment, parsed the way the upstream Go server does it.
//!
//! Upstream uses Go's `flag` package, so the drop-in contract is its syntax: `-x` and `--x`
//! are the same flag, values come as `-x value` or `-x=value`, boolean flags never take the
//! next argument (only `-d=false`), parsing stops at the first non-flag argument or `--`,
//! and an unknown flag is a usage error. Environment variables are looked up through a
//! closure so tests never touch the process environment.

use std::collections::BTreeSet;
use std::net::IpAddr;

/// Why the command line or environment could not be turned into a [`Config`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A flag this server does not know.
    #[error("flag provided but not defined: -{0}")]
    UnknownFlag(String),
    /// A flag that needs a value came last.
    #[error("flag needs an argument: -{0}")]
    MissingValue(String),
    /// A value that does not parse for its flag.
    #[error("invalid value {value:?} for flag -{flag}: {reason}")]
    InvalidValue {
        /// The flag's long name.
        flag: &'static str,
        /// What was given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The prompts file could not be read or holds a bad prompt.
    #[error("prompts file {path}: {reason}")]
    PromptsFile {
        /// The file named by `-prompts-file` or `GITEA_MCP_PROMPTS_FILE`.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// `GITEA_ACCESS_TOKEN_FILE` could not be read.
    #[error("cannot read GITEA_ACCESS_TOKEN_FILE {path}: {reason}")]
    TokenFile {
        /// The file named by the variable.
        path: String,
        /// The I/O error text.
        reason: String,
    },
}

/// Which transport serves MCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Newline-delimited JSON-RPC on stdin/stdout.
    Stdio,
    /// Streamable HTTP on `POST /mcp`.
    Http,
}

pub use serve_common::Secret;

/// What the process should do once the arguments are parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve MCP with this configuration.
    Serve(Box<Config>),
    /// Print the version and exit (`-v`).
    Version,
    /// Probe `http://127.0.0.1:<port>/healthz` and exit 0 or 1 (`-healthcheck`).
    Healthcheck {
        /// The port to probe.
        port: u16,
    },
    /// Print the usage text and exit 0 (`-h`/`-help`).
    Help,
}

/// The typed server configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// stdio or http.
    pub transport: Transport,
    /// Gitea base URL without a trailing slash (API calls go to `<host>/api/v1`).
    pub host: String,
    /// HTTP listen address; `None` = all interfaces.
    pub bind: Option<IpAddr>,
    /// HTTP port.
    pub port: u16,
    /// The operator's token, used when a request brings none.
    pub token: Option<Secret>,
    /// Hide and refuse every write tool.
    pub read_only: bool,
    /// Operators' own prompts (`-prompts-file`).
    pub prompts: Vec<serve_common::prompt_templates::PromptConfig>,
    /// Tool names to expose (empty = no tool filter).
    pub tools: BTreeSet<String>,
    /// Scopes to expose, normalised (empty = no scope filter).
    pub scopes: BTreeSet<String>,
    /// Debug logging.
    pub debug: bool,
    /// Log lines as JSON objects instead of text.
    pub log_json: bool,
    /// Skip TLS verification towards Gitea.
    pub insecure: bool,
    /// Also list the pre-consolidation tool names.
    pub legacy_tools: bool,
    /// Refuse HTTP requests without their own token instead of using `token`.
    pub require_token: bool,
    /// Issue MCP sessions (stateful streamable HTTP) instead of the stateless default.
    pub sessions: bool,
    /// Extra `Host` values accepted besides the defaults (see `http_transport`).
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted besides loopback ones (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Most open MCP sessions (with `sessions`).
    pub max_sessions: usize,
    /// Seconds after which an idle MCP session is closed (with `sessions`).
    pub session_idle_secs: u64,
    /// Timeout of each Gitea call, in seconds.
    pub gitea_timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            transport: Transport::Stdio,
            host: "https://gitea.com".into(),
            bind: None,
            port: 8080,
            token: None,
            read_only: false,
            prompts: Vec::new(),
            tools: BTreeSet::new(),
            scopes: BTreeSet::new(),
            debug: false,
            log_json: false,
            insecure: false,
            legacy_tools: false,
            require_token: false,
            sessions: false,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            max_sessions: 256,
            session_idle_secs: 300,
            gitea_timeout_secs: 30,
        }
    }
}

fn parse_bool(flag: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(ConfigError::InvalidValue {
            flag,
            value: value.into(),
            reason: "not a boolean".into(),
        }),
    }
}

/// A positive whole number of `unit` for `flag`.
fn positive(flag: &'static str, value: &str, unit: &str) -> Result<u64, ConfigError> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ConfigError::InvalidValue {
            flag,
            value: value.into(),
            reason: format!("want a positive number of {unit}"),
        })
}

fn comma_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Upstream's scope normalisation: trim, lowercase, spaces and hyphens become `_`.
pub fn normalize_scope(scope: &str) -> String {
    scope.trim().to_lowercase().replace([' ', '-'], "_")
}

fn parse_transport(value: &str) -> Result<Transport, ConfigError> {
    match value.trim().to_lowercase().as_str() {
        "stdio" => Ok(Transport::Stdio),
        "http" => Ok(Transport::Http),
        _ => Err(ConfigError::InvalidValue {
            flag: "transport",
            value: value.into(),
            reason: "invalid transport type (want stdio or http)".into(),
        }),
    }
}

/// The `[[prompts]]` of a TOML file, checked.
fn read_prompts(
    path: &str,
    read_file: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<Vec<serve_common::prompt_templates::PromptConfig>, ConfigError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        prompts: Vec<serve_common::prompt_templates::PromptConfig>,
    }
    let bad = |reason: String| ConfigError::PromptsFile {
        path: path.to_string(),
        reason,
    };
    let text = read_file(path).map_err(|e| bad(e.to_string()))?;
    let file: File = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    serve_common::prompt_templates::validate(&file.prompts).map_err(bad)?;
    Ok(file.prompts)
}

/// Parses `args` (without the program name) with `env` as the environment and `read_file`
/// for `GITEA_ACCESS_TOKEN_FILE`. Precedence: `MCP_MODE` beats `-t`; every other flag
/// beats its env var; `GITEA_ACCESS_TOKEN` beats `GITEA_ACCESS_TOKEN_FILE`.
pub fn parse(
    args: &[String],
    env: &dyn Fn(&str) -> Option<String>,
    read_file: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<Command, ConfigError> {
    let flags = scan(args)?;
    let mut cfg = Config::default();
    let env_true = |name: &str| env(name).as_deref() == Some("true");
    let env_set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    cfg.read_only = env_true("GITEA_READONLY");
    cfg.debug = env_true("GITEA_DEBUG");
    cfg.log_json = env_true("GITEA_LOG_JSON");
    cfg.insecure = env_true("GITEA_INSECURE");
    cfg.legacy_tools = env_true("GITEA_LEGACY_TOOLS");
    cfg.require_token = env_true("GITEA_REQUIRE_TOKEN");
    cfg.sessions = env_true("GITEA_MCP_SESSIONS");
    if let Some(h) = env_set("GITEA_HOST") {
        cfg.host = h;
    }
    let mut tools = env_set("GITEA_TOOLS");
    let mut scopes = env_set("GITEA_SCOPES");
    let mut hosts = env_set("GITEA_MCP_ALLOWED_HOSTS");
    let mut origins = env_set("GITEA_MCP_ALLOWED_ORIGINS");
    let mut timeout = env_set("GITEA_TIMEOUT");
    let mut max_sessions = env_set("GITEA_MCP_MAX_SESSIONS");
    let mut idle = env_set("GITEA_MCP_SESSION_IDLE_TIMEOUT");
    let mut prompts_file = env_set("GITEA_MCP_PROMPTS_FILE");
    let mut token = env_set("GITEA_ACCESS_TOKEN").map(Secret::new);
    let mut transport = None;
    let (mut version, mut health, mut help) = (false, false, false);
    for (flag, value) in flags {
        match flag {
            "transport" => transport = Some(parse_transport(&value)?),
            "host" => cfg.host = value,
            "bind" => {
                let ip = value.parse().map_err(|e: std::net::AddrParseError| {
                    ConfigError::InvalidValue {
                        flag,
                        value: value.clone(),
                        reason: e.to_string(),
                    }
                })?;
                cfg.bind = Some(ip);
            }
            "port" => {
                cfg.port = value.parse().map_err(|_| ConfigError::InvalidValue {
                    flag,
                    value: value.clone(),
                    reason: "not a port number".into(),
                })?
            }
            "token" => token = Some(Secret::new(value)),
            "read-only" => cfg.read_only = parse_bool(flag, &value)?,
            "tools" => tools = Some(value),
            "scope" => scopes = Some(value),
            "debug" => cfg.debug = parse_bool(flag, &value)?,
            "log-json" => cfg.log_json = parse_bool(flag, &value)?,
            "insecure" => cfg.insecure = parse_bool(flag, &value)?,
            "version" => version = parse_bool(flag, &value)?,
            "healthcheck" => health = parse_bool(flag, &value)?,
            "legacy-tools" => cfg.legacy_tools = parse_bool(flag, &value)?,
            "require-token" => cfg.require_token = parse_bool(flag, &value)?,
            "sessions" => cfg.sessions = parse_bool(flag, &value)?,
            "allowed-hosts" => hosts = Some(value),
            "allowed-origins" => origins = Some(value),
            "gitea-timeout" => timeout = Some(value),
            "max-sessions" => max_sessions = Some(value),
            "session-idle-timeout" => idle = Some(value),
            "prompts-file" => prompts_file = Some(value),
            _ => help = parse_bool(flag, &value)?,
        }
    }
    if help {
        return Ok(Command::Help);
    }
    if version {
        return Ok(Command::Version);
    }
    if health {
        return Ok(Command::Healthcheck { port: cfg.port });
    }
    // MCP_MODE wins over -t, as upstream documents.
    cfg.transport = match env_set("MCP_MODE") {
        Some(mode) => parse_transport(&mode)?,
        None => transport.unwrap_or(Transport::Stdio),
    };
    cfg.host = cfg.host.trim().trim_end_matches('/').to_string();
    if !(cfg.host.starts_with("http://") || cfg.host.starts_with("https://")) {
        return Err(ConfigError::InvalidValue {
            flag: "host",
            value: cfg.host,
            reason: "must start with http:// or https://".into(),
        });
    }
    if token.is_none()
        && let Some(path) = env_set("GITEA_ACCESS_TOKEN_FILE")
    {
        let text = read_file(&path).map_err(|e| ConfigError::TokenFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let trimmed = text.trim_end_matches(['\r', '\n']);
        if !trimmed.is_empty() {
            token = Some(Secret::new(trimmed));
        }
    }
    cfg.token = token.filter(|t| !t.expose().is_empty());
    if let Some(path) = prompts_file {
        cfg.prompts = read_prompts(&path, read_file)?;
    }
    cfg.tools = tools
        .as_deref()
        .map(comma_list)
        .into_iter()
        .flatten()
        .collect();
    cfg.scopes = scopes
        .as_deref()
        .map(comma_list)
        .into_iter()
        .flatten()
        .map(|s| normalize_scope(&s))
        .collect();
    cfg.allowed_hosts = hosts
        .as_deref()
        .map(comma_list)
        .into_iter()
        .flatten()
        .collect();
    cfg.allowed_origins = origins
        .as_deref()
        .map(comma_list)
        .into_iter()
        .flatten()
        .collect();
    if let Some(t) = timeout {
        cfg.gitea_timeout_secs = positive("gitea-timeout", &t, "seconds")?;
    }
    if let Some(n) = max_sessions {
        cfg.max_sessions =
            usize::try_from(positive("max-sessions", &n, "sessions")?).unwrap_or(usize::MAX);
    }
    if let Some(t) = idle {
        cfg.session_idle_secs = positive("session-idle-timeout", &t, "seconds")?;
    }
    Ok(Command::Serve(Box::new(cfg)))
}

mod go_flags;

use go_flags::scan;
pub use go_flags::usage;

#[cfg(test)]
mod tests;
