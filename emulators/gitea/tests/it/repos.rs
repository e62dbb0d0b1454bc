//! Repositories, visibility, migration and the seeded lab.

use reqwest::Method;
use serde_json::json;

use super::common::{Fixture, send};

#[tokio::test]
async fn lab_has_a_broken_branch_without_requirements() {
    let f = Fixture::new().await;
    let (status, branches) = send(f.user(Method::GET, "/repos/user1/mcp/branches")).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["broken", "main"]);
    let main = f
        .emulator()
        .file("user1", "mcp", "main", "agent/requirements.txt");
    assert!(main.is_some_and(|b| !b.is_empty()));
    assert_eq!(
        f.emulator()
            .file("user1", "mcp", "broken", "agent/requirements.txt"),
        None
    );
    let (status, _) = send(f.user(
        Method::GET,
        "/repos/user1/mcp/contents/agent/requirements.txt?ref=broken",
    ))
    .await;
    assert_eq!(status, 404);
    let raw = f
        .client
        .get(f.url("/repos/user1/mcp/raw/agent/requirements.txt?ref=main"))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert!(raw.text().await.unwrap().contains("fastapi"));
    let raw = f
        .client
        .get(f.url("/repos/user1/mcp/raw/broken/agent/Containerfile"))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200, "ref as the first path segment");
}

