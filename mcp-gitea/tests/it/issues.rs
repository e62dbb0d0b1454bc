//! Issues, comments and labels on issues: every `issue_read`/`issue_write` method with its
//! effect checked in the emulator, plus tolerance and error cases.

use serde_json::json;

use super::common::{client, err, ok, start};

#[tokio::test]
async fn create_issue_with_label_names_and_ids() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let labels = ok(
        &c,
        "label_read",
        json!({"method": "list_repo_labels", "owner": "user1", "repo": "mcp"}),
    )
    .await;
    let bug_id = labels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "bug")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let issue = ok(
        &c,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build fails",
               "body": "COPY requirements.txt failed", "labels": ["pipeline", bug_id.to_string()]}),
    )
    .await;
    let number = issue["number"].as_i64().unwrap();
    assert!(
        issue["html_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/user1/mcp/issues/{number}")),
        "{issue}"
    );
    assert_eq!(issue["user"], "user1");
    let stored = env.emu().issues("user1", "mcp");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["title"], "Build fails");
    assert_eq!(stored[0]["body"], "COPY requirements.txt failed");
    let mut names: Vec<&str> = stored[0]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["bug", "pipeline"]);
    let e = err(&c, "issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "x", "labels": ["nope"]})).await;
    assert!(
        e.contains("unknown label \"nope\"") && e.contains("enhancement"),
        "{e}"
    );
    assert_eq!(
        env.emu().issues("user1", "mcp").len(),
        1,
        "a failed create must not create"
    );
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn every_issue_method_round_trips() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let base = json!({"owner": "user1", "repo": "mcp"});
    let with = |extra: serde_json::Value| {
        let mut v = base.clone();
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let created = ok(
        &c,
        "issue_write",
        with(json!({"method": "create", "title": "first"})),
    )
    .await;
    let n = created["number"].clone();
    // numbers as strings are accepted
    let got = ok(
        &c,
        "issue_read",
        with(json!({"method": "get", "issue_number": n.to_string()})),
    )
    .await;
    assert_eq!(got["title"], "first");
    assert_eq!(got["state"], "open");

    let upd = ok(
        &c,
        "issue_write",
        with(json!({"method": "update", "issue_number": n, "title": "renamed", "body": "details"})),
    )
    .await;
    assert_eq!(upd["title"], "renamed");
    assert_eq!(env.emu().issues("user1", "mcp")[0]["body"], "details");

    let com = ok(
        &c,
        "issue_write",
        with(json!({"method": "add_comment", "issue_number": n, "body": "looking"})),
    )
    .await;
    let cid = com["id"].as_i64().unwrap();
    assert_eq!(com["user"], "user1");
    let edited = ok(
        &c,
        "issue_write",
        with(
            json!({"method": "edit_comment", "issue_number": n, "commentID": cid, "body": "fixed"}),
        ),
    )
    .await;
    assert_eq!(edited["body"], "fixed");
    let comments = ok(
        &c,
        "issue_read",
        with(json!({"method": "get_comments", "issue_number": n})),
    )
    .await;
    assert_eq!(comments.as_array().unwrap().len(), 1);
    assert_eq!(comments[0]["body"], "fixed");
    let one = ok(
        &c,
        "issue_read",
        with(json!({"method": "get_comment", "comment_id": cid})),
    )
    .await;
    assert_eq!(one["body"], "fixed");

    let added = ok(
        &c,
        "issue_write",
        with(json!({"method": "add_labels", "issue_number": n, "labels": ["bug", "enhancement"]})),
    )
    .await;
    assert_eq!(added.as_array().unwrap().len(), 2);
    ok(
        &c,
        "issue_write",
        with(json!({"method": "remove_label", "issue_number": n, "label_id": "bug"})),
    )
    .await;
    let labels = ok(
        &c,
        "issue_read",
        with(json!({"method": "get_labels", "issue_number": n})),
    )
    .await;
    assert_eq!(
        labels
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].clone())
            .collect::<Vec<_>>(),
        [json!("enhancement")]
    );
    ok(
        &c,
        "issue_write",
        with(json!({"method": "replace_labels", "issue_number": n, "labels": ["pipeline"]})),
    )
    .await;
    let stored = &env.emu().issues("user1", "mcp")[0];
    assert_eq!(stored["labels"][0]["name"], "pipeline");
    assert_eq!(stored["labels"].as_array().unwrap().len(), 1);
    let cleared = ok(
        &c,
        "issue_write",
        with(json!({"method": "clear_labels", "issue_number": n})),
    )
    .await;
    assert_eq!(cleared, "Labels cleared successfully");
    assert!(
        env.emu().issues("user1", "mcp")[0]["labels"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let closed = ok(
        &c,
        "issue_write",
        with(json!({"method": "update", "issue_number": n, "state": "closed"})),
    )
    .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(env.emu().issues("user1", "mcp")[0]["state"], "closed");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn list_and_search_issues() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    for (title, label) in [("one", "bug"), ("two", "enhancement"), ("three", "bug")] {
        ok(&c, "issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": title, "labels": [label]})).await;
    }
    ok(&c, "issue_write", json!({"method": "update", "owner": "user1", "repo": "mcp", "issue_number": 1, "state": "closed"})).await;
    let all = ok(&c, "list_issues", json!({"owner": "user1", "repo": "mcp"})).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        3,
        "default state is all: {all}"
    );
    assert!(all[0].get("body").is_none(), "list items are slim");
    let open = ok(
        &c,
        "list_issues",
        json!({"owner": "user1", "repo": "mcp", "state": "open"}),
    )
    .await;
    assert_eq!(open.as_array().unwrap().len(), 2);
    let bugs = ok(
        &c,
        "list_issues",
        json!({"owner": "user1", "repo": "mcp", "labels": ["bug"]}),
    )
    .await;
    let mut titles: Vec<&str> = bugs
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["one", "three"]);
    let page = ok(
        &c,
        "list_issues",
        json!({"owner": "user1", "repo": "mcp", "per_page": "2", "page": 2}),
    )
    .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let found = ok(&c, "search_issues", json!({"query": "three"})).await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["title"], "three");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn argument_and_gitea_errors_are_tool_errors() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let e = err(
        &c,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp"}),
    )
    .await;
    assert_eq!(e, "title is required");
    let e = err(
        &c,
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": ""}),
    )
    .await;
    assert_eq!(e, "title is required");
    let e = err(
        &c,
        "issue_read",
        json!({"method": "get", "owner": "user1", "repo": "mcp"}),
    )
    .await;
    assert_eq!(e, "issue_number is required");
    let e = err(
        &c,
        "issue_read",
        json!({"method": "get", "owner": "user1", "repo": "mcp", "issue_number": "x"}),
    )
    .await;
    assert_eq!(e, "issue_number must be a valid integer (got \"x\")");
    let e = err(
        &c,
        "issue_write",
        json!({"method": "explode", "owner": "user1", "repo": "mcp"}),
    )
    .await;
    assert_eq!(e, "unknown method: explode");
    let e = err(
        &c,
        "issue_read",
        json!({"method": "get", "owner": "user1", "repo": "mcp", "issue_number": 999}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    let e = err(&c, "list_issues", json!({"owner": "user1", "repo": "nope"})).await;
    assert!(e.contains("status 404"), "{e}");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn legacy_names_and_parameters() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let created = ok(
        &c,
        "create_issue",
        json!({"owner": "user1", "repo": "mcp", "title": "old", "body": "style"}),
    )
    .await;
    let n = created["Result"]["number"]
        .as_i64()
        .expect("legacy envelope");
    let got = ok(
        &c,
        "get_issue_by_index",
        json!({"owner": "user1", "repo": "mcp", "index": n}),
    )
    .await;
    assert_eq!(got["Result"]["title"], "old");
    ok(
        &c,
        "create_issue_comment",
        json!({"owner": "user1", "repo": "mcp", "index": n, "body": "c1"}),
    )
    .await;
    let comments = ok(
        &c,
        "get_issue_comments_by_index",
        json!({"owner": "user1", "repo": "mcp", "index": n}),
    )
    .await;
    assert_eq!(comments["Result"][0]["body"], "c1");
    let listed = ok(
        &c,
        "list_repo_issues",
        json!({"owner": "user1", "repo": "mcp", "pageSize": 1}),
    )
    .await;
    assert_eq!(listed["Result"].as_array().unwrap().len(), 1);
    let me = ok(&c, "get_my_user_info", json!({})).await;
    assert_eq!(me["Result"]["login"], "user1");
    // old parameter names work on current tools too
    let got = ok(
        &c,
        "issue_read",
        json!({"method": "get", "owner": "user1", "repo": "mcp", "index": n}),
    )
    .await;
    assert_eq!(got["number"], n);
    c.cancel().await.unwrap();
}
