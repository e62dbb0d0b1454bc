//! A third-party client against the emulator: the `GiteaClient` (httpx) of the PyPI
//! `gitea-mcp` package from the tools venv creates and lists issues, reads a file, and
//! gets Gitea's 404 for a missing one. (The package's tool modules cannot be imported in
//! that venv: its `fastmcp` does not match the installed `mcp`, so only the client is used.)

use std::time::Duration;

use emulator_support::tools::{Tool, require};

use super::common::Fixture;

const SCRIPT: &str = r#"
import asyncio, base64, json, os, sys
from gitea_mcp.client import GiteaClient, GiteaAPIError

async def main():
    c = GiteaClient(os.environ["GITEA_URL"], os.environ["GITEA_TOKEN"], timeout=10, max_retries=0)
    labels = await c.get_list("/repos/user1/mcp/labels")
    bug = [l["id"] for l in labels if l["name"] == "bug"]
    issue = await c.post_json("/repos/user1/mcp/issues", json={"title": "From httpx", "labels": bug})
    listed = await c.get_list("/repos/user1/mcp/issues", params={"state": "open", "type": "issues"})
    f = await c.get_json("/repos/user1/mcp/contents/agent/Containerfile", params={"ref": "broken"})
    text = base64.b64decode(f["content"]).decode()
    try:
        await c.get_json("/repos/user1/mcp/contents/agent/requirements.txt", params={"ref": "broken"})
        missing = None
    except GiteaAPIError as e:
        missing = [e.status_code, json.loads(str(e).split(": ", 1)[1])["message"]]
    await c.close()
    print(json.dumps({"number": issue["number"], "titles": [i["title"] for i in listed],
                      "labels": [l["name"] for l in issue["labels"]], "copy": "COPY requirements.txt" in text,
                      "missing": missing}))

asyncio.run(main())
"#;

#[tokio::test]
async fn pypi_gitea_mcp_client_works_against_the_emulator() {
    let f = Fixture::new().await;
    let python = require(Tool::Python);
    let run = tokio::process::Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .env("GITEA_URL", f.server.base_url())
        .env("GITEA_TOKEN", &f.lab.user_token)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python failed: {stderr}");
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["number"], 1);
    assert_eq!(result["titles"], serde_json::json!(["From httpx"]));
    assert_eq!(result["labels"], serde_json::json!(["bug"]));
    assert_eq!(result["copy"], true);
    assert_eq!(result["missing"], serde_json::json!([404, "not found"]));
    assert_eq!(f.emulator().issues("user1", "mcp").len(), 1);
}
