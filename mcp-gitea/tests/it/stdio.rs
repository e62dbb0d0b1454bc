//! The spawned `gitea-mcp` binary over stdio (how desktop clients run it).

use std::process::Stdio;

use gitea_emulator::{GiteaEmulator, LabGitea, RunningGitea};
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout, Command};

use super::common::{STEP, ok};

/// The binary in stdio mode against `gitea` with the lab user's token, isolated from
/// the caller's environment.
fn stdio_command(gitea: &RunningGitea, lab: &LabGitea) -> Command {
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
    cmd
}

#[tokio::test]
async fn stdio_session_lists_and_calls() {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let cmd = stdio_command(&gitea, &lab);
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

/// Writes one JSON-RPC message as a line.
async fn send(stdin: &mut ChildStdin, msg: Value) {
    let mut line = msg.to_string().into_bytes();
    line.push(b'\n');
    stdin.write_all(&line).await.unwrap();
    stdin.flush().await.unwrap();
}

/// The next JSON-RPC message on stdout (each is one line), bounded in time.
async fn next_message(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(STEP, lines.next_line())
        .await
        .expect("no reply in time")
        .unwrap()
        .expect("stdout closed");
    serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("not one JSON message per line: {e}: {line}"))
}

/// Non-object `arguments` (string, array, number, boolean) get -32602 over stdio too,
/// answered in order with the right ids, and the session keeps working afterwards.
#[tokio::test]
async fn stdio_rejects_non_object_arguments_and_survives() {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let mut cmd = stdio_command(&gitea, &lab);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}}),
    )
    .await;
    let init = next_message(&mut lines).await;
    assert_eq!(
        init["result"]["serverInfo"]["name"], "Gitea MCP Server",
        "{init}"
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    let malformed = [json!("oops"), json!([1, 2]), json!(42), json!(true)];
    for (id, args) in (10..).zip(malformed.iter()) {
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "get_me", "arguments": args}}),
        )
        .await;
        let reply = next_message(&mut lines).await;
        assert_eq!(reply["id"], id, "{reply}");
        assert_eq!(reply["error"]["code"], -32602, "{args}: {reply}");
        assert!(reply.get("result").is_none(), "{reply}");
    }
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 20, "method": "tools/call", "params": {
        "name": "issue_write",
        "arguments": {"method": "create", "owner": "user1", "repo": "mcp", "title": "after bad calls"}}}))
    .await;
    let good = next_message(&mut lines).await;
    assert_eq!(good["id"], 20, "{good}");
    assert_ne!(good["result"]["isError"], true, "{good}");
    let text = good["result"]["content"][0]["text"].as_str().unwrap();
    let issue: Value = serde_json::from_str(text).unwrap();
    assert_eq!(issue["number"], 1);
    assert_eq!(emu.issues("user1", "mcp")[0]["title"], "after bad calls");
    drop(stdin);
    // End of input ends the session: the process exits on its own.
    let status = tokio::time::timeout(STEP, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}
