//! Command-line flags and the TOML file, merged into one typed [`Config`].
//!
//! Flag and key names follow upstream `kubernetes-mcp-server` so existing deployments keep
//! working; the command line wins over the file, the file over the defaults.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde::Deserialize;

use crate::error::ConfigError;

/// Raw command-line flags, as upstream spells them.
#[derive(Debug, Parser, Default)]
#[command(
    name = "kubernetes-mcp-server",
    version,
    about = "Kubernetes/OpenShift MCP server (stdio, streamable HTTP and legacy SSE)"
)]
pub struct Cli {
    /// Serve HTTP (streamable HTTP on /mcp and legacy SSE on /sse) on this port; stdio when absent
    #[arg(long)]
    pub port: Option<String>,
    /// Address to listen on in HTTP mode
    #[arg(long)]
    pub bind_address: Option<String>,
    /// Path of the kubeconfig file
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// TOML configuration file (flags override its values)
    #[arg(long, env = "K8S_MCP_CONFIG_PATH")]
    pub config: Option<PathBuf>,
    /// Only offer tools marked read-only
    #[arg(long)]
    pub read_only: bool,
    /// Do not offer tools marked destructive
    #[arg(long)]
    pub disable_destructive: bool,
    /// Comma-separated toolsets: config, core, tekton
    #[arg(long, value_delimiter = ',')]
    pub toolsets: Option<Vec<String>>,
    /// Comma-separated allow-list of tool names
    #[arg(long, value_delimiter = ',')]
    pub enabled_tools: Option<Vec<String>>,
    /// Comma-separated deny-list of tool names
    #[arg(long, value_delimiter = ',')]
    pub disabled_tools: Option<Vec<String>>,
    /// Rendering of list results: table or yaml
    #[arg(long)]
    pub list_output: Option<String>,
    /// Log verbosity 0-9 (0-1 warn, 2-4 info, 5-6 debug, 7+ trace)
    #[arg(long)]
    pub log_level: Option<u8>,
    /// Log lines as JSON objects (stderr) instead of text
    #[arg(long)]
    pub log_json: bool,
    /// Streamable HTTP without sessions
    #[arg(long)]
    pub stateless: bool,
    /// Extra Host header values accepted in HTTP mode (comma-separated; `*` accepts any)
    #[arg(long, value_delimiter = ',')]
    pub allowed_hosts: Option<Vec<String>>,
    /// Browser origins accepted besides loopback ones (comma-separated; `*` accepts any)
    #[arg(long, value_delimiter = ',')]
    pub allowed_origins: Option<Vec<String>>,
    /// Most open sessions per transport (streamable HTTP and legacy SSE, each)
    #[arg(long)]
    pub max_sessions: Option<usize>,
    /// Kubeconfig contexts the tools may use (comma-separated; default: every context)
    #[arg(long, value_delimiter = ',')]
    pub allowed_contexts: Option<Vec<String>>,
    /// Seconds after which an idle streamable-HTTP session is closed
    #[arg(long)]
    pub session_idle_timeout: Option<u64>,
    /// Accepted for compatibility; ignored
    #[arg(long, hide = true)]
    pub log_file: Option<String>,
    /// Only the kubeconfig's current context (no `context` argument), as upstream
    #[arg(long)]
    pub disable_multi_cluster: bool,
    /// Accepted for compatibility; ignored
    #[arg(long, hide = true)]
    pub cluster_provider: Option<String>,
    /// Deprecated (upstream <= 0.0.66); ignored with a warning
    #[arg(long, hide = true)]
    pub sse_base_url: Option<String>,
    /// Deprecated (upstream <= 0.0.54); ignored with a warning
    #[arg(long, hide = true)]
    pub sse_port: Option<String>,
    /// Deprecated (upstream <= 0.0.54); ignored with a warning
    #[arg(long, hide = true)]
    pub http_port: Option<String>,
}

