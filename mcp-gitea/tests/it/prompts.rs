//! Prompts over rmcp: `triage-issue` gathers the issue, its comments and the repository's
//! labels through our own read tools; `review-pull-request` says what it could not read;
//! an operator's prompt is filled in; bad requests are named.

use rmcp::model::GetPromptRequestParams;
use serde_json::{Value, json};
use serve_common::prompt_templates::PromptConfig;

use super::common::{Client, client, start};

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
    let custom: PromptConfig = toml::from_str(
        "name = \"release-notes\"\narguments = [{ name = \"tag\", required = true }]\nmessages = [{ role = \"user\", content = \"Draft release notes for {{tag}}.\" }]\n",
    )
    .unwrap();
    let env = start(|cfg| cfg.prompts = vec![custom]).await;
    let emu = env.emu();
    let index = emu
        .create_issue(
            "user1",
            "mcp",
            "Build fails on main",
            "pip cannot find requirements.txt",
        )
        .unwrap();
    let c = client(&env.url, None).await;
    let names: Vec<String> = c
        .list_all_prompts()
        .await
        .unwrap()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(
        names,
        vec!["triage-issue", "review-pull-request", "release-notes"]
    );

    let text = get(
        &c,
        "triage-issue",
        json!({"owner": "user1", "repo": "mcp", "index": index}),
    )
    .await
    .unwrap();
    assert!(
        text.starts_with(&format!("# Issue user1/mcp#{index}")),
        "{text}"
    );
    assert!(
        text.contains("pip cannot find requirements.txt"),
        "the issue is gathered: {text}"
    );
    assert!(text.contains("## The repository's labels"), "{text}");
    assert!(text.contains("Change nothing."), "{text}");

    let text = get(
        &c,
        "review-pull-request",
        json!({"owner": "user1", "repo": "mcp", "index": "999"}),
    )
    .await
    .unwrap();
    assert!(
        text.contains("could not be read"),
        "a missing pull request is said: {text}"
    );

    let text = get(&c, "release-notes", json!({"tag": "v1.2"}))
        .await
        .unwrap();
    assert_eq!(text, "Draft release notes for v1.2.");

    for (name, args, expected) in [
        (
            "triage-issue",
            json!({"owner": "user1", "repo": "mcp"}),
            "argument \"index\" must be a positive number",
        ),
        (
            "triage-issue",
            json!({"repo": "mcp", "index": 1}),
            "argument \"owner\" is required",
        ),
        ("release-notes", json!({}), "argument \"tag\" is required"),
        (
            "nope",
            json!({"owner": "a", "repo": "b", "index": 1}),
            "unknown prompt \"nope\"",
        ),
    ] {
        let e = get(&c, name, args).await.unwrap_err();
        assert!(e.contains(expected), "{name}: {e}");
    }
    // Nothing was written while gathering.
    assert_eq!(emu.issues("user1", "mcp").len(), 1);
}
