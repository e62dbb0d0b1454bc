//! Organization labels: `label_read list_org_labels` and `label_write
//! create/edit/delete_org_label` (and their legacy names), checked in the emulator; an
//! org label used on an org repository's issue by id and by name; error cases.

use serde_json::{Value, json};

use super::common::{client, err, ok, sorted_keys, start};

/// A token of `user1` (a member of `lab-org`) that may write organizations.
fn org_token(env: &super::common::Env) -> String {
    env.emu().create_token(
        "user1",
        "org",
        &["write:organization", "write:issue", "write:repository"],
    )
}

#[tokio::test]
async fn org_label_lifecycle() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "user1");
    let c = client(&env.url, Some(&org_token(&env))).await;

    let created = ok(
        &c,
        "label_write",
        json!({"method": "create_org_label", "org": "lab-org", "name": "ci",
               "color": "#00ff00", "description": "pipeline trouble", "exclusive": true}),
    )
    .await;
    assert_eq!(
        sorted_keys(&created),
        ["color", "description", "exclusive", "id", "name"]
    );
    assert_eq!(created["color"], "00ff00");
    assert_eq!(created["exclusive"], true);
    let id = created["id"].as_i64().unwrap();
    let stored = emu.org_labels("lab-org");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["name"], "ci");
    assert_eq!(stored[0]["description"], "pipeline trouble");

    let listed = ok(
        &c,
        "label_read",
        json!({"method": "list_org_labels", "org": "lab-org", "page": 1, "per_page": 10}),
    )
    .await;
    assert_eq!(listed, json!([created]));

    let edited = ok(
        &c,
        "label_write",
        json!({"method": "edit_org_label", "org": "lab-org", "id": id.to_string(),
               "name": "ci-failure", "color": "ff0000"}),
    )
    .await;
    assert_eq!(edited["name"], "ci-failure");
    assert_eq!(emu.org_labels("lab-org")[0]["color"], "ff0000");

    let deleted = ok(
        &c,
        "label_write",
        json!({"method": "delete_org_label", "org": "lab-org", "id": id}),
    )
    .await;
    assert_eq!(deleted, json!("Label deleted"));
    assert!(emu.org_labels("lab-org").is_empty());
}

#[tokio::test]
async fn org_labels_by_legacy_names_and_on_org_issues() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "user1");
    emu.create_repo("lab-org", "infra", false);
    emu.create_issue("lab-org", "infra", "Provision", "")
        .unwrap();
    let c = client(&env.url, Some(&org_token(&env))).await;

    let created = ok(
        &c,
        "create_org_label",
        json!({"org": "lab-org", "name": "org-wide", "color": "#123456"}),
    )
    .await;
    let id = created["Result"]["id"].as_i64().unwrap();
    assert_eq!(created["Result"]["name"], "org-wide");
    let listed = ok(&c, "list_org_labels", json!({"org": "lab-org"})).await;
    assert_eq!(listed["Result"][0]["id"], id, "{listed}");
    let edited = ok(
        &c,
        "edit_org_label",
        json!({"org": "lab-org", "id": id, "description": "everywhere"}),
    )
    .await;
    assert_eq!(edited["Result"]["description"], "everywhere");

    // The org's repositories use its labels, by id and by name.
    let labels = ok(
        &c,
        "issue_write",
        json!({"method": "add_labels", "owner": "lab-org", "repo": "infra", "issue_number": 1,
               "labels": ["org-wide"]}),
    )
    .await;
    assert_eq!(labels[0]["id"], id, "{labels}");
    let issue = &emu.issues("lab-org", "infra")[0];
    let names: Vec<&Value> = issue["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["name"])
        .collect();
    assert_eq!(names, [&json!("org-wide")]);

    let deleted = ok(&c, "delete_org_label", json!({"org": "lab-org", "id": id})).await;
    assert_eq!(deleted, json!({"Result": "Label deleted"}));
    assert!(emu.org_labels("lab-org").is_empty());
    assert_eq!(emu.issues("lab-org", "infra")[0]["labels"], json!([]));
}

#[tokio::test]
async fn org_label_errors() {
    let env = start(|_| {}).await;
    let emu = env.emu();
    emu.create_org("lab-org", "user1");
    let c = client(&env.url, Some(&org_token(&env))).await;
    assert_eq!(
        err(&c, "label_read", json!({"method": "list_org_labels"})).await,
        "org is required"
    );
    assert_eq!(
        err(
            &c,
            "label_write",
            json!({"method": "edit_org_label", "org": "lab-org"})
        )
        .await,
        "id is required"
    );
    assert_eq!(
        err(
            &c,
            "label_write",
            json!({"method": "create_org_label", "org": "lab-org", "name": "x"})
        )
        .await,
        "color is required"
    );
    let e = err(
        &c,
        "label_read",
        json!({"method": "list_org_labels", "org": "ghost"}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    let e = err(
        &c,
        "label_write",
        json!({"method": "delete_org_label", "org": "lab-org", "id": 424242}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    let e = err(
        &c,
        "label_read",
        json!({"method": "list_org_label", "org": "lab-org"}),
    )
    .await;
    assert_eq!(e, "unknown method: list_org_label");

    // The lab token has no organization scope; an outsider's token is not a member.
    let lab = client(&env.url, None).await;
    let e = err(
        &lab,
        "label_write",
        json!({"method": "create_org_label", "org": "lab-org", "name": "x", "color": "#000000"}),
    )
    .await;
    assert!(
        e.contains("status 403") && e.contains("write:organization"),
        "{e}"
    );
    let outsider = emu.create_token("user2", "t", &["write:organization"]);
    let out = client(&env.url, Some(&outsider)).await;
    let e = err(
        &out,
        "label_write",
        json!({"method": "create_org_label", "org": "lab-org", "name": "x", "color": "#000000"}),
    )
    .await;
    assert!(e.contains("status 403"), "{e}");
    assert!(emu.org_labels("lab-org").is_empty());
}