/// The TOML file's keys (unknown keys are ignored, as upstream has many we do not use).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FileConfig {
    port: Option<toml::Value>,
    bind_address: Option<String>,
    kubeconfig: Option<PathBuf>,
    read_only: Option<bool>,
    disable_destructive: Option<bool>,
    toolsets: Option<Vec<String>>,
    enabled_tools: Option<Vec<String>>,
    disabled_tools: Option<Vec<String>>,
    list_output: Option<String>,
    log_level: Option<u8>,
    log_json: Option<bool>,
    stateless: Option<bool>,
    allowed_hosts: Option<Vec<String>>,
    allowed_origins: Option<Vec<String>>,
    allowed_contexts: Option<Vec<String>>,
    max_sessions: Option<usize>,
    session_idle_timeout: Option<u64>,
    max_log_read_bytes: Option<u64>,
    max_exec_output_bytes: Option<usize>,
    max_list_output_bytes: Option<usize>,
    #[serde(default)]
    prompts: Vec<serve_common::prompt_templates::PromptConfig>,
    helm_binary: Option<PathBuf>,
    allowed_registries: Option<Vec<String>>,
    sse_base_url: Option<String>,
}

/// How list tools render their result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListOutput {
    /// kubectl-like table from the API server's Table rendering.
    #[default]
    Table,
    /// YAML sequence of the objects.
    Yaml,
}

/// Bounds on what one tool call reads from the cluster, so that no log or command output
/// is ever held whole in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimits {
    /// Bytes of a log `pods_log` reads before it stops (the output itself is capped at
    /// 64 KiB, keeping the end).
    pub log_read_bytes: u64,
    /// Bytes of stdout and of stderr `pods_exec` keeps (the rest is read and dropped).
    pub exec_output_bytes: usize,
    /// Bytes of text a list tool answers with; a longer answer is cut at a line end with a
    /// note on how to ask for less.
    pub list_output_bytes: usize,
}

impl OutputLimits {
    /// Default `log_read_bytes`: 32 MiB.
    pub const LOG_READ_BYTES: u64 = 32 * 1024 * 1024;
    /// Default `exec_output_bytes`: 256 KiB per stream.
    pub const EXEC_OUTPUT_BYTES: usize = 256 * 1024;
    /// Default `list_output_bytes`: 1 MiB.
    pub const LIST_OUTPUT_BYTES: usize = 1024 * 1024;
}

impl Default for OutputLimits {
    fn default() -> Self {
        Self {
            log_read_bytes: Self::LOG_READ_BYTES,
            exec_output_bytes: Self::EXEC_OUTPUT_BYTES,
            list_output_bytes: Self::LIST_OUTPUT_BYTES,
        }
    }
}

/// The helm toolset's settings: `helm_install` runs `binary` (none: it refuses) with the
/// server's kubeconfig, for charts under `allowed_registries` (any https/oci/repo chart when
/// empty).
#[derive(Debug, Clone, Default)]
pub struct HelmSettings {
    /// Path of the pinned helm binary (`helm_binary`).
    pub binary: Option<PathBuf>,
    /// Chart reference prefixes allowed (`allowed_registries`).
    pub allowed_registries: Vec<String>,
    /// The kubeconfig helm uses (the server's `--kubeconfig`).
    pub kubeconfig: Option<PathBuf>,
}

/// Validated settings of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// HTTP port; `None` = stdio.
    pub port: Option<u16>,
    /// Listen address in HTTP mode.
    pub bind_address: IpAddr,
    /// Explicit kubeconfig path.
    pub kubeconfig: Option<PathBuf>,
    /// Only read-only tools.
    pub read_only: bool,
    /// No destructive tools.
    pub disable_destructive: bool,
    /// Enabled toolsets.
    pub toolsets: Vec<String>,
    /// Allow-list of tool names (empty = all).
    pub enabled_tools: Vec<String>,
    /// Deny-list of tool names.
    pub disabled_tools: Vec<String>,
    /// Rendering of lists.
    pub list_output: ListOutput,
    /// Verbosity 0-9.
    pub log_level: u8,
    /// Log lines as JSON objects instead of text.
    pub log_json: bool,
    /// Streamable HTTP without sessions.
    pub stateless: bool,
    /// Extra accepted Host values (besides loopback names and the pod's own addresses).
    pub allowed_hosts: Vec<String>,
    /// Accepted browser origins besides loopback ones (`*` = any).
    pub allowed_origins: Vec<String>,
    /// Kubeconfig contexts the tools may use (empty = every context).
    pub allowed_contexts: Vec<String>,
    /// Only the current context (`--disable-multi-cluster`).
    pub disable_multi_cluster: bool,
    /// Operators' own prompts (`[[prompts]]` in the config file).
    pub prompts: Vec<serve_common::prompt_templates::PromptConfig>,
    /// What the helm toolset may run and install.
    pub helm: HelmSettings,
    /// Most open sessions per transport.
    pub max_sessions: usize,
    /// Idle time after which a streamable-HTTP session is closed.
    pub session_idle_timeout: std::time::Duration,
    /// What one tool call may read of a log or a command's output.
    pub limits: OutputLimits,
    /// Notes about ignored deprecated settings, logged once tracing is up.
    pub warnings: Vec<String>,
}

