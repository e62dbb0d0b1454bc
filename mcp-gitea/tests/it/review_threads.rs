//! Review threads: a review with a code comment, `pull_request_review_write
//! resolve_thread/unresolve_thread` checked in the emulator and in
//! `get_review_comments`, and `reply_comment`, which Gitea 1.26 cannot do.

use serde_json::{Value, json};

use super::common::{Client, client, err, err_lab, lab_repo_args, ok, ok_lab, open_pull, start};

/// Opens a pull request with a COMMENT review holding one code comment; returns the
/// pull number, the review id and the comment id.
async fn review_with_comment(c: &Client) -> (i64, i64, i64) {
    let pr = open_pull(
        c,
        "feature",
        "NOTES.md",
        "notes\n",
        json!({"title": "Notes"}),
    )
    .await;
    let n = pr["number"].as_i64().unwrap();
    let review = ok_lab(
        c,
        "pull_request_review_write",
        json!({"method": "create", "pull_number": n, "state": "COMMENT", "body": "see inline",
                  "comments": [{"path": "NOTES.md", "body": "typo?", "new_line_num": 1}]}),
    )
    .await;
    assert_eq!(review["comments_count"], 1, "{review}");
    let rid = review["id"].as_i64().unwrap();
    let comments = review_comments(c, n, rid).await;
    (n, rid, comments[0]["id"].as_i64().unwrap())
}

async fn review_comments(c: &Client, n: i64, rid: i64) -> Value {
    ok(
        c,
        "pull_request_read",
        lab_repo_args(json!({"method": "get_review_comments", "pull_number": n, "review_id": rid})),
    )
    .await
}

#[tokio::test]
async fn resolve_and_unresolve_a_thread() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let (n, rid, cid) = review_with_comment(&c).await;
    let comments = review_comments(&c, n, rid).await;
    let first = &comments[0];
    assert_eq!(first["review_id"], rid, "{first}");
    assert_eq!(first["path"], "NOTES.md");
    assert_eq!(first["body"], "typo?");
    assert_eq!(first["user"], "user1");
    assert!(first.get("resolved_by").is_none(), "{first}");
    assert_eq!(
        env.emu().review_comment_resolver("user1", "mcp", cid),
        Some(None)
    );

    let done = ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "resolve_thread", "comment_id": cid}),
    )
    .await;
    assert_eq!(done, json!("Review thread resolved"));
    assert_eq!(
        env.emu().review_comment_resolver("user1", "mcp", cid),
        Some(Some("user1".to_string()))
    );
    assert_eq!(review_comments(&c, n, rid).await[0]["resolved_by"], "user1");
    // Without review_id: the code comments of all reviews that have some.
    ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "create", "pull_number": n, "state": "COMMENT", "body": "no inline"}),
    )
    .await;
    let all = ok_lab(
        &c,
        "pull_request_read",
        json!({"method": "get_review_comments", "pull_number": n}),
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
    assert_eq!(all[0]["id"], cid);
    assert_eq!(all[0]["resolved_by"], "user1");

    let done = ok_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "unresolve_thread", "comment_id": cid.to_string()}),
    )
    .await;
    assert_eq!(done, json!("Review thread unresolved"));
    assert_eq!(
        env.emu().review_comment_resolver("user1", "mcp", cid),
        Some(None)
    );
}

#[tokio::test]
async fn thread_errors_and_reply_comment_on_gitea_1_26() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let (n, _, cid) = review_with_comment(&c).await;
    let or = lab_repo_args;
    assert_eq!(
        err_lab(
            &c,
            "pull_request_review_write",
            json!({"method": "resolve_thread"})
        )
        .await,
        "comment_id is required"
    );
    let e = err_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "resolve_thread", "comment_id": 999999}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    // Neither the pull request's poster nor a writer: 403, and nothing changes.
    let outsider = env.emu().create_token("user2", "t", &["write:repository"]);
    let c2 = client(&env.url, Some(&outsider)).await;
    let e = err(
        &c2,
        "pull_request_review_write",
        or(json!({"method": "resolve_thread", "comment_id": cid})),
    )
    .await;
    assert!(e.contains("status 403"), "{e}");
    assert_eq!(
        env.emu().review_comment_resolver("user1", "mcp", cid),
        Some(None)
    );

    // reply_comment: arguments are checked first, then the server refuses clearly
    // instead of calling a path Gitea 1.26.3 does not have.
    assert_eq!(
        err_lab(
            &c,
            "pull_request_review_write",
            json!({"method": "reply_comment", "pull_number": n, "comment_id": cid})
        )
        .await,
        "body is required"
    );
    let e = err_lab(
        &c,
        "pull_request_review_write",
        json!({"method": "reply_comment", "pull_number": n, "comment_id": cid, "body": "fixed"}),
    )
    .await;
    assert!(
        e.contains("not supported by this Gitea (1.26.3)") && e.contains("1.27"),
        "{e}"
    );
    let served = env.emu().served_operations();
    assert!(
        !served
            .iter()
            .any(|(m, p)| m == "POST" && p.contains("replies")),
        "{served:?}"
    );
}
