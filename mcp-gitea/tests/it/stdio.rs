//! The spawned `gitea-mcp` binary over stdio (how desktop clients run it).

use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use testbed::gitea::GiteaEmulator;
use tokio::process::Command;

use super::common::{STEP, ok};

#[tokio::test]
async fn stdio_session_lists_and_calls() {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitea-mcp"));
    cmd.args(["-t", "stdio", "-H", &gitea.base_url()])
        .env("GITEA_ACCESS_TOKEN", &lab.user_token);
    for var in [
        "MCP_MODE",
        "GITEA_READONLY",
        "GITEA_TOOLS",
        "GITEA_SCOPES",
        "GITEA_HOST",
    ] {
        cmd.env_remove(var);
    }
    let transport = TokioChildProcess::new(cmd).unwrap();
    let info = rmcp::model::ClientConfig::new(
        rmcp::model::ClientCapabilities::default(),
        rmcp::model::Implementation::new("it", "1.0"),
    );
    let client = tokio::time::timeout(STEP, info.serve(transport))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        client
            .peer_info()
            .unwrap()
            .server_info
            .as_ref()
            .unwrap()
            .name,
        "Gitea MCP Server"
    );
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "issue_write"));
    let issue = ok(
        &client,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "from stdio"}),
    )
    .await;
    assert_eq!(issue["number"], 1);
    assert_eq!(emu.issues("user1", "mcp")[0]["title"], "from stdio");
    client.cancel().await.unwrap();
}
