//! Prompts over a real MCP client (rmcp): the built-ins gather the lab's facts through our own
//! tools, an operator's `[[prompts]]` entry is filled in, bad requests are named.

use rmcp::model::GetPromptRequestParams;
use serde_json::{Value, json};

use super::util::{BOTH, Client, connect, start};

async fn get(c: &Client, name: &str, args: Value) -> Result<String, String> {
    let mut p = GetPromptRequestParams::new(name);
    p.arguments = args.as_object().cloned();
    match c.get_prompt(p).await {
        Ok(r) => {
            let v = serde_json::to_value(&r).unwrap();
            Ok(v["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    m["content"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test]
async fn builtin_and_operator_prompts() {
    let dir = std::env::temp_dir().join(format!("mcp-os-prompts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("config.toml");
    std::fs::write(
        &toml,
        r#"
[[prompts]]
name = "explain-pod"
title = "Explain a pod"
description = "Explain what a pod does"
arguments = [{ name = "pod", description = "The pod", required = true }]
messages = [{ role = "user", content = "Explain pod {{pod}} to a new team member." }]
"#,
    )
    .unwrap();
    let h = start(&[
        "--toolsets",
        "core,config,tekton",
        "--config",
        toml.to_str().unwrap(),
    ])
    .await;
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, None).await;
        let prompts = c.list_all_prompts().await.unwrap();
        let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "cluster-health-check",
                "pipeline-troubleshoot",
                "explain-pod"
            ],
            "{t:?}"
        );

        let text = get(
            &c,
            "pipeline-troubleshoot",
            json!({"name": h.lab.pipeline_run, "namespace": h.lab.namespace}),
        )
        .await
        .unwrap();
        assert!(
            text.contains(&format!("# PipelineRun {}", h.lab.pipeline_run)),
            "{text}"
        );
        assert!(
            text.contains(&h.lab.failure_line),
            "the failed step's log is gathered: {text}"
        );
        assert!(text.contains(&h.lab.task_run), "{text}");
        assert!(text.contains("propose a concrete fix"), "{text}");

        let text = get(
            &c,
            "cluster-health-check",
            json!({"namespace": h.lab.namespace}),
        )
        .await
        .unwrap();
        assert!(
            text.contains(&format!("# Health of namespace {}", h.lab.namespace)),
            "{text}"
        );
        assert!(text.contains("byPhase"), "{text}");
        assert!(
            text.contains(&h.lab.pod),
            "the failed pod is listed: {text}"
        );

        let text = get(&c, "explain-pod", json!({"pod": "web-0"}))
            .await
            .unwrap();
        assert_eq!(text, "Explain pod web-0 to a new team member.");

        let e = get(&c, "pipeline-troubleshoot", json!({}))
            .await
            .unwrap_err();
        assert!(e.contains("argument \"name\" is required"), "{e}");
        let e = get(&c, "explain-pod", json!({})).await.unwrap_err();
        assert!(e.contains("argument \"pod\" is required"), "{e}");
        let e = get(&c, "nope", json!({})).await.unwrap_err();
        assert!(e.contains("unknown prompt \"nope\""), "{e}");
    }
}
