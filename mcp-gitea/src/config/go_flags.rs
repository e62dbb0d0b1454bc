//! Go `flag`-style scanning: the flag table, usage text, and `-x`/`--x`/`-x=v` splitting.

use super::ConfigError;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bool,
    Value,
}

/// (short, long, kind, help). Short names are aliases exactly as upstream defines them.
const FLAGS: &[(&str, &str, Kind, &str)] = &[
    (
        "t",
        "transport",
        Kind::Value,
        "transport: stdio or http (env MCP_MODE overrides)",
    ),
    ("H", "host", Kind::Value, "Gitea base URL (env GITEA_HOST)"),
    (
        "b",
        "bind",
        Kind::Value,
        "HTTP listen address (default all interfaces)",
    ),
    ("p", "port", Kind::Value, "HTTP port (default 8080)"),
    (
        "T",
        "token",
        Kind::Value,
        "Gitea token (env GITEA_ACCESS_TOKEN, GITEA_ACCESS_TOKEN_FILE)",
    ),
    (
        "r",
        "read-only",
        Kind::Bool,
        "expose read tools only (env GITEA_READONLY=true)",
    ),
    (
        "O",
        "tools",
        Kind::Value,
        "comma list of tools to expose (env GITEA_TOOLS)",
    ),
    (
        "S",
        "scope",
        Kind::Value,
        "comma list of scopes to expose (env GITEA_SCOPES)",
    ),
    (
        "d",
        "debug",
        Kind::Bool,
        "debug logging (env GITEA_DEBUG=true)",
    ),
    (
        "",
        "log-json",
        Kind::Bool,
        "log lines as JSON objects on stderr (env GITEA_LOG_JSON=true)",
    ),
    (
        "k",
        "insecure",
        Kind::Bool,
        "skip TLS verification to Gitea (env GITEA_INSECURE=true)",
    ),
    ("v", "version", Kind::Bool, "print the version and exit"),
    (
        "",
        "healthcheck",
        Kind::Bool,
        "probe http://127.0.0.1:<port>/healthz and exit 0/1",
    ),
    (
        "",
        "legacy-tools",
        Kind::Bool,
        "also list pre-consolidation tool names (env GITEA_LEGACY_TOOLS=true)",
    ),
    (
        "",
        "require-token",
        Kind::Bool,
        "refuse HTTP requests without a token (env GITEA_REQUIRE_TOKEN=true)",
    ),
    (
        "",
        "sessions",
        Kind::Bool,
        "issue MCP sessions instead of stateless HTTP (env GITEA_MCP_SESSIONS=true)",
    ),
    (
        "",
        "prompts-file",
        Kind::Value,
        "TOML file of your own [[prompts]] (env GITEA_MCP_PROMPTS_FILE)",
    ),
    (
        "",
        "allowed-hosts",
        Kind::Value,
        "extra Host values to accept, comma list (env GITEA_MCP_ALLOWED_HOSTS)",
    ),
    (
        "",
        "allowed-origins",
        Kind::Value,
        "browser origins to accept besides loopback ones, comma list (env GITEA_MCP_ALLOWED_ORIGINS)",
    ),
    (
        "",
        "max-sessions",
        Kind::Value,
        "most open MCP sessions with -sessions (env GITEA_MCP_MAX_SESSIONS, default 256)",
    ),
    (
        "",
        "session-idle-timeout",
        Kind::Value,
        "seconds before an idle MCP session is closed (env GITEA_MCP_SESSION_IDLE_TIMEOUT, default 300)",
    ),
    (
        "",
        "gitea-timeout",
        Kind::Value,
        "seconds per Gitea call (env GITEA_TIMEOUT, default 30)",
    ),
    ("h", "help", Kind::Bool, "print this help"),
];

/// The usage text printed for `-h` and after a usage error.
pub fn usage() -> String {
    let mut out = String::from("Usage of gitea-mcp:\n");
    for (short, long, kind, help) in FLAGS {
        let names = if short.is_empty() {
            format!("-{long}")
        } else {
            format!("-{short}, -{long}")
        };
        let arg = if *kind == Kind::Value { " value" } else { "" };
        out.push_str(&format!("  {names}{arg}\n    \t{help}\n"));
    }
    out
}

/// Splits Go-style flags into `(long name, value)` pairs; bool flags get `"true"` unless
/// given `=value`.
pub(super) fn scan(args: &[String]) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" || !arg.starts_with('-') || arg == "-" {
            break;
        }
        let body = arg
            .strip_prefix("--")
            .or_else(|| arg.strip_prefix('-'))
            .unwrap_or(arg);
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let (_, long, kind, _) = FLAGS
            .iter()
            .find(|(s, l, _, _)| (!s.is_empty() && *s == name) || *l == name)
            .ok_or_else(|| ConfigError::UnknownFlag(name.to_string()))?;
        let value = match (kind, inline) {
            (_, Some(v)) => v,
            (Kind::Bool, None) => "true".to_string(),
            (Kind::Value, None) => iter
                .next()
                .cloned()
                .ok_or_else(|| ConfigError::MissingValue(long.to_string()))?,
        };
        out.push((*long, value));
    }
    Ok(out)
}
