//! The list of MCP tool servers: `MCP_SERVERS` (a JSON array) and/or the JSON file named by
//! `MCP_SERVERS_FILE`, plus the two servers the legacy `MCP_OPENSHIFT_*` / `MCP_GITEA_*`
//! variables describe. Every entry becomes one [`ToolServer`]: how to reach the server
//! (URL, transport, token and headers from the environment or a file, timeouts) and its
//! policy (role, required, model-visible tools, evidence calls, pinned arguments,
//! destructive-tool overrides). A bad entry fails the start with a [`ConfigError`] naming
//! the entry and the field; secret values never appear in an error. The JSON Schema of an
//! entry is `agent/mcp-servers.schema.json`.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use super::{McpServerConfig, McpTransport, Secret};
use crate::error::ConfigError;

/// What a server is for; decides which of its tools the agent's own steps use, which
/// arguments are pinned, and whether it is required by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerRole {
    /// The cluster the run failed on: the investigation's reads (`pods_get`, `pods_log`,
    /// `events_list`, `resources_get`) and their namespace pinning.
    Cluster,
    /// The issue tracker: the issue tool (found by capability), de-duplication, labels.
    Issues,
    /// An extra read-only server: its evidence tools feed the investigation.
    Evidence,
}

impl ServerRole {
    /// The name used in the configuration and `/readyz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cluster => "cluster",
            Self::Issues => "issues",
            Self::Evidence => "evidence",
        }
    }
}

/// Where a pinned argument's value comes from: the validated report or the configuration,
/// never the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinSource {
    /// The report's namespace.
    Namespace,
    /// The report's pod.
    Pod,
    /// The issue repository's owner (`MCP_GITEA_USER`).
    Owner,
    /// The issue repository (`MCP_GITEA_REPO`).
    Repo,
}

/// A call the investigation makes on an evidence tool, its arguments a template whose
/// strings may hold `{namespace}`, `{pod}`, `{container}` and `{task_run}`.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceCall {
    /// The tool's name on its server.
    pub tool: String,
    /// The argument template.
    pub arguments: Map<String, Value>,
}

/// The placeholders an evidence argument template may use.
pub const EVIDENCE_PLACEHOLDERS: &[&str] = &["namespace", "pod", "container", "task_run"];

/// What the agent may do with one server's tools.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerPolicy {
    /// The server's role.
    pub role: ServerRole,
    /// A run waits for (and `/readyz` requires) this server; an optional server that is
    /// down only removes its tools.
    pub required: bool,
    /// Tools (names on the server, or `<server>__<tool>`) the model may see and call;
    /// `None`: the global allowlist (`AGENT_TOOL_ALLOWLIST` or the default).
    pub tools: Option<Vec<String>>,
    /// Calls the investigation makes before the loop (their tools are callable by the
    /// agent even when not in `tools`).
    pub evidence: Vec<EvidenceCall>,
    /// Arguments set by the agent on every call of this server's tools that take them.
    pub pin: Vec<(String, PinSource)>,
    /// Destructive tools an operator explicitly lets through (they still need `tools`).
    pub allow_destructive: Vec<String>,
}

impl ServerPolicy {
    /// The policy of a server named by the legacy variables.
    pub fn for_role(role: ServerRole) -> Self {
        Self {
            role,
            required: role != ServerRole::Evidence,
            tools: None,
            evidence: Vec::new(),
            pin: Vec::new(),
            allow_destructive: Vec::new(),
        }
    }

    /// The legacy policy by server name: `openshift` is the cluster, `gitea` the tracker,
    /// anything else an extra (optional) server.
    pub fn by_name(name: &str) -> Self {
        Self::for_role(match name {
            "openshift" => ServerRole::Cluster,
            "gitea" => ServerRole::Issues,
            _ => ServerRole::Evidence,
        })
    }
}

/// One configured tool server: how to reach it and what the agent may do with it.
#[derive(Clone, Debug)]
pub struct ToolServer {
    /// Name, URL, transport and bearer token.
    pub connection: McpServerConfig,
    /// Extra request headers (values from the environment or files; sent, never logged).
    pub headers: Vec<(String, Secret)>,
    /// Limit for connecting, initialising and listing tools (default: the agent's).
    pub connect_timeout: Option<Duration>,
    /// Limit of one tool call (the run's deadline and `MCP_TOOL_TIMEOUT_SECONDS` still apply).
    pub call_timeout: Option<Duration>,
    /// What the agent may do with its tools.
    pub policy: ServerPolicy,
}

