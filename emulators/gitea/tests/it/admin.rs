//! Site administration: users, purge, tokens by id or name, Go-style request keys and
//! bad input.

use reqwest::Method;
use serde_json::json;

use super::common::{Fixture, send};

#[tokio::test]
async fn admin_user_lifecycle_with_purge() {
    let f = Fixture::new().await;
    let must_change =
        json!({"username": "user8", "email": "user8@example.com", "password": "pw-8"});
    assert_eq!(
        send(f.admin(Method::POST, "/admin/users").json(&must_change))
            .await
            .0,
        201
    );
    let (status, err) = send(
        f.client
            .get(f.url("/user"))
            .basic_auth("user8", Some("pw-8")),
    )
    .await;
    assert_eq!(status, 403, "must_change_password defaults to true: {err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .starts_with("You must change your password.")
    );
    let create = json!({"username": "user9", "email": "user9@example.com",
                        "password": "pw-999999", "must_change_password": false});
    let (status, user) = send(f.admin(Method::POST, "/admin/users").json(&create)).await;
    assert_eq!((status, user["login"].as_str()), (201, Some("user9")));
    assert_eq!(
        send(f.user(Method::POST, "/admin/users").json(&create))
            .await
            .0,
        403
    );
    let (status, err) = send(f.admin(Method::POST, "/admin/users").json(&create)).await;
    assert_eq!(
        (status, err["message"].as_str()),
        (422, Some("user already exists [name: user9]"))
    );
    let (status, err) = send(
        f.admin(Method::POST, "/admin/users")
            .json(&json!({"username": "x"})),
    )
    .await;
    assert_eq!(
        (status, err["message"].as_str()),
        (422, Some("[Email]: Required"))
    );
    // Basic auth works for a user who need not change the password.
    let token_body = json!({"name": "t1", "scopes": ["write:issue", "read:repository"]});
    let (status, token) = send(
        f.client
            .post(f.url("/users/user9/tokens"))
            .basic_auth("user9", Some("pw-999999"))
            .json(&token_body),
    )
    .await;
    assert_eq!(status, 201, "{token}");
    let (status, err) = send(
        f.client
            .post(f.url("/users/user9/tokens"))
            .basic_auth("user9", Some("pw-999999"))
            .json(&token_body),
    )
    .await;
    assert_eq!(
        (status, err["message"].as_str()),
        (400, Some("access token name has been used already"))
    );
    let bad_scope = json!({"name": "t2", "scopes": ["write:everything"]});
    let req = f
        .client
        .post(f.url("/users/user9/tokens"))
        .basic_auth("user9", Some("pw-999999"));
    assert_eq!(send(req.json(&bad_scope)).await.0, 400);
    // Admins may mint tokens for others with Basic auth; deletion by id.
    let req = f
        .client
        .post(f.url("/users/user9/tokens"))
        .basic_auth("gitea-admin", Some(&f.lab.admin_password));
    let (status, t2) = send(req.json(&json!({"name": "t2", "scopes": ["all"]}))).await;
    assert_eq!(status, 201);
    let path = format!("/users/user9/tokens/{}", t2["id"]);
    let req = f
        .client
        .delete(f.url(&path))
        .basic_auth("gitea-admin", Some(&f.lab.admin_password));
    assert_eq!(send(req).await.0, 204);
    let sha = token["sha1"].as_str().unwrap();
    let (status, me) = send(f.req(Method::GET, "/user", sha)).await;
    assert_eq!(status, 403, "no user scope: {me}");
    let (status, _) = send(
        f.req(Method::POST, "/repos/user1/mcp/issues", sha)
            .json(&json!({"title": "hi"})),
    )
    .await;
    assert_eq!(
        status, 201,
        "write:issue allows creating issues on a public repo"
    );
    let edit = json!({"login_name": "user9", "source_id": 0, "active": false});
    let (status, edited) = send(f.admin(Method::PATCH, "/admin/users/user9").json(&edit)).await;
    assert_eq!((status, edited["active"].as_bool()), (200, Some(false)));
    assert_eq!(
        send(f.req(Method::GET, "/repos/user1/mcp", sha)).await.0,
        403,
        "inactive user"
    );
    f.emulator().create_repo("user9", "owned", false);
    let (status, err) = send(f.admin(Method::DELETE, "/admin/users/user9")).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(
        send(f.admin(Method::DELETE, "/admin/users/user9?purge=true"))
            .await
            .0,
        204
    );
    assert!(!f.emulator().user_exists("user9"));
    assert_eq!(
        send(f.admin(Method::GET, "/repos/user9/owned")).await.0,
        404
    );
    assert_eq!(
        send(f.admin(Method::DELETE, "/admin/users/gitea-admin"))
            .await
            .0,
        422,
        "not yourself"
    );
}