#[tokio::test]
async fn private_repositories_are_invisible_to_others() {
    let f = Fixture::new().await;
    f.emulator().create_repo("user1", "secret", true);
    f.emulator().create_user("user2", "pw-user2", false);
    let other = f
        .emulator()
        .create_token("user2", "t", &["read:repository"]);
    assert_eq!(
        send(f.req(Method::GET, "/repos/user1/secret", "")).await.0,
        404
    );
    assert_eq!(
        send(f.req(Method::GET, "/repos/user1/secret", &other))
            .await
            .0,
        404
    );
    let (status, repo) = send(f.user(Method::GET, "/repos/user1/secret")).await;
    assert_eq!((status, repo["private"].as_bool()), (200, Some(true)));
    assert_eq!(
        repo["permissions"],
        json!({"admin": true, "push": true, "pull": true})
    );
    let (_, found) = send(f.req(Method::GET, "/repos/search?q=secret", "")).await;
    assert_eq!(found["data"], json!([]));
    let (_, found) = send(f.admin(Method::GET, "/repos/search?q=secret")).await;
    assert_eq!(found["data"][0]["full_name"], "user1/secret");
    // Another user may read public repositories but not write to them.
    let writer = f
        .emulator()
        .create_token("user2", "w", &["write:repository"]);
    let body = json!({"new_branch_name": "x"});
    let (status, _) = send(
        f.req(Method::POST, "/repos/user1/mcp/branches", &writer)
            .json(&body),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn migration_copies_a_registered_source() {
    let f = Fixture::new().await;
    let emu = f.emulator();
    emu.create_repo("upstream", "agent", false);
    emu.put_file("upstream", "agent", "main", "app.py", b"print(1)\n");
    emu.create_branch("upstream", "agent", "broken", "main");
    emu.register_migration_source("https://github.com/example/agent.git", "upstream", "agent");
    let body = json!({"clone_addr": "https://github.com/example/agent.git", "repo_name": "agent", "repo_owner": "user1"});
    let (status, repo) = send(f.admin(Method::POST, "/repos/migrate").json(&body)).await;
    assert_eq!(status, 201, "{repo}");
    assert_eq!(repo["full_name"], "user1/agent");
    assert_eq!(emu.branches("user1", "agent"), ["broken", "main"]);
    assert_eq!(
        emu.file("user1", "agent", "broken", "app.py").as_deref(),
        Some(&b"print(1)\n"[..])
    );
    let (status, err) = send(f.admin(Method::POST, "/repos/migrate").json(&body)).await;
    assert_eq!(
        (status, err["message"].as_str()),
        (
            409,
            Some("The repository with the same name already exists.")
        )
    );
    let unknown = json!({"clone_addr": "https://example.com/x.git", "repo_name": "x", "repo_owner": "nobody"});
    assert_eq!(
        send(f.admin(Method::POST, "/repos/migrate").json(&unknown))
            .await
            .0,
        422
    );
    let no_url = json!({"repo_name": "x"});
    let (status, err) = send(f.admin(Method::POST, "/repos/migrate").json(&no_url)).await;
    assert_eq!(
        (status, err["message"].as_str()),
        (422, Some("[CloneAddr]: Required"))
    );
}

#[tokio::test]
async fn files_round_trip_through_base64_contents() {
    let f = Fixture::new().await;
    let add = json!({"content": "aGVsbG8K", "branch": "broken", "message": "Restore"});
    let (status, created) = send(
        f.user(
            Method::POST,
            "/repos/user1/mcp/contents/agent/requirements.txt",
        )
        .json(&add),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["commit"]["message"], "Restore");
    assert_eq!(
        f.emulator()
            .file("user1", "mcp", "broken", "agent/requirements.txt")
            .as_deref(),
        Some(&b"hello\n"[..])
    );
    let (status, _) = send(
        f.user(
            Method::POST,
            "/repos/user1/mcp/contents/agent/requirements.txt",
        )
        .json(&add),
    )
    .await;
    assert_eq!(status, 422, "file exists");
    let bad = json!({"content": "%%%"});
    assert_eq!(
        send(
            f.user(Method::POST, "/repos/user1/mcp/contents/x.txt")
                .json(&bad)
        )
        .await
        .0,
        422
    );
    let sha = created["content"]["sha"].as_str().unwrap();
    let del = json!({"sha": sha, "branch": "broken"});
    let (status, deleted) = send(
        f.user(
            Method::DELETE,
            "/repos/user1/mcp/contents/agent/requirements.txt",
        )
        .json(&del),
    )
    .await;
    assert_eq!((status, deleted["content"].is_null()), (200, true));
    assert_eq!(
        f.emulator()
            .file("user1", "mcp", "broken", "agent/requirements.txt"),
        None
    );
    let missing_branch = json!({"content": "eA==", "branch": "nope"});
    assert_eq!(
        send(
            f.user(Method::POST, "/repos/user1/mcp/contents/y.txt")
                .json(&missing_branch)
        )
        .await
        .0,
        404
    );
}

/// A fork of a private repository is private, invisible to outsiders like its parent,
/// and outsiders cannot fork what they cannot see; the fork's branches are independent.
#[tokio::test]
async fn forks_of_private_repositories_stay_private() {
    let f = Fixture::new().await;
    let emu = f.emulator();
    emu.create_repo("user1", "secret", true);
    emu.put_file("user1", "secret", "main", "KEY", b"s3cret");
    emu.create_org("lab-org", "user1");
    let (status, fork) = send(
        f.user(Method::POST, "/repos/user1/secret/forks")
            .json(&json!({"organization": "lab-org"})),
    )
    .await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(fork["private"], true);
    assert_eq!(fork["parent"]["full_name"], "user1/secret");
    let outsider = emu.create_token("user2", "t", &["write:repository"]);
    for path in ["/repos/lab-org/secret", "/repos/user1/secret/forks"] {
        let (status, _) = send(f.req(Method::GET, path, &outsider)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = send(
        f.req(Method::POST, "/repos/user1/secret/forks", &outsider)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 404);
    emu.put_file("lab-org", "secret", "main", "KEY", b"rotated");
    assert_eq!(
        emu.file("user1", "secret", "main", "KEY").as_deref(),
        Some(&b"s3cret"[..])
    );
    let (_, forks) = send(f.user(Method::GET, "/repos/user1/secret/forks")).await;
    assert_eq!(forks[0]["full_name"], "lab-org/secret", "{forks}");
    let (status, _) = send(f.user(Method::DELETE, "/repos/user1/secret")).await;
    assert_eq!(status, 204);
    let orphan = emu.repo("lab-org", "secret").unwrap();
    assert_eq!(orphan["fork"], false, "{orphan}");
    assert!(orphan.get("parent").is_none());
}
