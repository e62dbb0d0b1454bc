use super::*;

fn parse(args: &[&str]) -> Result<Config, ConfigError> {
    let mut all = vec!["kubernetes-mcp-server"];
    all.extend_from_slice(args);
    Config::from_args(all)
}

#[test]
fn no_flags_means_stdio_with_default_toolsets() {
    let c = parse(&[]).unwrap();
    assert_eq!(c.port, None);
    assert_eq!(c.toolsets, vec!["core", "config"]);
    assert_eq!(c.list_output, ListOutput::Table);
}

#[test]
fn lab_command_line_parses() {
    let c = parse(&["--port", "8000"]).unwrap();
    assert_eq!(c.port, Some(8000));
}

#[test]
fn deprecated_flags_are_accepted_with_a_warning() {
    let c = parse(&[
        "--port",
        "8080",
        "--sse-base-url",
        "http://x",
        "--sse-port",
        "1",
        "--http-port",
        "2",
    ])
    .unwrap();
    assert_eq!(c.warnings.len(), 3);
    assert!(c.warnings[0].contains("--sse-base-url"));
}

#[test]
fn bad_values_name_the_field() {
    let e = parse(&["--list-output", "json"]).unwrap_err().to_string();
    assert!(e.contains("list_output"), "{e}");
    let e = parse(&["--toolsets", "core,kiali"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("kiali"), "{e}");
    let e = parse(&["--port", "http"]).unwrap_err().to_string();
    assert!(e.contains("port"), "{e}");
}

#[test]
fn flags_override_the_toml_file() {
    let dir = std::env::temp_dir().join(format!("mcp-os-cfg-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(&file, "port = \"9000\"\nread_only = true\nlist_output = \"yaml\"\ntoolsets = [\"core\", \"tekton\"]\ndisabled_tools = [\"pods_exec\"]\nsome_upstream_key = 3\n").unwrap();
    let f = file.to_str().unwrap();
    let c = parse(&["--config", f]).unwrap();
    assert_eq!(c.port, Some(9000));
    assert!(c.read_only);
    assert_eq!(c.list_output, ListOutput::Yaml);
    assert_eq!(c.toolsets, vec!["core", "tekton"]);
    assert_eq!(c.disabled_tools, vec!["pods_exec"]);
    let c = parse(&[
        "--config",
        f,
        "--port",
        "7000",
        "--list-output",
        "table",
        "--toolsets",
        "config",
    ])
    .unwrap();
    assert_eq!(c.port, Some(7000));
    assert_eq!(c.list_output, ListOutput::Table);
    assert_eq!(c.toolsets, vec!["config"]);
    std::fs::remove_dir_all(dir).ok();
}
