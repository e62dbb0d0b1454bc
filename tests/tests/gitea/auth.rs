//! Authentication and scope enforcement.

use reqwest::Method;
use serde_json::json;

use super::common::{Fixture, send};

#[tokio::test]
async fn header_schemes_basic_auth_and_query_tokens() {
    let f = Fixture::new().await;
    for scheme in ["token", "Bearer", "TOKEN", "bearer"] {
        let (status, body) = send(
            f.client
                .get(f.url("/user"))
                .header("Authorization", format!("{scheme} {}", f.lab.user_token)),
        )
        .await;
        assert_eq!(status, 200, "{scheme}");
        assert_eq!(body["login"], "user1");
    }
    let (status, body) = send(
        f.client
            .get(f.url("/user"))
            .basic_auth("user1", Some(&f.lab.user_password)),
    )
    .await;
    assert_eq!((status, body["login"].as_str()), (200, Some("user1")));
    let (status, body) = send(
        f.client
            .get(f.url("/user"))
            .basic_auth("user1", Some("wrong")),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "invalid username, password or token");
    assert!(body["url"].as_str().unwrap().ends_with("/api/swagger"));
    // Query tokens are not accepted: the request is anonymous.
    let path = format!("/user?token={}", f.lab.user_token);
    let (status, body) = send(f.client.get(f.url(&path))).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("token is required"))
    );
    let path = format!("/user?access_token={}", f.lab.user_token);
    assert_eq!(send(f.client.get(f.url(&path))).await.0, 401);
    let (status, _) = send(f.req(Method::GET, "/user", "0123456789abcdef")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn read_token_cannot_write() {
    let f = Fixture::new().await;
    let read = f
        .emulator()
        .create_token("user1", "ro", &["read:issue", "read:repository"]);
    let (status, issues) = send(f.req(Method::GET, "/repos/user1/mcp/issues", &read)).await;
    assert_eq!((status, issues), (200, json!([])));
    let (status, body) = send(
        f.req(Method::POST, "/repos/user1/mcp/issues", &read)
            .json(&json!({"title": "x"})),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["message"],
        "token does not have at least one of required scope(s), required=[write:issue], token scope=read:issue,read:repository"
    );
    let (status, _) = send(f.req(Method::GET, "/user", &read)).await;
    assert_eq!(status, 403, "no user scope");
    assert!(f.emulator().issues("user1", "mcp").is_empty());
}