impl ToolServer {
    /// A server with the legacy policy of its name and no extras.
    pub fn legacy(connection: McpServerConfig) -> Self {
        let policy = ServerPolicy::by_name(&connection.name);
        Self {
            connection,
            headers: Vec::new(),
            connect_timeout: None,
            call_timeout: None,
            policy,
        }
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.connection.name
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    url: String,
    #[serde(default)]
    transport: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    token: Option<RawSecret>,
    #[serde(default)]
    headers: BTreeMap<String, RawSecret>,
    #[serde(default)]
    connect_timeout_seconds: Option<u64>,
    #[serde(default)]
    call_timeout_seconds: Option<u64>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    required: Option<bool>,
    #[serde(default)]
    tools: Option<Vec<String>>,
    #[serde(default)]
    evidence: BTreeMap<String, Value>,
    #[serde(default)]
    pin: BTreeMap<String, String>,
    #[serde(default)]
    allow_destructive: Vec<String>,
}

/// A secret reference: exactly one of an environment variable or a file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    file: Option<String>,
}

/// Reads the servers of one JSON document (`source` names where it came from for errors).
pub(super) fn parse_list(
    source: &str,
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<ToolServer>, ConfigError> {
    let fail = |reason: String| ConfigError::Invalid {
        variable: source.to_string(),
        reason,
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail(format!("not valid JSON: {e}")))?;
    let Value::Array(entries) = value else {
        return Err(fail("expected a JSON array of server entries".into()));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (index, entry) in entries.into_iter().enumerate() {
        let label = match entry.get("name").and_then(Value::as_str) {
            Some(name) => format!("entry {} ({name:?})", index + 1),
            None => format!("entry {}", index + 1),
        };
        let at = |field: &str, why: String| fail(format!("{label}, field `{field}`: {why}"));
        let raw: RawEntry = serde_json::from_value(entry).map_err(|e| {
            let text = e.to_string();
            let field = field_of(&text);
            at(&field, text)
        })?;
        out.push(build(raw, &at, lookup)?);
    }
    Ok(out)
}

/// The field a serde message names (`missing field `url``, `unknown field `x``).
fn field_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_else(|| "?".into())
}

fn build(
    raw: RawEntry,
    at: &dyn Fn(&str, String) -> ConfigError,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ToolServer, ConfigError> {
    let name = raw.name.trim().to_string();
    let name_ok = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if !name_ok {
        return Err(at(
            "name",
            format!("{name:?}: expected 1-32 lower-case letters, digits or '-'"),
        ));
    }
    let url = server_url(&raw.url).map_err(|why| at("url", format!("{:?}: {why}", raw.url)))?;
    let transport = match raw.transport.as_deref().map(str::trim) {
        None | Some("streamable-http") => McpTransport::StreamableHttp,
        Some("sse") => McpTransport::Sse,
        Some(other) => {
            return Err(at(
                "transport",
                format!("{other:?}: expected sse or streamable-http"),
            ));
        }
    };
    let role = match raw.role.as_deref() {
        None | Some("evidence") => ServerRole::Evidence,
        Some("cluster") => ServerRole::Cluster,
        Some("issues") => ServerRole::Issues,
        Some(other) => {
            return Err(at(
                "role",
                format!("{other:?}: expected cluster, issues or evidence"),
            ));
        }
    };
    let bearer = match raw.token {
        Some(reference) => Some(secret(&reference, lookup).map_err(|why| at("token", why))?),
        None => legacy_token(&name, lookup).map_err(|why| at("token", why))?,
    }
    .filter(|t| !t.expose().is_empty());
    let mut headers = Vec::new();
    for (header, reference) in &raw.headers {
        let field = format!("headers.{header}");
        if reqwest::header::HeaderName::from_bytes(header.as_bytes()).is_err() {
            return Err(at(&field, "not a valid header name".into()));
        }
        let value = secret(reference, lookup).map_err(|why| at(&field, why))?;
        if reqwest::header::HeaderValue::from_str(value.expose()).is_err() {
            return Err(at(&field, "the value is not a valid header value".into()));
        }
        headers.push((header.clone(), value));
    }
    let seconds = |field: &str, value: Option<u64>| match value {
        None => Ok(None),
        Some(s) if (1..=3_600).contains(&s) => Ok(Some(Duration::from_secs(s))),
        Some(s) => Err(at(field, format!("{s}: must be between 1 and 3600"))),
    };
    let connect_timeout = seconds("connect_timeout_seconds", raw.connect_timeout_seconds)?;
    let call_timeout = seconds("call_timeout_seconds", raw.call_timeout_seconds)?;
    let names = |field: &str, list: &[String]| -> Result<(), ConfigError> {
        match list.iter().find(|t| !tool_name_ok(t)) {
            Some(bad) => Err(at(field, format!("{bad:?} is not a tool name"))),
            None => Ok(()),
        }
    };
    if let Some(tools) = &raw.tools {
        names("tools", tools)?;
    }
    names("allow_destructive", &raw.allow_destructive)?;
    let mut evidence = Vec::new();
    for (tool, template) in raw.evidence {
        let field = format!("evidence.{tool}");
        if !tool_name_ok(&tool) {
            return Err(at(&field, "not a tool name".into()));
        }
        let arguments = match template {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            _ => return Err(at(&field, "expected an object of arguments".into())),
        };
        if let Some(bad) = unknown_placeholder(&Value::Object(arguments.clone())) {
            return Err(at(
                &field,
                format!(
                    "unknown placeholder {{{bad}}} (known: {})",
                    EVIDENCE_PLACEHOLDERS.join(", ")
                ),
            ));
        }
        evidence.push(EvidenceCall { tool, arguments });
    }
    let mut pin = Vec::new();
    for (argument, source) in raw.pin {
        let source = match source.as_str() {
            "namespace" => PinSource::Namespace,
            "pod" => PinSource::Pod,
            "owner" => PinSource::Owner,
            "repo" => PinSource::Repo,
            other => {
                return Err(at(
                    &format!("pin.{argument}"),
                    format!("{other:?}: expected namespace, pod, owner or repo"),
                ));
            }
        };
        pin.push((argument, source));
    }
    Ok(ToolServer {
        connection: McpServerConfig {
            label: raw.label.unwrap_or_else(|| name.clone()),
            name,
            url,
            transport,
            bearer,
        },
        headers,
        connect_timeout,
        call_timeout,
        policy: ServerPolicy {
            role,
            required: raw.required.unwrap_or(role != ServerRole::Evidence),
            tools: raw.tools,
            evidence,
            pin,
            allow_destructive: raw.allow_destructive,
        },
    })
}

/// An http(s) URL without its fragment (`/sse#openshift` names the server for humans).
pub(super) fn server_url(raw: &str) -> Result<Url, String> {
    let mut url = Url::parse(raw.trim()).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("expected an http or https URL".into());
    }
    url.set_fragment(None);
    Ok(url)
}

/// A tool name as MCP and OpenAI accept it.
fn tool_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The first `{placeholder}` in a template's strings that is not a known one. Only
/// `{identifier}` (lower-case letters and `_`) is a placeholder; other braces (a PromQL
/// label matcher `up{pod="{pod}"}`) are literal text.
fn unknown_placeholder(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let name: &str = after
                    .split_once('}')
                    .map(|(name, _)| name)
                    .unwrap_or_default();
                let identifier =
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                if identifier && !EVIDENCE_PLACEHOLDERS.contains(&name) {
                    return Some(name.to_string());
                }
                rest = after;
            }
            None
        }
        Value::Array(items) => items.iter().find_map(unknown_placeholder),
        Value::Object(map) => map.values().find_map(unknown_placeholder),
        _ => None,
    }
}

