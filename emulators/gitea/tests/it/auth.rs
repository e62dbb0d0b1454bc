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

#[tokio::test]
async fn in_process_router_and_public_only_tokens() {
    use tower::ServiceExt;

    let emu = gitea_emulator::GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    emu.create_repo("user1", "private-one", true);
    let request = |path: &str, token: &str| {
        axum::http::Request::get(format!("/api/v1{path}"))
            .header("Authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let response = emu
        .router()
        .oneshot(request("/repos/user1/private-one", &lab.user_token))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let public_only = emu.create_token("user1", "po", &["public-only", "read:repository"]);
    let response = emu
        .router()
        .oneshot(request("/repos/user1/private-one", &public_only))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = emu
        .router()
        .oneshot(request("/repos/user1/mcp", &public_only))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let repo: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        repo["html_url"], "http://localhost:3000/user1/mcp",
        "default root URL"
    );
}

#[tokio::test]
async fn emails_are_hidden_from_anonymous_callers() {
    let f = Fixture::new().await;
    let (_, anon) = send(f.req(Method::GET, "/users/user1", "")).await;
    assert_eq!(anon["email"], "user1@noreply.localhost");
    let (_, signed) = send(f.admin(Method::GET, "/users/user1")).await;
    assert_eq!(signed["email"], "user1@example.com");
}

#[tokio::test]
async fn admins_can_sudo() {
    let f = Fixture::new().await;
    let (status, me) = send(f.admin(Method::GET, "/user").header("Sudo", "user1")).await;
    assert_eq!((status, me["login"].as_str()), (200, Some("user1")));
    let (status, issue) = send(
        f.admin(Method::POST, "/repos/user1/mcp/issues?sudo=user1")
            .json(&json!({"title": "as user1"})),
    )
    .await;
    assert_eq!(
        (status, issue["user"]["login"].as_str()),
        (201, Some("user1"))
    );
    let (status, err) = send(f.user(Method::GET, "/user").header("Sudo", "gitea-admin")).await;
    assert_eq!(
        (status, err["message"].as_str()),
        (403, Some("Only administrators allowed to sudo."))
    );
    assert_eq!(
        send(f.admin(Method::GET, "/user").header("Sudo", "ghost"))
            .await
            .0,
        404
    );
}
