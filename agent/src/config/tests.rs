use super::*;

fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_map(&map)
}

#[test]
fn defaults_match_the_original_agent() {
    let c = config(&[]).unwrap();
    assert_eq!(c.port, 8000);
    assert_eq!(c.gitea_owner, "user1");
    assert_eq!(c.gitea_repo, "mcp");
    assert_eq!(c.max_iterations, 10);
    assert_eq!(c.llm.model, "Llama-4-Scout-17B-16E-W4A16");
    assert!(c.mcp_servers.is_empty());
    assert_eq!(c.log_format, LogFormat::Text);
    assert_eq!(c.context_window_tokens, 32_768);
}

#[test]
fn llm_url_is_normalised_with_or_without_v1() {
    for raw in [
        "http://llm:4000",
        "http://llm:4000/",
        "http://llm:4000/v1",
        "http://llm:4000/v1/",
    ] {
        let c = config(&[("LITELLM_URL", raw)]).unwrap();
        assert_eq!(c.llm.base_url, "http://llm:4000/v1", "{raw}");
    }
}

#[test]
fn mcp_urls_drop_the_fragment_and_keep_transport_defaults() {
    let c = config(&[
        ("MCP_OPENSHIFT_URL", "http://proxy:8080/sse#openshift"),
        ("MCP_GITEA_URL", "http://gitea-proxy:8080/mcp"),
    ])
    .unwrap();
    assert_eq!(c.mcp_servers.len(), 2);
    assert_eq!(c.mcp_servers[0].url.as_str(), "http://proxy:8080/sse");
    assert_eq!(c.mcp_servers[0].transport, McpTransport::Sse);
    assert_eq!(c.mcp_servers[1].transport, McpTransport::StreamableHttp);
}

#[test]
fn documented_aliases_are_accepted_and_the_code_names_win() {
    let c = config(&[("GITEA_OWNER", "alice"), ("GITEA_REPO", "r")]).unwrap();
    assert_eq!(
        (c.gitea_owner.as_str(), c.gitea_repo.as_str()),
        ("alice", "r")
    );
    let c = config(&[("GITEA_OWNER", "alice"), ("MCP_GITEA_USER", "bob")]).unwrap();
    assert_eq!(c.gitea_owner, "bob");
}

