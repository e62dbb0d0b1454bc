//! Pull requests: create, list, read, review and merge, checked in the emulator.

use serde_json::json;

use super::common::{client, err, err_lab, lab_repo_args, ok, ok_lab, open_pull, start};

#[tokio::test]
async fn pull_request_lifecycle() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let pr = open_pull(
        &c,
        "feature",
        "NOTES.md",
        "notes\n",
        json!({"title": "Add notes", "body": "please", "draft": true}),
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
    let e = err_lab(
        &c,
        "pull_request_write",
        json!({"method": "create", "title": "again", "head": "feature", "base": "main"}),
    )
    .await;
    assert!(e.contains("status 409"), "{e}");

    let list = ok_lab(&c, "list_pull_requests", json!({"state": "open"})).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["head"], "feature");
    let got = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get", "pull_number": n.to_string()}),
    )
    .await;
    assert_eq!(got["body"], "please");
    assert_eq!(got["user"], "user1");

    let review = ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "create", "pull_number": n,
        "state": "COMMENT", "body": "looks fine"}),
    )
    .await;
    assert_eq!(review["state"], "COMMENT");
    let reviews = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_reviews", "pull_number": n}),
    )
    .await;
    assert_eq!(reviews[0]["body"], "looks fine");
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "add_comment", "issue_number": n, "body": "ping"}),
    )
    .await;
    let comments = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_comments", "pull_number": n}),
    )
    .await;
    assert_eq!(comments[0]["body"], "ping");

    let merged = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "merge", "pull_number": n,
        "merge_style": "squash", "title": "Add notes (squashed)", "delete_branch": true}),
    )
    .await;
    assert_eq!(merged["merged"], true);
    assert_eq!(
        env.emu().file("user1", "mcp", "main", "NOTES.md").unwrap(),
        b"notes\n"
    );
    let after = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get", "pull_number": n}),
    )
    .await;
    assert_eq!(after["merged"], true);
    let e = err_lab(
        &c,
        "pull_request_write",
        json!({"method": "merge", "pull_number": n}),
    )
    .await;
    assert!(e.contains("status 405"), "merging twice: {e}");
    assert_eq!(
        err_lab(&c, "pull_request_read", json!({"method": "get"})).await,
        "pull_number is required"
    );
    assert_eq!(
        err_lab(&c, "pull_request_write", json!({"method": "nope"})).await,
        "unknown method: nope"
    );
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn pull_request_edits_diff_files_status_and_reviews() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let or = lab_repo_args;
    let pr = open_pull(&c, "feat", "a.txt", "hello\n", json!({"title": "Feat"})).await;
    let n = pr["number"].clone();

    let upd = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "update", "pull_number": n, "body": "new body", "draft": true}),
    )
    .await;
    assert_eq!(upd["title"], "WIP: Feat", "draft reads the current title");
    assert_eq!(upd["body"], "new body");
    let closed = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "close", "pull_number": n}),
    )
    .await;
    assert_eq!(closed["state"], "closed");
    let reopened = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "reopen", "pull_number": n}),
    )
    .await;
    assert_eq!(reopened["state"], "open");

    let diff = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_diff", "pull_number": n}),
    )
    .await;
    assert!(diff.as_str().unwrap().contains("a.txt"), "{diff}");
    let files = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_files", "pull_number": n}),
    )
    .await;
    assert_eq!(files[0]["filename"], "a.txt");
    let status = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_status", "pull_number": n}),
    )
    .await;
    assert!(status.get("state").is_some(), "{status}");

    let review = ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "create", "pull_number": n, "body": "draft review"}),
    )
    .await;
    let rid = review["id"].clone();
    assert_eq!(review["state"], "PENDING");
    let submitted = ok_lab(&c, "pull_request_review_write", json!({"method": "submit", "pull_number": n, "review_id": rid, "state": "REQUEST_CHANGES", "body": "fix it"})).await;
    assert_eq!(submitted["state"], "REQUEST_CHANGES");
    let one = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_review", "pull_number": n, "review_id": rid}),
    )
    .await;
    assert_eq!(one["state"], "REQUEST_CHANGES");
    ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_review_comments", "pull_number": n, "review_id": rid}),
    )
    .await;
    assert_eq!(
        ok(
            &c,
            "pull_request_review_write",
            or(
                json!({"method": "dismiss", "pull_number": n, "review_id": rid, "message": "stale"})
            )
        )
        .await,
        "Review dismissed"
    );
    let dismissed = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_review", "pull_number": n, "review_id": rid}),
    )
    .await;
    assert_eq!(dismissed["dismissed"], true);
    let second = ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "create", "pull_number": n, "body": "tmp"}),
    )
    .await;
    assert_eq!(
        ok_lab(
            &c,
            "pull_request_review_write",
            json!({"method": "delete", "pull_number": n, "review_id": second["id"]})
        )
        .await,
        "Review deleted"
    );
    let reviews = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_reviews", "pull_number": n}),
    )
    .await;
    assert_eq!(reviews.as_array().unwrap().len(), 1);
    let upd = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "update_branch", "pull_number": n}),
    )
    .await;
    assert_eq!(upd["message"], "branch updated from base");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn reviewers_and_team_search() {
    let env = start(|_| {}).await;
    env.emu()
        .create_user("reviewer", "reviewer-password", false);
    let c = client(&env.url, None).await;
    let pr = open_pull(&c, "r", "r.txt", "r\n", json!({"title": "R"})).await;
    let n = pr["number"].clone();
    let added = ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "add_reviewers", "pull_number": n, "reviewers": ["reviewer"]}),
    )
    .await;
    assert_eq!(added["reviewers"], json!(["reviewer"]));
    let raw = reqwest::Client::new()
        .get(format!("{}/repos/user1/mcp/pulls/{n}", env.gitea.api_url()))
        .header("authorization", format!("token {}", env.lab.user_token))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(raw["requested_reviewers"][0]["login"], "reviewer", "{raw}");
    ok_lab(
        &c,
        "pull_request_write",
        json!({"method": "remove_reviewers", "pull_number": n, "reviewers": "reviewer"}),
    )
    .await;
    let raw = reqwest::Client::new()
        .get(format!("{}/repos/user1/mcp/pulls/{n}", env.gitea.api_url()))
        .header("authorization", format!("token {}", env.lab.user_token))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert!(
        raw["requested_reviewers"]
            .as_array()
            .is_none_or(|a| a.is_empty()),
        "{raw}"
    );
    let e = err(&c, "search_org_teams", json!({"org": "nope", "query": "x"})).await;
    assert!(e.contains("status"), "{e}");
    c.cancel().await.unwrap();
}