/// A secret from exactly one of an environment variable or a file.
fn secret(
    reference: &RawSecret,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Secret, String> {
    match (&reference.env, &reference.file) {
        (Some(var), None) => lookup(var)
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim()))
            .ok_or_else(|| format!("environment variable {var} is not set")),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map(|text| Secret::new(text.trim()))
            .map_err(|e| format!("cannot read {path}: {e}")),
        _ => Err("expected exactly one of `env` or `file`".into()),
    }
}

/// `MCP_<NAME>_TOKEN` / `MCP_<NAME>_TOKEN_FILE`, as for the legacy servers.
fn legacy_token(
    name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, String> {
    let var = format!("MCP_{}_TOKEN", name.to_uppercase().replace('-', "_"));
    let file_var = format!("{var}_FILE");
    if let Some(path) = lookup(&file_var).filter(|p| !p.trim().is_empty()) {
        return std::fs::read_to_string(path.trim())
            .map(|t| Some(Secret::new(t.trim())))
            .map_err(|e| format!("{file_var}: cannot read {path}: {e}"));
    }
    Ok(lookup(&var)
        .filter(|v| !v.trim().is_empty())
        .map(|v| Secret::new(v.trim())))
}

/// Appends `more` to `servers`, refusing a second server of the same name.
pub(super) fn merge(
    source: &str,
    servers: &mut Vec<ToolServer>,
    more: Vec<ToolServer>,
) -> Result<(), ConfigError> {
    let mut names: HashSet<String> = servers.iter().map(|s| s.name().to_string()).collect();
    for (index, server) in more.into_iter().enumerate() {
        if !names.insert(server.name().to_string()) {
            return Err(ConfigError::Invalid {
                variable: source.to_string(),
                reason: format!(
                    "entry {} ({:?}), field `name`: a server of that name is already configured \
                     (by MCP_{}_URL or an earlier entry)",
                    index + 1,
                    server.name(),
                    server.name().to_uppercase().replace('-', "_")
                ),
            });
        }
        servers.push(server);
    }
    Ok(())
}