#[test]
fn bad_values_name_the_variable() {
    let cases = [
        ("PORT", "eighty", "PORT"),
        ("MAX_ITERATIONS", "0", "MAX_ITERATIONS"),
        ("MCP_GITEA_URL", "not a url", "MCP_GITEA_URL"),
        ("MCP_OPENSHIFT_URL", "ftp://x/sse", "MCP_OPENSHIFT_URL"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        ("CONTEXT_WINDOW_TOKENS", "100", "CONTEXT_WINDOW_TOKENS"),
        ("LITELLM_URL", "::", "LITELLM_URL"),
    ];
    for (var, value, expected) in cases {
        let err = config(&[(var, value)]).unwrap_err();
        assert!(err.to_string().contains(expected), "{var}: {err}");
    }
    let err = config(&[
        ("MCP_GITEA_URL", "http://g/mcp"),
        ("MCP_GITEA_TRANSPORT", "ws"),
    ])
    .unwrap_err();
    assert!(err.to_string().contains("MCP_GITEA_TRANSPORT"), "{err}");
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = config(&[("LITELLM_API_KEY", "sk-very-secret")]).unwrap();
    assert_eq!(c.llm.api_key.expose(), "sk-very-secret");
    assert!(!format!("{c:?}").contains("sk-very-secret"));
}

#[test]
fn secret_can_come_from_a_file() {
    let dir = std::env::temp_dir().join(format!("agent-cfg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key");
    std::fs::write(&path, "sk-from-file\n").unwrap();
    let c = config(&[("LITELLM_API_KEY_FILE", path.to_str().unwrap())]).unwrap();
    assert_eq!(c.llm.api_key.expose(), "sk-from-file");
    let err = config(&[("LITELLM_API_KEY_FILE", "/nonexistent/key")]).unwrap_err();
    assert!(err.to_string().contains("LITELLM_API_KEY_FILE"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn allowlist_override_and_default_exclude_destructive_tools() {
    let c = config(&[]).unwrap();
    assert!(c.tool_allowlist.iter().any(|t| t == "pods_log"));
    assert!(
        !c.tool_allowlist
            .iter()
            .any(|t| t.contains("delete") || t.contains("exec"))
    );
    let c = config(&[("AGENT_TOOL_ALLOWLIST", "pods_log, create_issue")]).unwrap();
    assert_eq!(c.tool_allowlist, vec!["pods_log", "create_issue"]);
}

#[test]
fn the_answer_cap_follows_the_context_window_unless_set() {
    let c = config(&[]).unwrap();
    assert_eq!(c.llm.max_tokens, 32_768 / 5);
    assert_eq!((c.llm.temperature, c.llm.seed), (None, None));
    let c = config(&[("CONTEXT_WINDOW_TOKENS", "4096")]).unwrap();
    assert_eq!(c.llm.max_tokens, 819);
    let c = config(&[
        ("LLM_MAX_TOKENS", "384"),
        ("LLM_TEMPERATURE", "0"),
        ("LLM_SEED", "42"),
    ])
    .unwrap();
    assert_eq!(c.llm.max_tokens, 384);
    assert_eq!((c.llm.temperature, c.llm.seed), (Some(0.0), Some(42)));
    for bad in [
        ("LLM_MAX_TOKENS", "5"),
        ("LLM_TEMPERATURE", "3"),
        ("LLM_SEED", "-1"),
    ] {
        assert!(config(&[bad]).is_err(), "{bad:?}");
    }
}

#[test]
fn forcing_the_issue_tool_is_on_unless_switched_off() {
    assert!(config(&[]).unwrap().llm.force_issue_tool);
    for (raw, want) in [
        ("false", false),
        ("0", false),
        ("off", false),
        ("true", true),
    ] {
        let c = config(&[("LLM_FORCE_ISSUE_TOOL", raw)]).unwrap();
        assert_eq!(c.llm.force_issue_tool, want, "{raw}");
    }
    assert!(config(&[("LLM_FORCE_ISSUE_TOOL", "maybe")]).is_err());
}

#[test]
fn link_hosts_come_from_gitea_console_and_the_allowed_list() {
    let c = config(&[
        ("GITEA_PUBLIC_URL", "https://gitea.apps.example.com/"),
        ("CONSOLE_URL", "https://console.apps.example.com:8443/"),
        (
            "ISSUE_LINK_ALLOWED_HOSTS",
            " docs.example.org , Registry.Example.com:5000",
        ),
    ])
    .unwrap();
    assert_eq!(
        c.issue_link_hosts,
        [
            "gitea.apps.example.com",
            "console.apps.example.com:8443",
            "docs.example.org",
            "registry.example.com:5000"
        ]
    );
    assert!(config(&[]).unwrap().issue_link_hosts.is_empty());
    for (var, value) in [
        ("GITEA_PUBLIC_URL", "gitea.apps.example.com"),
        ("CONSOLE_URL", "ftp://console.example.com"),
        ("ISSUE_LINK_ALLOWED_HOSTS", "https://docs.example.org/x"),
        ("ISSUE_LINK_ALLOWED_HOSTS", "bad host"),
    ] {
        let err = config(&[(var, value)]).unwrap_err();
        assert!(err.to_string().contains(var), "{var}={value}: {err}");
    }
}

fn list(entries: serde_json::Value) -> String {
    entries.to_string()
}

#[test]
fn the_legacy_variables_map_onto_two_entries_of_the_list() {
    let c = config(&[
        ("MCP_OPENSHIFT_URL", "http://proxy:8080/sse#openshift"),
        ("MCP_GITEA_URL", "http://gitea-proxy:8080/mcp"),
        ("MCP_GITEA_TOKEN", "gitea-token-value"),
    ])
    .unwrap();
    let roles: Vec<(&str, ServerRole, bool)> = c
        .servers
        .iter()
        .map(|s| (s.name(), s.policy.role, s.policy.required))
        .collect();
    assert_eq!(
        roles,
        [
            ("openshift", ServerRole::Cluster, true),
            ("gitea", ServerRole::Issues, true)
        ]
    );
    assert!(c.servers.iter().all(|s| s.policy.tools.is_none()));
    assert_eq!(
        c.servers[1].connection.bearer.as_ref().map(|t| t.expose()),
        Some("gitea-token-value")
    );
}

#[test]
fn a_list_entry_takes_every_field() {
    let servers = list(serde_json::json!([{
        "name": "metrics", "url": "https://metrics.example:8443/mcp#x", "transport": "sse",
        "label": "Metrics", "token": {"env": "METRICS_TOKEN"},
        "headers": {"X-Scope-OrgID": {"env": "TENANT_ID"}},
        "connect_timeout_seconds": 5, "call_timeout_seconds": 7,
        "role": "evidence", "required": true, "tools": ["query", "metrics__range"],
        "evidence": {"query": {"namespace": "{namespace}", "q": "up{pod=\"{pod}\"}"}},
        "pin": {"namespace": "namespace", "project": "repo"},
        "allow_destructive": ["silence_create"]
    }]));
    let c = config(&[
        ("MCP_SERVERS", &servers),
        ("METRICS_TOKEN", "t0ken"),
        ("TENANT_ID", "user57"),
    ])
    .unwrap();
    let s = &c.servers[0];
    assert_eq!(
        s.connection.url.as_str(),
        "https://metrics.example:8443/mcp"
    );
    assert_eq!(s.connection.transport, McpTransport::Sse);
    assert_eq!(s.connection.label, "Metrics");
    assert_eq!(s.connection.bearer.as_ref().unwrap().expose(), "t0ken");
    assert_eq!(s.headers[0].0, "X-Scope-OrgID");
    assert_eq!(s.headers[0].1.expose(), "user57");
    assert_eq!(s.connect_timeout, Some(Duration::from_secs(5)));
    assert_eq!(s.call_timeout, Some(Duration::from_secs(7)));
    assert!(s.policy.required);
    assert_eq!(s.policy.evidence[0].tool, "query");
    assert!(s.policy.pin.contains(&("project".into(), PinSource::Repo)));
    assert_eq!(s.policy.allow_destructive, ["silence_create"]);
    assert_eq!(c.mcp_servers.len(), 1);
    // The secrets do not show in a debug print of the configuration.
    let printed = format!("{c:?}");
    assert!(
        !printed.contains("t0ken") && !printed.contains("user57"),
        "{printed}"
    );
}

#[test]
fn list_entries_default_to_optional_evidence_servers_and_may_use_the_legacy_token() {
    let servers = list(serde_json::json!([{"name": "yard-stick", "url": "http://y/mcp"}]));
    let c = config(&[("MCP_SERVERS", &servers), ("MCP_YARD_STICK_TOKEN", "abc")]).unwrap();
    let s = &c.servers[0];
    assert_eq!(s.policy.role, ServerRole::Evidence);
    assert!(!s.policy.required);
    assert_eq!(s.connection.transport, McpTransport::StreamableHttp);
    assert_eq!(s.connection.bearer.as_ref().unwrap().expose(), "abc");
}

#[test]
fn the_file_and_the_variable_add_up_after_the_legacy_servers() {
    let path = std::env::temp_dir().join(format!("mcp-servers-{}.json", std::process::id()));
    std::fs::write(
        &path,
        list(serde_json::json!([{"name": "fetch", "url": "http://f/mcp"}])),
    )
    .unwrap();
    let servers = list(serde_json::json!([{"name": "metrics", "url": "http://m/mcp"}]));
    let c = config(&[
        ("MCP_OPENSHIFT_URL", "http://o/sse"),
        ("MCP_SERVERS_FILE", path.to_str().unwrap()),
        ("MCP_SERVERS", &servers),
    ])
    .unwrap();
    let names: Vec<&str> = c.servers.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["openshift", "fetch", "metrics"]);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn bad_entries_name_the_entry_and_the_field() {
    let cases = [
        (
            serde_json::json!({"name": "x"}),
            "entry 1 (\"x\"), field `url`",
        ),
        (
            serde_json::json!([{"name": "Bad Name", "url": "http://x/"}]),
            "entry 1 (\"Bad Name\"), field `name`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "role": "admin"}]),
            "field `role`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "call_timeout_seconds": 0}]),
            "field `call_timeout_seconds`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "evidence": {"q": {"a": "{secret}"}}}]),
            "field `evidence.q`: unknown placeholder {secret}",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "pin": {"namespace": "model"}}]),
            "field `pin.namespace`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "headers": {"X-A": {"env": "A", "file": "/f"}}}]),
            "field `headers.X-A`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/"}, {"name": "m", "url": "http://y/"}]),
            "entry 2 (\"m\"), field `name`",
        ),
        (
            serde_json::json!([{"name": "m", "url": "http://x/", "tools": ["a b"]}]),
            "field `tools`",
        ),
    ];
    for (servers, expected) in cases {
        let text = servers.to_string();
        let error = config(&[("MCP_SERVERS", &text)]).unwrap_err().to_string();
        assert!(error.starts_with("invalid MCP_SERVERS"), "{error}");
        // The first case is not an array at all.
        if servers.is_array() {
            assert!(error.contains(expected), "{expected}: {error}");
        } else {
            assert!(error.contains("expected a JSON array"), "{error}");
        }
    }
    // A server of a legacy name twice.
    let servers = list(serde_json::json!([{"name": "gitea", "url": "http://g/mcp"}]));
    let error = config(&[("MCP_GITEA_URL", "http://g/mcp"), ("MCP_SERVERS", &servers)])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("entry 1 (\"gitea\"), field `name`"),
        "{error}"
    );
    assert!(error.contains("MCP_GITEA_URL"), "{error}");
}