#[tokio::test]
async fn bad_input_gets_gitea_errors() {
    let f = Fixture::new().await;
    let req = f
        .user(Method::POST, "/repos/user1/mcp/issues")
        .header("content-type", "application/json");
    let (status, err) = send(req.body("{not json")).await;
    assert_eq!(status, 422);
    assert!(
        err["message"].as_str().unwrap().starts_with("[]: "),
        "{err}"
    );
    let (status, err) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues")
            .json(&json!({"title": 5})),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, err) = send(f.user(Method::GET, "/repos/user1/mcp/issues/abc")).await;
    assert_eq!(status, 422, "{err}");
    let (status, err) = send(f.user(Method::GET, "/repos/ghost/mcp")).await;
    assert_eq!(status, 404);
    assert_eq!(
        err["errors"][0],
        "user redirect does not exist [name: ghost]"
    );
    let (status, err) = send(f.user(Method::GET, "/no/such/route")).await;
    assert_eq!((status, err["message"].as_str()), (404, Some("not found")));
    let (status, err) = send(f.user(Method::PUT, "/version")).await;
    assert_eq!(status, 405, "{err}");
    assert!(err["url"].as_str().unwrap().ends_with("/api/swagger"));
}

#[tokio::test]
async fn merge_accepts_go_sdk_field_names() {
    let f = Fixture::new().await;
    f.emulator().put_file(
        "user1",
        "mcp",
        "fix",
        "agent/requirements.txt",
        b"fastapi\n",
    );
    let pr = json!({"head": "fix", "base": "broken", "title": "Restore requirements"});
    let (status, pull) = send(f.user(Method::POST, "/repos/user1/mcp/pulls").json(&pr)).await;
    assert_eq!(status, 201, "{pull}");
    assert_eq!(pull["changed_files"], 1);
    let n = pull["number"].as_i64().unwrap();
    let merge =
        json!({"Do": "squash", "MergeTitleField": "Restore it", "MergeMessageField": "body"});
    let path = format!("/repos/user1/mcp/pulls/{n}/merge");
    assert_eq!(send(f.user(Method::POST, &path).json(&merge)).await.0, 200);
    let merged = f
        .emulator()
        .file("user1", "mcp", "broken", "agent/requirements.txt");
    assert_eq!(merged.as_deref(), Some(&b"fastapi\n"[..]));
    let (_, pull) = send(f.user(Method::GET, &format!("/repos/user1/mcp/pulls/{n}"))).await;
    assert_eq!(
        (pull["merged"].as_bool(), pull["state"].as_str()),
        (Some(true), Some("closed"))
    );
    let (_, commits) =
        send(f.user(Method::GET, "/repos/user1/mcp/commits?sha=broken&limit=1")).await;
    assert_eq!(commits[0]["commit"]["message"], "Restore it\n\nbody");
    let bad = json!({"do": "octopus"});
    assert_eq!(send(f.user(Method::POST, &path).json(&bad)).await.0, 422);
}
