use std::collections::HashMap;

use super::*;

fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Command, ConfigError> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let files: HashMap<&str, &str> = [
        ("/run/token", "file-token\r\n"),
        (
            "/etc/prompts.toml",
            "[[prompts]]\nname = \"hello\"\nmessages = [{ role = \"user\", content = \"hi\" }]\n",
        ),
        (
            "/etc/bad-role.toml",
            "[[prompts]]\nname = \"x\"\nmessages = [{ role = \"system\", content = \"hi\" }]\n",
        ),
        ("/etc/typo.toml", "[[prompt]]\nname = \"x\"\n"),
    ]
    .into();
    parse(&args, &|k| env.get(k).cloned(), &|p| {
        files
            .get(p)
            .map(|s| s.to_string())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    })
}

fn serve(args: &[&str], env: &[(&str, &str)]) -> Config {
    match run(args, env).unwrap() {
        Command::Serve(cfg) => *cfg,
        other => panic!("expected serve, got {other:?}"),
    }
}

#[test]
fn defaults_match_upstream() {
    let cfg = serve(&[], &[]);
    assert_eq!(cfg.transport, Transport::Stdio);
    assert_eq!(cfg.host, "https://gitea.com");
    assert_eq!(cfg.port, 8080);
    assert_eq!(cfg.bind, None);
    assert!(cfg.token.is_none() && !cfg.read_only && !cfg.require_token && !cfg.sessions);
}

#[test]
fn lab_command_line() {
    let cfg = serve(
        &["-d", "-port", "8000", "-transport", "http"],
        &[
            ("GITEA_HOST", "http://gitea:3000/"),
            ("GITEA_ACCESS_TOKEN", "abc"),
        ],
    );
    assert_eq!(cfg.transport, Transport::Http);
    assert_eq!(cfg.port, 8000);
    assert!(cfg.debug);
    assert_eq!(cfg.host, "http://gitea:3000");
    assert_eq!(cfg.token.unwrap().expose(), "abc");
}

#[test]
fn single_double_dash_and_equals_forms() {
    for args in [
        &["-p", "9000", "-t", "http"][..],
        &["--port", "9000", "--transport", "http"][..],
        &["-port=9000", "--transport=http"][..],
        &["--p=9000", "-t=http"][..],
    ] {
        let cfg = serve(args, &[]);
        assert_eq!(
            (cfg.port, cfg.transport),
            (9000, Transport::Http),
            "{args:?}"
        );
    }
}

#[test]
fn bool_flags_do_not_take_the_next_argument() {
    // Go's flag package: `-r false` sets read-only and stops at the positional `false`.
    let cfg = serve(&["-r", "false", "-p", "1"], &[]);
    assert!(cfg.read_only);
    assert_eq!(cfg.port, 8080);
    let cfg = serve(&["-r=false", "-k=true"], &[("GITEA_READONLY", "true")]);
    assert!(!cfg.read_only && cfg.insecure);
}

#[test]
fn mcp_mode_env_beats_the_flag() {
    assert_eq!(
        serve(&["-t", "stdio"], &[("MCP_MODE", "http")]).transport,
        Transport::Http
    );
    assert_eq!(
        serve(&["-t", "http"], &[("MCP_MODE", "stdio")]).transport,
        Transport::Stdio
    );
}

#[test]
fn flags_beat_env_for_everything_else() {
    let env = [
        ("GITEA_HOST", "http://env"),
        ("GITEA_ACCESS_TOKEN", "env-token"),
        ("GITEA_TOOLS", "get_me"),
        ("GITEA_SCOPES", "user"),
    ];
    let cfg = serve(
        &[
            "-H",
            "http://flag",
            "-T",
            "flag-token",
            "-O",
            "list_issues, issue_read",
            "-S",
            "Pull-Request",
        ],
        &env,
    );
    assert_eq!(cfg.host, "http://flag");
    assert_eq!(cfg.token.unwrap().expose(), "flag-token");
    assert_eq!(
        cfg.tools,
        ["issue_read", "list_issues"].map(String::from).into()
    );
    assert_eq!(cfg.scopes, ["pull_request"].map(String::from).into());
    let cfg = serve(&[], &env);
    assert_eq!(cfg.host, "http://env");
    assert_eq!(cfg.token.unwrap().expose(), "env-token");
    assert_eq!(cfg.scopes, ["user"].map(String::from).into());
}