/// Default `--max-sessions`.
pub const DEFAULT_MAX_SESSIONS: usize = 256;
/// Default `--session-idle-timeout` (rmcp's own default).
pub const DEFAULT_SESSION_IDLE: std::time::Duration = std::time::Duration::from_secs(300);

/// Toolsets this server implements.
pub const KNOWN_TOOLSETS: &[&str] = &["config", "core", "helm", "tekton"];

impl Default for Config {
    fn default() -> Self {
        Self {
            port: None,
            bind_address: IpAddr::from([127, 0, 0, 1]),
            kubeconfig: None,
            read_only: false,
            disable_destructive: false,
            toolsets: vec!["core".into(), "config".into()],
            enabled_tools: Vec::new(),
            disabled_tools: Vec::new(),
            list_output: ListOutput::Table,
            log_level: 2,
            log_json: false,
            stateless: false,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            allowed_contexts: Vec::new(),
            disable_multi_cluster: false,
            prompts: Vec::new(),
            helm: HelmSettings::default(),
            max_sessions: DEFAULT_MAX_SESSIONS,
            session_idle_timeout: DEFAULT_SESSION_IDLE,
            limits: OutputLimits::default(),
            warnings: Vec::new(),
        }
    }
}

impl Config {
    /// Merge flags over the TOML file (if any) over the defaults, and validate.
    pub fn load(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::merge(cli, file)
    }

    /// Parse flags given as an argument list (tests and `main`).
    pub fn from_args<I, T>(args: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let cli = Cli::try_parse_from(args).map_err(|e| ConfigError::Flags(e.to_string()))?;
        Self::load(cli)
    }

