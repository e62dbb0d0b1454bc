use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Map, Value};

use super::*;
use crate::catalog::{Kind, SCOPES};
use crate::gitea_client::{ClientOptions, GiteaClient};

#[test]
fn catalog_is_consistent() {
    let all = registry();
    let names: BTreeSet<&str> = all.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), all.len(), "tool names are unique");
    for spec in &all {
        assert!(
            SCOPES.contains(&spec.scope),
            "{}: scope {}",
            spec.name,
            spec.scope
        );
        let schema = Value::Object(spec.input_schema(&[]));
        for r in schema["required"].as_array().into_iter().flatten() {
            assert!(
                spec.has_param(r.as_str().unwrap()),
                "{}: required {r} is not a parameter",
                spec.name
            );
        }
        let tool = spec.to_tool();
        let ann = tool.annotations.unwrap();
        assert_eq!(
            ann.read_only_hint,
            Some(spec.kind == Kind::Read),
            "{}",
            spec.name
        );
        if spec.kind == Kind::Read {
            assert!(
                !spec.name.starts_with("create") && !spec.name.starts_with("delete"),
                "{}",
                spec.name
            );
        }
    }
    for (old, new, _) in crate::legacy::ALIASES {
        assert!(names.contains(new), "legacy {old} points at unknown {new}");
        assert!(!names.contains(old), "legacy {old} shadows a current tool");
    }
}

#[tokio::test]
async fn every_tool_is_routed_and_validates_before_calling_gitea() {
    // Port 9 on loopback: nothing listens, so any request would fail with a transport error.
    let gitea = GiteaClient::new(&ClientOptions {
        host: "http://127.0.0.1:9".into(),
        insecure: false,
        timeout: Duration::from_secs(2),
    })
    .unwrap();
    let ctx = ToolContext {
        gitea: &gitea,
        token: None,
    };
    let specs = registry();
    for spec in &specs {
        assert!(spec.handler().is_some(), "{} has no handler", spec.name);
        let schema = Value::Object(spec.input_schema(&[]));
        if schema.get("required").is_none() {
            continue;
        }
        let err = dispatch(&specs, ctx, spec.name, &Args::new(Map::new()))
            .await
            .unwrap_err();
        assert!(matches!(err, ToolError::Missing(_)), "{}: {err}", spec.name);
    }
    let err = dispatch(&specs, ctx, "nope", &Args::default())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "tool nope is not implemented");
}

#[test]
fn readme_lists_every_tool_and_legacy_name() {
    let readme = include_str!("../../README.md");
    for spec in registry() {
        let quoted = format!("`{}`", spec.name);
        assert!(readme.contains(&quoted), "README misses {quoted}");
    }
    for (old, _, _) in crate::legacy::ALIASES {
        assert!(readme.contains(old), "README misses legacy name {old}");
    }
}

#[test]
fn the_catalog_has_upstreams_57_tools() {
    // Upstream ≈v1.8 registers 57 tools; with the Actions, wiki, time tracking,
    // notification, package, project and attachment groups we have each of them.
    let names: BTreeSet<&str> = registry().iter().map(|s| s.name).collect();
    assert_eq!(names.len(), 57, "{names:?}");
    for group in [
        "actions_run_",
        "actions_config_",
        "wiki_",
        "timetracking_",
        "notification_",
        "package_",
        "project_",
    ] {
        for side in ["read", "write"] {
            assert!(
                names.contains(format!("{group}{side}").as_str()),
                "{group}{side}"
            );
        }
    }
    assert!(names.contains("attachment_read"));
}