#[test]
fn token_file_is_the_last_resort_and_is_trimmed() {
    let cfg = serve(&[], &[("GITEA_ACCESS_TOKEN_FILE", "/run/token")]);
    assert_eq!(cfg.token.unwrap().expose(), "file-token");
    let cfg = serve(
        &[],
        &[
            ("GITEA_ACCESS_TOKEN_FILE", "/run/token"),
            ("GITEA_ACCESS_TOKEN", "env"),
        ],
    );
    assert_eq!(cfg.token.unwrap().expose(), "env");
    let err = run(&[], &[("GITEA_ACCESS_TOKEN_FILE", "/missing")]).unwrap_err();
    assert!(matches!(err, ConfigError::TokenFile { .. }), "{err}");
}

#[test]
fn boolean_env_vars_need_exactly_true() {
    assert!(!serve(&[], &[("GITEA_READONLY", "1")]).read_only);
    assert!(serve(&[], &[("GITEA_READONLY", "true")]).read_only);
    assert!(serve(&[], &[("GITEA_LEGACY_TOOLS", "true")]).legacy_tools);
    assert!(serve(&[], &[("GITEA_REQUIRE_TOKEN", "true")]).require_token);
}

#[test]
fn usage_errors_are_specific() {
    assert_eq!(
        run(&["-nope"], &[]).unwrap_err(),
        ConfigError::UnknownFlag("nope".into())
    );
    assert_eq!(
        run(&["-port"], &[]).unwrap_err(),
        ConfigError::MissingValue("port".into())
    );
    assert!(matches!(
        run(&["-port", "99999"], &[]).unwrap_err(),
        ConfigError::InvalidValue { flag: "port", .. }
    ));
    assert!(matches!(
        run(&["-t", "sse"], &[]).unwrap_err(),
        ConfigError::InvalidValue {
            flag: "transport",
            ..
        }
    ));
    assert!(matches!(
        run(&[], &[("MCP_MODE", "sse")]).unwrap_err(),
        ConfigError::InvalidValue {
            flag: "transport",
            ..
        }
    ));
    assert!(matches!(
        run(&["-H", "gitea.local"], &[]).unwrap_err(),
        ConfigError::InvalidValue { flag: "host", .. }
    ));
}

#[test]
fn version_healthcheck_and_help() {
    assert_eq!(run(&["-v"], &[]).unwrap(), Command::Version);
    assert_eq!(run(&["--version"], &[]).unwrap(), Command::Version);
    assert_eq!(
        run(&["-healthcheck", "-p", "8000"], &[]).unwrap(),
        Command::Healthcheck { port: 8000 }
    );
    assert_eq!(run(&["-h"], &[]).unwrap(), Command::Help);
    assert!(usage().contains("-t, -transport value"));
}

#[test]
fn parsing_stops_at_positional_arguments() {
    let cfg = serve(&["-p", "1234", "extra", "-nope"], &[]);
    assert_eq!(cfg.port, 1234);
}

#[test]
fn secrets_are_not_debug_printed() {
    let cfg = serve(&["-T", "hunter2"], &[]);
    assert!(!format!("{cfg:?}").contains("hunter2"));
}

#[test]
fn prompts_file_from_flag_or_env_and_its_errors_named() {
    let cfg = serve(&["-prompts-file", "/etc/prompts.toml"], &[]);
    assert_eq!(cfg.prompts.len(), 1);
    assert_eq!(cfg.prompts[0].name, "hello");
    let cfg = serve(&[], &[("GITEA_MCP_PROMPTS_FILE", "/etc/prompts.toml")]);
    assert_eq!(cfg.prompts.len(), 1);
    for (path, expected) in [
        ("/etc/bad-role.toml", "must be user or assistant"),
        ("/etc/typo.toml", "unknown field"),
        ("/etc/missing.toml", "no such file"),
    ] {
        let e = run(&["-prompts-file", path], &[]).unwrap_err().to_string();
        assert!(e.starts_with(&format!("prompts file {path}: ")), "{e}");
        assert!(e.contains(expected), "{path}: {e}");
    }
}
