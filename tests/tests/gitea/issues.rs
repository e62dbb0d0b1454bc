//! Issues and comments.

use reqwest::Method;
use serde_json::json;

use super::common::{Fixture, send};

#[tokio::test]
async fn create_list_edit_issue() {
    let f = Fixture::new().await;
    let (status, issue) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues")
            .json(&json!({"title": "Build fails", "body": "COPY requirements.txt"})),
    )
    .await;
    assert_eq!(status, 201, "{issue}");
    assert_eq!(issue["number"], 1);
    let base = f.server.base_url();
    assert_eq!(issue["html_url"], format!("{base}/user1/mcp/issues/1"));
    assert_eq!(
        issue["url"],
        format!("{base}/api/v1/repos/user1/mcp/issues/1")
    );
    assert_eq!(
        f.emulator().issues("user1", "mcp")[0]["title"],
        "Build fails"
    );

    let (status, edited) = send(
        f.user(Method::PATCH, "/repos/user1/mcp/issues/1")
            .json(&json!({"state": "closed"})),
    )
    .await;
    assert_eq!((status, edited["state"].as_str()), (201, Some("closed")));
    let (_, open) = send(f.user(Method::GET, "/repos/user1/mcp/issues")).await;
    assert_eq!(open, json!([]));
    let (_, all) = send(f.user(Method::GET, "/repos/user1/mcp/issues?state=all")).await;
    assert_eq!(all.as_array().unwrap().len(), 1);

    let (status, comment) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues/1/comments")
            .json(&json!({"body": "hi"})),
    )
    .await;
    assert_eq!((status, comment["body"].as_str()), (201, Some("hi")));
    let (status, body) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues")
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (422, Some("[Title]: Required"))
    );
    let (status, body) = send(f.user(Method::GET, "/repos/nobody/mcp/issues")).await;
    assert_eq!(status, 404, "{body}");
}
