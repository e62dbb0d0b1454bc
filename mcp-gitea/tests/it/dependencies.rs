//! Issue dependencies: `issue_read get_blocked_by/get_blocking` and `issue_write
//! add_dependency/remove_dependency` in both directions and across repositories, with
//! the links checked in the emulator, plus the error cases.

use serde_json::json;

use super::common::{client, err, err_lab, lab_repo_args, ok, ok_lab, sorted_keys, start};

#[tokio::test]
async fn dependencies_both_directions_and_across_repos() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    for title in ["Fix the build", "Ship the agent", "Write docs"] {
        emu.create_issue("user1", "mcp", title, "").unwrap();
    }
    let c = client(&env.url, None).await;

    // #2 is blocked by #1 (the default dependency_type is blocked_by).
    let got = ok_lab(
        &c,
        "issue_write",
        json!({"method": "add_dependency", "issue_number": 2, "related_issue_number": 1}),
    )
    .await;
    assert_eq!(got["number"], 2, "{got}");
    assert_eq!(got["repository"], "user1/mcp");
    assert_eq!(
        sorted_keys(&got),
        ["html_url", "number", "repository", "state", "title"]
    );
    assert_eq!(emu.blockers("user1", "mcp", 2), ["user1/mcp#1"]);

    let blocked_by = ok_lab(
        &c,
        "issue_read",
        json!({"method": "get_blocked_by", "issue_number": 2}),
    )
    .await;
    assert_eq!(blocked_by[0]["number"], 1, "{blocked_by}");
    assert_eq!(blocked_by[0]["title"], "Fix the build");
    assert!(
        blocked_by[0]["html_url"]
            .as_str()
            .unwrap()
            .ends_with("/user1/mcp/issues/1")
    );
    let blocking = ok_lab(
        &c,
        "issue_read",
        json!({"method": "get_blocking", "issue_number": "1", "page": 1, "per_page": 10}),
    )
    .await;
    assert_eq!(blocking.as_array().unwrap().len(), 1, "{blocking}");
    assert_eq!(blocking[0]["number"], 2);

    // #1 blocks #3, written from #1's side.
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "add_dependency", "issue_number": 1, "related_issue_number": 3,
                  "dependency_type": "blocking"}),
    )
    .await;
    assert_eq!(emu.blockers("user1", "mcp", 3), ["user1/mcp#1"]);

    // Across repositories: #2 is also blocked by user1/infra#1.
    emu.create_repo("user1", "infra", false);
    emu.create_issue("user1", "infra", "Provision the cluster", "")
        .unwrap();
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "add_dependency", "issue_number": 2, "related_owner": "user1",
                  "related_repo": "infra", "related_issue_number": 1}),
    )
    .await;
    let blocked_by = ok_lab(
        &c,
        "issue_read",
        json!({"method": "get_blocked_by", "issue_number": 2}),
    )
    .await;
    let repos: Vec<&str> = blocked_by
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["repository"].as_str().unwrap())
        .collect();
    assert_eq!(repos, ["user1/mcp", "user1/infra"], "{blocked_by}");

    // Removing works from either side.
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "remove_dependency", "issue_number": 2, "related_issue_number": 1}),
    )
    .await;
    assert_eq!(emu.blockers("user1", "mcp", 2), ["user1/infra#1"]);
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "remove_dependency", "issue_number": 1, "related_issue_number": 3,
                  "dependency_type": "blocking"}),
    )
    .await;
    assert!(emu.blockers("user1", "mcp", 3).is_empty());
    let none = ok_lab(
        &c,
        "issue_read",
        json!({"method": "get_blocking", "issue_number": 1}),
    )
    .await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn dependency_errors() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let or = lab_repo_args;
    emu.create_issue("user1", "mcp", "One", "").unwrap();
    emu.create_issue("user1", "mcp", "Two", "").unwrap();
    let c = client(&env.url, None).await;
    let e = err_lab(
        &c,
        "issue_read",
        json!({"method": "get_blocked_by", "issue_number": 99}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    let e = err_lab(
        &c,
        "issue_write",
        json!({"method": "add_dependency", "issue_number": 2, "related_issue_number": 99}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    assert_eq!(
        err_lab(
            &c,
            "issue_write",
            json!({"method": "add_dependency", "issue_number": 2})
        )
        .await,
        "related_issue_number is required"
    );
    assert_eq!(
        err_lab(&c, "issue_read", json!({"method": "get_blocking"})).await,
        "issue_number is required"
    );
    let e = err_lab(
        &c,
        "issue_write",
        json!({"method": "add_dependency", "issue_number": 2, "related_issue_number": 1,
                  "dependency_type": "sideways"}),
    )
    .await;
    assert!(
        e.starts_with("dependency_type must be blocked_by or blocking"),
        "{e}"
    );
    // Someone who may only read user1/mcp cannot link its issues.
    let reader = emu.create_token("user2", "t", &["write:issue"]);
    let c2 = client(&env.url, Some(&reader)).await;
    let e = err(
        &c2,
        "issue_write",
        or(json!({"method": "add_dependency", "issue_number": 2, "related_issue_number": 1})),
    )
    .await;
    assert!(e.contains("status 403"), "{e}");
    assert!(emu.blockers("user1", "mcp", 2).is_empty());
    // ... but can read the (empty) lists of a public repository.
    let list = ok(
        &c2,
        "issue_read",
        or(json!({"method": "get_blocked_by", "issue_number": 2})),
    )
    .await;
    assert_eq!(list, json!([]));
}
