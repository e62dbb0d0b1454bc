//! The rules that decide which of a server's tools the agent uses and under which name:
//! destructive tools are never offered or called unless the server's entry names them in
//! `allow_destructive`; a tool whose name an earlier server already uses is exposed as
//! `<server>__<tool>`; allowlists accept the bare and the namespaced form.

use rmcp::model::Tool;

use crate::config::{ServerPolicy, ServerRole};

/// The separator of a namespaced tool name (`metrics__query`): OpenAI function names take
/// letters, digits, `_` and `-` only, and server names have no `_`.
pub const NAMESPACE_SEPARATOR: &str = "__";

/// Writes the agent itself constrains (method `create`/`add_comment` only, owner and repo
/// pinned by configuration): allowed on cluster and issue servers despite their verbs.
const AGENT_WRITES: &[&str] = &["issue_write", "create_issue", "create_issue_comment"];

/// Words of a tool name that mark a change to the world (`pods_delete`, `resources_create_or_update`).
const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete",
    "exec",
    "scale",
    "apply",
    "patch",
    "update",
    "create",
    "write",
    "run",
    "remove",
    "install",
    "uninstall",
    "upgrade",
    "restart",
    "kill",
    "edit",
    "replace",
    "drop",
    "merge",
    "push",
    "close",
    "cancel",
    "rollback",
    "evict",
    "drain",
    "cordon",
    "uncordon",
    "approve",
    "trigger",
    "deploy",
    "rollout",
    "set",
    "put",
    "post",
    "rename",
    "transfer",
    "revoke",
    "grant",
    "lock",
    "unlock",
    "archive",
];

/// Whether a tool changes something: the server says so (`destructiveHint`), or a word of
/// its name is a change verb.
pub fn is_destructive(tool: &Tool) -> bool {
    if tool
        .annotations
        .as_ref()
        .and_then(|a| a.destructive_hint)
        .unwrap_or(false)
    {
        return true;
    }
    tool.name
        .to_ascii_lowercase()
        .split(['_', '-', '.'])
        .any(|word| DESTRUCTIVE_WORDS.contains(&word))
}

/// Whether the agent may call `tool` of a server with `policy` at all: a destructive tool
/// only when it is one of the agent's constrained writes on a cluster or issue server, or
/// the operator listed it in `allow_destructive`.
pub fn permits(policy: &ServerPolicy, server: &str, tool: &Tool) -> bool {
    if !is_destructive(tool) {
        return true;
    }
    let name = tool.name.as_ref();
    (policy.role != ServerRole::Evidence && AGENT_WRITES.contains(&name))
        || policy
            .allow_destructive
            .iter()
            .any(|t| names_tool(t, server, name))
}

/// Whether an allowlist entry names `tool` of `server` (bare or namespaced, or `*`).
pub fn names_tool(entry: &str, server: &str, tool: &str) -> bool {
    entry == "*"
        || entry == tool
        || entry
            .strip_prefix(server)
            .and_then(|rest| rest.strip_prefix(NAMESPACE_SEPARATOR))
            .is_some_and(|rest| rest == tool)
}

/// The name a tool is exposed under: its own, or `<server>__<tool>` when taken.
pub fn exposed_name(server: &str, tool: &str, taken: bool) -> String {
    if taken {
        format!("{server}{NAMESPACE_SEPARATOR}{tool}")
    } else {
        tool.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tool(name: &str) -> Tool {
        Tool::new(name.to_string(), "d", Arc::new(serde_json::Map::new()))
    }

    #[test]
    fn change_verbs_and_the_destructive_hint_mark_destructive_tools() {
        for name in [
            "pods_delete",
            "pods_exec",
            "resources_create_or_update",
            "helm_install",
            "pods_run",
            "restart-service",
        ] {
            assert!(is_destructive(&tool(name)), "{name}");
        }
        for name in [
            "pods_log",
            "events_list",
            "query_range",
            "get_settings",
            "fetch",
            "list_runs",
        ] {
            assert!(!is_destructive(&tool(name)), "{name}");
        }
        let mut hinted = tool("query");
        hinted.annotations = Some(rmcp::model::ToolAnnotations::new().destructive(true));
        assert!(is_destructive(&hinted));
    }

    #[test]
    fn only_the_agents_own_writes_or_an_explicit_override_pass() {
        let issues = ServerPolicy::for_role(ServerRole::Issues);
        assert!(permits(&issues, "gitea", &tool("issue_write")));
        assert!(!permits(&issues, "gitea", &tool("delete_repo")));
        let mut extra = ServerPolicy::for_role(ServerRole::Evidence);
        assert!(!permits(&extra, "metrics", &tool("issue_write")));
        assert!(!permits(&extra, "metrics", &tool("restart_pod")));
        extra.allow_destructive = vec!["metrics__restart_pod".into()];
        assert!(permits(&extra, "metrics", &tool("restart_pod")));
        assert!(!permits(&extra, "metrics", &tool("delete_pod")));
    }

    #[test]
    fn allowlist_entries_name_tools_bare_or_namespaced() {
        assert!(names_tool("query", "metrics", "query"));
        assert!(names_tool("metrics__query", "metrics", "query"));
        assert!(!names_tool("other__query", "metrics", "query"));
        assert!(names_tool("*", "metrics", "query"));
        assert_eq!(
            exposed_name("metrics", "pods_log", true),
            "metrics__pods_log"
        );
        assert_eq!(exposed_name("metrics", "query", false), "query");
    }
}
