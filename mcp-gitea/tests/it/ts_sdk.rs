//! The official TypeScript SDK (`@modelcontextprotocol/sdk`, LibreChat's client) against
//! our server: connect over streamable HTTP, list tools, create an issue.

use std::time::Duration;

use emulator_support::tools::{Tool, require, tools_dir};
use serde_json::Value;

use super::common::start;

#[tokio::test]
async fn typescript_sdk_lists_tools_and_creates_an_issue() {
    let node = require(Tool::Node);
    let node_path = tools_dir().join("npm/node_modules");
    assert!(
        node_path.join("@modelcontextprotocol/sdk").exists(),
        "TypeScript SDK missing in {node_path:?}; run scripts/install-tools"
    );
    let env = start(|c| c.token = None).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ts_sdk_client.mjs");
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(node)
            .arg(script)
            .env("NODE_PATH", &node_path)
            .env("MCP_URL", &env.url)
            .env("GITEA_TOKEN", &env.lab.user_token)
            .env("OWNER", "user1")
            .env("REPO", "mcp")
            .env("TITLE", "from the TypeScript SDK")
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("node timed out")
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(seen["server"]["name"], "Gitea MCP Server");
    assert!(
        seen["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "issue_write")
    );
    let me: Value = serde_json::from_str(seen["me"].as_str().unwrap()).unwrap();
    assert_eq!(me["login"], "user1", "the bearer token was used");
    assert_eq!(seen["isError"], false);
    let created: Value = serde_json::from_str(seen["created"].as_str().unwrap()).unwrap();
    assert!(
        created["html_url"]
            .as_str()
            .unwrap()
            .contains("/user1/mcp/issues/")
    );
    let issues = env.emu().issues("user1", "mcp");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["title"], "from the TypeScript SDK");
}