    fn merge(cli: Cli, file: FileConfig) -> Result<Self, ConfigError> {
        let d = Config::default();
        let mut warnings = Vec::new();
        for (flag, value) in [
            ("--sse-base-url", &cli.sse_base_url),
            ("--sse-port", &cli.sse_port),
            ("--http-port", &cli.http_port),
        ] {
            if value.is_some() {
                warnings.push(format!("flag {flag} is deprecated and ignored; use --port (serves /sse, /message and /mcp)"));
            }
        }
        if file.sse_base_url.is_some() {
            warnings.push("config key sse_base_url is deprecated and ignored".to_string());
        }
        let port = match (cli.port, file.port) {
            (Some(p), _) => Some(parse_port(&p)?),
            (None, Some(toml::Value::Integer(i))) => Some(parse_port(&i.to_string())?),
            (None, Some(toml::Value::String(s))) => Some(parse_port(&s)?),
            (None, Some(other)) => {
                return Err(ConfigError::Invalid {
                    field: "port",
                    reason: format!("expected a number, got {other}"),
                });
            }
            (None, None) => None,
        };
        let bind = cli.bind_address.or(file.bind_address);
        let bind_address = match bind {
            Some(b) => b.parse().map_err(|_| ConfigError::Invalid {
                field: "bind_address",
                reason: format!("{b:?} is not an IP address"),
            })?,
            None => d.bind_address,
        };
        let list_output = match cli.list_output.or(file.list_output).as_deref() {
            None | Some("table") => ListOutput::Table,
            Some("yaml") => ListOutput::Yaml,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    field: "list_output",
                    reason: format!("{other:?} is not one of table, yaml"),
                });
            }
        };
        let toolsets: Vec<String> =
            clean_list(cli.toolsets.or(file.toolsets)).unwrap_or(d.toolsets);
        if let Some(bad) = toolsets
            .iter()
            .find(|t| !KNOWN_TOOLSETS.contains(&t.as_str()))
        {
            return Err(ConfigError::Invalid {
                field: "toolsets",
                reason: format!(
                    "unknown toolset {bad:?} (available: {})",
                    KNOWN_TOOLSETS.join(", ")
                ),
            });
        }
        let log_level = cli.log_level.or(file.log_level).unwrap_or(d.log_level);
        if log_level > 9 {
            return Err(ConfigError::Invalid {
                field: "log_level",
                reason: format!("{log_level} is not within 0-9"),
            });
        }
        let max_sessions = cli
            .max_sessions
            .or(file.max_sessions)
            .unwrap_or(d.max_sessions);
        if max_sessions == 0 {
            return Err(ConfigError::Invalid {
                field: "max_sessions",
                reason: "must be at least 1".into(),
            });
        }
        let idle = cli.session_idle_timeout.or(file.session_idle_timeout);
        if idle == Some(0) {
            return Err(ConfigError::Invalid {
                field: "session_idle_timeout",
                reason: "must be at least 1 second".into(),
            });
        }
        let limits = OutputLimits {
            log_read_bytes: positive(file.max_log_read_bytes, "max_log_read_bytes")?
                .unwrap_or(d.limits.log_read_bytes),
            exec_output_bytes: positive(file.max_exec_output_bytes, "max_exec_output_bytes")?
                .unwrap_or(d.limits.exec_output_bytes),
            list_output_bytes: positive(file.max_list_output_bytes, "max_list_output_bytes")?
                .unwrap_or(d.limits.list_output_bytes),
        };
        Ok(Config {
            port,
            bind_address,
            kubeconfig: cli.kubeconfig.or(file.kubeconfig),
            read_only: cli.read_only || file.read_only.unwrap_or(false),
            disable_destructive: cli.disable_destructive
                || file.disable_destructive.unwrap_or(false),
            toolsets,
            enabled_tools: clean_list(cli.enabled_tools.or(file.enabled_tools)).unwrap_or_default(),
            disabled_tools: clean_list(cli.disabled_tools.or(file.disabled_tools))
                .unwrap_or_default(),
            list_output,
            log_level,
            log_json: cli.log_json || file.log_json.unwrap_or(false),
            stateless: cli.stateless || file.stateless.unwrap_or(false),
            allowed_hosts: clean_list(cli.allowed_hosts.or(file.allowed_hosts)).unwrap_or_default(),
            allowed_origins: clean_list(cli.allowed_origins.or(file.allowed_origins))
                .unwrap_or_default(),
            allowed_contexts: clean_list(cli.allowed_contexts.or(file.allowed_contexts))
                .unwrap_or_default(),
            disable_multi_cluster: cli.disable_multi_cluster,
            prompts: {
                serve_common::prompt_templates::validate(&file.prompts).map_err(|reason| {
                    ConfigError::Invalid {
                        field: "prompts",
                        reason,
                    }
                })?;
                file.prompts
            },
            helm: HelmSettings {
                binary: file.helm_binary,
                allowed_registries: clean_list(file.allowed_registries).unwrap_or_default(),
                kubeconfig: None,
            },
            max_sessions,
            session_idle_timeout: idle
                .map(std::time::Duration::from_secs)
                .unwrap_or(d.session_idle_timeout),
            limits,
            warnings,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Toml {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn parse_port(p: &str) -> Result<u16, ConfigError> {
    p.trim().parse().map_err(|_| ConfigError::Invalid {
        field: "port",
        reason: format!("{p:?} is not a port number"),
    })
}

fn positive<T: Default + PartialEq>(
    v: Option<T>,
    field: &'static str,
) -> Result<Option<T>, ConfigError> {
    if v.as_ref().is_some_and(|v| *v == T::default()) {
        return Err(ConfigError::Invalid {
            field,
            reason: "must be greater than 0".into(),
        });
    }
    Ok(v)
}

fn clean_list(list: Option<Vec<String>>) -> Option<Vec<String>> {
    list.map(|l| {
        l.into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

#[cfg(test)]
mod tests;
