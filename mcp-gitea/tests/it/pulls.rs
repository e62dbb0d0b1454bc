//! Pull requests: create, list, read, review and merge, checked in the emulator.

use serde_json::json;

use super::common::{client, err, ok, start};

#[tokio::test]
async fn pull_request_lifecycle() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let or = |extra: serde_json::Value| {
        let mut v = json!({"owner": "user1", "repo": "mcp"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    ok(
        &c,
        "create_or_update_file",
        or(json!({"branch_name": "main", "new_branch_name": "feature",
        "message": "add notes", "path": "NOTES.md", "content": "notes\n"})),
    )
    .await;
    let pr = ok(
        &c,
        "pull_request_write",
        or(json!({"method": "create", "title": "Add notes",
        "body": "please", "head": "feature", "base": "main", "draft": true})),
    )
    .await;
    let n = pr["number"].as_i64().unwrap();
    assert_eq!(pr["title"], "WIP: Add notes");
    assert_eq!(pr["head"]["ref"], "feature");
    assert!(
        pr["html_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/user1/mcp/pulls/{n}"))
    );
    let e = err(
        &c,
        "pull_request_write",
        or(json!({"method": "create", "title": "again", "head": "feature", "base": "main"})),
    )
    .await;
    assert!(e.contains("status 409"), "{e}");

    let list = ok(&c, "list_pull_requests", or(json!({"state": "open"}))).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["head"], "feature");
    let got = ok(
        &c,
        "pull_request_read",
        or(json!({"method": "get", "pull_number": n.to_string()})),
    )
    .await;
    assert_eq!(got["body"], "please");
    assert_eq!(got["user"], "user1");

    let review = ok(
        &c,
        "pull_request_review_write",
        or(json!({"method": "create", "pull_number": n,
        "state": "COMMENT", "body": "looks fine"})),
    )
    .await;
    assert_eq!(review["state"], "COMMENT");
    let reviews = ok(
        &c,
        "pull_request_read",
        or(json!({"method": "get_reviews", "pull_number": n})),
    )
    .await;
    assert_eq!(reviews[0]["body"], "looks fine");
    ok(
        &c,
        "issue_write",
        or(json!({"method": "add_comment", "issue_number": n, "body": "ping"})),
    )
    .await;
    let comments = ok(
        &c,
        "pull_request_read",
        or(json!({"method": "get_comments", "pull_number": n})),
    )
    .await;
    assert_eq!(comments[0]["body"], "ping");

    let merged = ok(
        &c,
        "pull_request_write",
        or(json!({"method": "merge", "pull_number": n,
        "merge_style": "squash", "title": "Add notes (squashed)", "delete_branch": true})),
    )
    .await;
    assert_eq!(merged["merged"], true);
    assert_eq!(
        env.emu().file("user1", "mcp", "main", "NOTES.md").unwrap(),
        b"notes\n"
    );
    let after = ok(
        &c,
        "pull_request_read",
        or(json!({"method": "get", "pull_number": n})),
    )
    .await;
    assert_eq!(after["merged"], true);
    let e = err(
        &c,
        "pull_request_write",
        or(json!({"method": "merge", "pull_number": n})),
    )
    .await;
    assert!(e.contains("status 405"), "merging twice: {e}");
    assert_eq!(
        err(&c, "pull_request_read", or(json!({"method": "get"}))).await,
        "pull_number is required"
    );
    assert_eq!(
        err(&c, "pull_request_write", or(json!({"method": "nope"}))).await,
        "unknown method: nope"
    );
    c.cancel().await.unwrap();
}
