//! `wiki_read`/`wiki_write` and `timetracking_read`/`timetracking_write` against the
//! emulator, with their effects checked there and the error paths (missing argument,
//! Gitea's 404 and 409).

use serde_json::json;

use super::common::{client, err_lab, ok, ok_lab, start};

#[tokio::test]
async fn wiki_pages_round_trip() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let c = client(&env.url, None).await;
    let made = ok_lab(
        &c,
        "wiki_write",
        json!({"method": "create", "title": "Build Notes", "content": "# Notes\nuse main\n"}),
    )
    .await;
    assert_eq!(made["content"], "# Notes\nuse main\n", "{made}");
    assert_eq!(
        emu.wiki_page("user1", "mcp", "Build Notes").unwrap(),
        b"# Notes\nuse main\n"
    );
    let pages = ok_lab(&c, "wiki_read", json!({"method": "list"})).await;
    assert_eq!(pages[0]["title"], "Build Notes", "{pages}");
    let got = ok_lab(
        &c,
        "wiki_read",
        json!({"method": "get", "pageName": "Build-Notes"}),
    )
    .await;
    assert_eq!(got["content"], "# Notes\nuse main\n");
    assert!(
        got["content_base64"].is_string(),
        "Gitea's field stays: {got}"
    );

    let upd = json!({"method": "update", "pageName": "Build Notes", "title": "Build", "content": "v2", "message": "second"});
    ok_lab(&c, "wiki_write", upd).await;
    assert_eq!(emu.wiki_page("user1", "mcp", "Build").unwrap(), b"v2");
    assert!(emu.wiki_page("user1", "mcp", "Build Notes").is_none());
    let revs = ok_lab(
        &c,
        "wiki_read",
        json!({"method": "get_revisions", "pageName": "Build"}),
    )
    .await;
    assert_eq!(revs["count"], 2, "{revs}");
    assert_eq!(revs["commits"][0]["message"], "second");
    assert_eq!(
        revs["commits"][1]["message"],
        "Create wiki page 'Build Notes'"
    );

    assert_eq!(
        ok_lab(
            &c,
            "wiki_write",
            json!({"method": "delete", "pageName": "Build"})
        )
        .await,
        json!("Wiki page deleted")
    );
    assert!(emu.wiki_page("user1", "mcp", "Build").is_none());
    let e = err_lab(
        &c,
        "wiki_read",
        json!({"method": "get", "pageName": "Build"}),
    )
    .await;
    assert!(
        e.starts_with("get user1/mcp wiki page Build err: request failed with status 404"),
        "{e}"
    );
    assert_eq!(
        err_lab(&c, "wiki_read", json!({"method": "get"})).await,
        "pageName is required"
    );
    assert_eq!(
        err_lab(&c, "wiki_write", json!({"method": "create"})).await,
        "title is required"
    );
}

#[tokio::test]
async fn tracked_time_and_stopwatches() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let c = client(&env.url, None).await;
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "create", "title": "Build fails"}),
    )
    .await;
    let n = json!({"issue_number": 1});
    let with = |m: &str| {
        let mut v = n.clone();
        v["method"] = json!(m);
        v
    };

    let added = ok_lab(
        &c,
        "timetracking_write",
        json!({"method": "add_time", "issue_number": 1, "time": "1800"}),
    )
    .await;
    assert_eq!(
        (added["time"].clone(), added["issue_number"].clone()),
        (json!(1800), json!(1)),
        "{added}"
    );
    assert_eq!(emu.tracked_times("user1", "mcp", 1), vec![1800]);
    let listed = ok_lab(&c, "timetracking_read", with("list_issue_times")).await;
    assert_eq!(listed[0]["user_name"], "user1", "{listed}");
    let repo = ok_lab(
        &c,
        "timetracking_read",
        json!({"method": "list_repo_times"}),
    )
    .await;
    assert_eq!(repo.as_array().map(Vec::len), Some(1));
    let mine = ok(&c, "timetracking_read", json!({"method": "get_my_times"})).await;
    assert_eq!(mine[0]["issue_title"], "Build fails", "{mine}");
    assert_eq!(
        ok(
            &c,
            "timetracking_read",
            json!({"method": "get_my_stopwatches"})
        )
        .await,
        json!("No active stopwatches")
    );

    ok_lab(&c, "timetracking_write", with("start_stopwatch")).await;
    assert_eq!(emu.stopwatches("user1"), 1);
    let watches = ok(
        &c,
        "timetracking_read",
        json!({"method": "get_my_stopwatches"}),
    )
    .await;
    assert_eq!(watches[0]["repository"], "user1/mcp", "{watches}");
    let e = err_lab(&c, "timetracking_write", with("start_stopwatch")).await;
    assert!(e.contains("status 409"), "{e}");
    assert_eq!(
        ok_lab(&c, "timetracking_write", with("stop_stopwatch")).await,
        json!("Stopwatch stopped")
    );
    assert_eq!(emu.stopwatches("user1"), 0);
    assert_eq!(emu.tracked_times("user1", "mcp", 1).len(), 2);
    let e = err_lab(&c, "timetracking_write", with("delete_stopwatch")).await;
    assert!(
        e.starts_with("delete stopwatch on user1/mcp#1 err: request failed with status 409"),
        "{e}"
    );

    let id = added["id"].clone();
    ok_lab(
        &c,
        "timetracking_write",
        json!({"method": "delete_time", "issue_number": 1, "id": id}),
    )
    .await;
    assert_eq!(emu.tracked_times("user1", "mcp", 1).len(), 1);

    assert_eq!(
        err_lab(&c, "timetracking_write", json!({"method": "add_time"})).await,
        "issue_number is required"
    );
    assert_eq!(
        err_lab(
            &c,
            "timetracking_write",
            json!({"method": "add_time", "issue_number": 1})
        )
        .await,
        "time is required"
    );
    let e = err_lab(
        &c,
        "timetracking_write",
        json!({"method": "add_time", "issue_number": 1, "time": 0}),
    )
    .await;
    assert_eq!(e, "time must be a positive number of seconds");
    let e = err_lab(
        &c,
        "timetracking_read",
        json!({"method": "list_issue_times", "issue_number": 99}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
}
