//! `notification_read`/`notification_write`, `package_read`/`package_write`,
//! `attachment_read` and the `project_*` tools' answer on a Gitea without a projects API,
//! against the emulator (tokens with the notification and package scopes where needed).

use base64::Engine;
use serde_json::json;

use super::common::{client, err, err_lab, ok, ok_lab, start};

#[tokio::test]
async fn notifications_list_get_and_mark() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let token = emu.create_token(
        "user1",
        "n",
        &["write:notification", "write:repository", "write:issue"],
    );
    let c = client(&env.url, Some(&token)).await;
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "create", "title": "Build fails"}),
    )
    .await;
    let first = emu.notify("user1", "user1", "mcp", 1);
    let second = emu.notify("user1", "user1", "mcp", 1);

    let listed = ok(
        &c,
        "notification_read",
        json!({"method": "list", "status": "unread", "subject_type": "Issue"}),
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(
        listed[0]["subject"],
        json!({"title": "Build fails", "type": "Issue", "state": "open", "html_url": listed[0]["subject"]["html_url"]})
    );
    assert_eq!(listed[0]["repository"], "user1/mcp");
    let one = ok(
        &c,
        "notification_read",
        json!({"method": "get", "id": first}),
    )
    .await;
    assert_eq!(one["unread"], true);

    assert_eq!(
        ok(
            &c,
            "notification_write",
            json!({"method": "mark_read", "id": first})
        )
        .await,
        json!("Notification marked as read")
    );
    assert_eq!(emu.notification_unread(first), Some(false));
    assert_eq!(emu.notification_unread(second), Some(true));
    let done = ok_lab(&c, "notification_write", json!({"method": "mark_all_read"})).await;
    assert_eq!(done, json!("1 notification(s) marked as read"));
    assert_eq!(emu.notification_unread(second), Some(false));
    let left = ok(&c, "notification_read", json!({"method": "list"})).await;
    assert_eq!(left, json!([]));

    assert_eq!(
        err(
            &c,
            "notification_read",
            json!({"method": "list", "owner": "user1"})
        )
        .await,
        "repo is required"
    );
    assert_eq!(
        err(&c, "notification_write", json!({"method": "mark_read"})).await,
        "id is required"
    );
    let e = err(
        &c,
        "notification_read",
        json!({"method": "get", "id": 99999}),
    )
    .await;
    assert!(
        e.starts_with("get notification 99999 err: request failed with status 404"),
        "{e}"
    );
    // The lab token has no notification scope: Gitea's 403 reason comes through.
    let plain = client(&env.url, None).await;
    let e = err(&plain, "notification_read", json!({"method": "list"})).await;
    assert!(
        e.contains("status 403") && e.contains("notification"),
        "{e}"
    );
}

#[tokio::test]
async fn packages_list_get_and_delete() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let token = emu.create_token("user1", "p", &["write:package"]);
    let c = client(&env.url, Some(&token)).await;
    emu.add_package("user1", "generic", "agent", "1.0.0");
    emu.add_package("user1", "generic", "agent", "1.1.0");
    emu.add_package("user1", "container", "team/app", "2.0");

    let all = ok(
        &c,
        "package_read",
        json!({"method": "list", "owner": "user1", "type": "generic"}),
    )
    .await;
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
    assert_eq!(all[0]["creator"], "user1");
    let versions = ok(
        &c,
        "package_read",
        json!({"method": "list_versions", "owner": "user1", "type": "generic", "name": "agent"}),
    )
    .await;
    assert_eq!(versions.as_array().map(Vec::len), Some(2));
    for name in ["team/app", "team%2Fapp"] {
        let got = ok(&c, "package_read", json!({"method": "get", "owner": "user1", "type": "container", "name": name, "version": "2.0"})).await;
        assert_eq!(got["name"], "team/app", "{name}: {got}");
    }
    let del = json!({"method": "delete", "owner": "user1", "type": "generic", "name": "agent", "version": "1.0.0"});
    assert_eq!(
        ok(&c, "package_write", del.clone()).await,
        json!("Package version deleted")
    );
    assert!(
        !emu.packages("user1")
            .contains(&"generic/agent@1.0.0".to_string())
    );
    let e = err(&c, "package_write", del).await;
    assert!(
        e.starts_with(
            "delete user1 generic package agent 1.0.0 err: request failed with status 404"
        ),
        "{e}"
    );
    assert_eq!(
        err(
            &c,
            "package_read",
            json!({"method": "get", "owner": "user1", "type": "generic"})
        )
        .await,
        "name is required"
    );
    assert_eq!(
        err(
            &c,
            "package_write",
            json!({"method": "delete", "owner": "user1"})
        )
        .await,
        "type is required"
    );
}