#[test]
fn a_secret_header_value_never_appears_in_an_error() {
    let servers = list(serde_json::json!([{"name": "m", "url": "http://x/",
        "headers": {"X-Key": {"env": "HEADER_VALUE"}}}]));
    let error = config(&[("MCP_SERVERS", &servers), ("HEADER_VALUE", "sekrit\nline")])
        .unwrap_err()
        .to_string();
    assert!(error.contains("field `headers.X-Key`"), "{error}");
    assert!(!error.contains("sekrit"), "{error}");
}

#[test]
fn the_json_schema_describes_every_field_an_entry_takes() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../mcp-servers.schema.json")).unwrap();
    let props = schema["items"]["properties"].as_object().unwrap();
    let mut documented: Vec<&str> = props.keys().map(String::as_str).collect();
    documented.sort();
    let mut taken = vec![
        "name",
        "url",
        "transport",
        "label",
        "token",
        "headers",
        "connect_timeout_seconds",
        "call_timeout_seconds",
        "role",
        "required",
        "tools",
        "evidence",
        "pin",
        "allow_destructive",
    ];
    taken.sort();
    assert_eq!(documented, taken);
    assert_eq!(schema["items"]["additionalProperties"], false);
    // Every field the schema lists is accepted by the parser.
    let example = &schema["examples"][0];
    let c = config(&[
        ("MCP_SERVERS", &example.to_string()),
        ("METRICS_TOKEN", "x"),
    ]);
    assert!(c.is_ok(), "{c:?}");
}
