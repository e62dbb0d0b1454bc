//! `-read-only`, `-tools`, `-scope` and `-legacy-tools`: what is listed and what may run.

use std::collections::BTreeSet;

use serde_json::json;

use super::common::{client, err, ok, start};

async fn names(url: &str) -> BTreeSet<String> {
    let c = client(url, None).await;
    let tools = c.list_all_tools().await.unwrap();
    c.cancel().await.unwrap();
    tools.iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test]
async fn read_only_lists_and_runs_reads_only() {
    let env = start(|c| c.read_only = true).await;
    let listed = names(&env.url).await;
    assert!(listed.contains("list_issues") && listed.contains("issue_read"));
    assert!(!listed.contains("issue_write") && !listed.contains("delete_branch"));
    let c = client(&env.url, None).await;
    let e = err(
        &c,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "x"}),
    )
    .await;
    assert!(e.contains("read-only"), "{e}");
    let e = err(
        &c,
        "create_issue",
        json!({"owner": "user1", "repo": "mcp", "title": "x"}),
    )
    .await;
    assert!(
        e.contains("read-only"),
        "legacy names obey the filter too: {e}"
    );
    assert!(env.emu().issues("user1", "mcp").is_empty());
    ok(&c, "list_issues", json!({"owner": "user1", "repo": "mcp"})).await;
}

#[tokio::test]
async fn tools_and_scopes_are_a_union() {
    let env = start(|c| {
        c.tools = ["get_me".to_string()].into();
        c.scopes = ["branch".to_string()].into();
    })
    .await;
    let listed = names(&env.url).await;
    let expected: BTreeSet<String> = [
        "get_me",
        "create_branch",
        "delete_branch",
        "list_branches",
        "rename_branch",
    ]
    .map(String::from)
    .into();
    assert_eq!(listed, expected);
    let c = client(&env.url, None).await;
    let e = err(&c, "list_issues", json!({"owner": "user1", "repo": "mcp"})).await;
    assert!(e.contains("disabled"), "{e}");
    ok(
        &c,
        "list_branches",
        json!({"owner": "user1", "repo": "mcp"}),
    )
    .await;
}

#[tokio::test]
async fn legacy_tools_are_listed_on_request() {
    let env = start(|c| c.legacy_tools = true).await;
    let c = client(&env.url, None).await;
    let tools = c.list_all_tools().await.unwrap();
    let create = tools
        .iter()
        .find(|t| t.name == "create_issue")
        .expect("legacy name listed");
    let schema = serde_json::Value::Object((*create.input_schema).clone());
    assert!(
        schema["properties"].get("method").is_none(),
        "method is fixed for legacy names"
    );
    assert!(schema["properties"].get("title").is_some());
    let made = ok(
        &c,
        "create_issue",
        json!({"owner": "user1", "repo": "mcp", "title": "legacy"}),
    )
    .await;
    assert_eq!(made["Result"]["title"], "legacy");
    assert_eq!(env.emu().issues("user1", "mcp")[0]["title"], "legacy");
}