#[tokio::test]
async fn attachments_inline_downloads() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    let c = client(&env.url, None).await;
    ok_lab(
        &c,
        "issue_write",
        json!({"method": "create", "title": "Build fails"}),
    )
    .await;
    let comment = ok_lab(
        &c,
        "issue_write",
        json!({"method": "add_comment", "issue_number": 1, "body": "screenshot"}),
    )
    .await;
    let cid = comment["id"].as_i64().unwrap();
    let (log_id, _) = emu.attach(("user1", "mcp", 1), None, "build.log", b"step 3 failed\n");
    let png = b"\x89PNG\r\n\x1a\n\x00\x01";
    let (_, png_uuid) = emu.attach(("user1", "mcp", 1), Some(cid), "shot.png", png);

    let listed = ok_lab(
        &c,
        "attachment_read",
        json!({"method": "list", "issue_number": 1}),
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], "build.log");
    let got = ok_lab(
        &c,
        "attachment_read",
        json!({"method": "get", "issue_number": 1, "attachment_id": log_id}),
    )
    .await;
    assert_eq!(got["size"], 14);
    let text = ok_lab(
        &c,
        "attachment_read",
        json!({"method": "download", "issue_number": 1, "attachment_id": log_id}),
    )
    .await;
    assert_eq!(
        (text["encoding"].clone(), text["content"].clone()),
        (json!("utf-8"), json!("step 3 failed\n")),
        "{text}"
    );
    let image = ok_lab(
        &c,
        "attachment_read",
        json!({"method": "download", "comment_id": cid, "attachment_uuid": png_uuid}),
    )
    .await;
    assert_eq!(image["encoding"], "base64");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(image["content"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, png);

    assert_eq!(
        err_lab(&c, "attachment_read", json!({"method": "list"})).await,
        "issue_number or comment_id is required"
    );
    let e = err_lab(
        &c,
        "attachment_read",
        json!({"method": "list", "issue_number": 1, "comment_id": cid}),
    )
    .await;
    assert_eq!(e, "comment_id cannot be given together with issue_number");
    let e = err_lab(
        &c,
        "attachment_read",
        json!({"method": "get", "issue_number": 1, "attachment_id": 99999}),
    )
    .await;
    assert!(
        e.starts_with("get attachment 99999 of user1/mcp#1 err: request failed with status 404"),
        "{e}"
    );
    assert_eq!(
        err_lab(
            &c,
            "attachment_read",
            json!({"method": "download", "issue_number": 1})
        )
        .await,
        "attachment_id or attachment_uuid is required"
    );
}

#[tokio::test]
async fn projects_explain_the_missing_api() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let e = err_lab(&c, "project_read", json!({"method": "list"})).await;
    assert!(
        e.starts_with("list projects err: request failed with status 404"),
        "{e}"
    );
    assert!(e.contains("no projects API"), "{e}");
    let e = err(
        &c,
        "project_write",
        json!({"method": "create", "org": "lab-org", "title": "Board"}),
    )
    .await;
    assert!(
        e.contains("status 404") && e.contains("no projects API"),
        "{e}"
    );
    assert_eq!(
        err(
            &c,
            "project_read",
            json!({"method": "list", "owner": "user1"})
        )
        .await,
        "owner and repo must be set together"
    );
    assert_eq!(
        err(&c, "project_write", json!({"method": "create"})).await,
        "title is required"
    );
    assert_eq!(
        err(&c, "project_read", json!({"method": "get"})).await,
        "project_id is required"
    );
}
