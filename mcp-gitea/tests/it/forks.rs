//! `fork_repo`: into the caller and into an organization, with the fork's git data and
//! `parent` checked in the emulator, plus conflict, forbidden, unknown and missing cases.

use serde_json::json;

use super::common::{client, err, ok, start};

#[tokio::test]
async fn fork_repo_into_user_and_org() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "user1");
    let c = client(&env.url, None).await;

    let done = ok(
        &c,
        "fork_repo",
        json!({"user": "user1", "repo": "mcp", "organization": "lab-org", "name": "mcp-fork"}),
    )
    .await;
    assert_eq!(done, json!("Fork success"));
    let fork = emu.repo("lab-org", "mcp-fork").unwrap();
    assert_eq!(fork["fork"], true, "{fork}");
    assert_eq!(fork["parent"]["full_name"], "user1/mcp");
    assert_eq!(
        emu.branches("lab-org", "mcp-fork"),
        emu.branches("user1", "mcp")
    );
    assert_eq!(
        emu.file("lab-org", "mcp-fork", "main", "agent/Containerfile"),
        emu.file("user1", "mcp", "main", "agent/Containerfile")
    );
    assert!(
        emu.file("lab-org", "mcp-fork", "main", "agent/Containerfile")
            .is_some()
    );

    // Into the caller (the admin, by per-request token); the name defaults to the source's.
    let admin = client(&env.url, Some(&env.lab.admin_token)).await;
    ok(&admin, "fork_repo", json!({"user": "user1", "repo": "mcp"})).await;
    assert_eq!(emu.repo("gitea-admin", "mcp").unwrap()["fork"], true);
    let again = err(&admin, "fork_repo", json!({"user": "user1", "repo": "mcp"})).await;
    assert!(again.contains("status 409"), "{again}");

    // A repository cannot be forked into its own owner.
    let own = err(&c, "fork_repo", json!({"user": "user1", "repo": "mcp"})).await;
    assert!(
        own.contains("fork user1/mcp err") && own.contains("409"),
        "{own}"
    );
}

#[tokio::test]
async fn fork_repo_errors() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "user1");
    let outsider = emu.create_token("user2", "t", &["write:repository"]);
    let c = client(&env.url, Some(&outsider)).await;
    let e = err(
        &c,
        "fork_repo",
        json!({"user": "user1", "repo": "mcp", "organization": "lab-org"}),
    )
    .await;
    assert!(
        e.contains("status 403") && e.contains("User is no Member of Organisation"),
        "{e}"
    );
    assert!(emu.repo("lab-org", "mcp").is_none());
    let e = err(&c, "fork_repo", json!({"user": "user1", "repo": "nope"})).await;
    assert!(e.contains("status 404"), "{e}");
    assert_eq!(
        err(&c, "fork_repo", json!({"repo": "mcp"})).await,
        "user is required"
    );
    assert_eq!(
        err(&c, "fork_repo", json!({"user": "user1", "repo": ""})).await,
        "repo is required"
    );
}
