//! Users, repositories, files, branches, tags, commits, releases, labels and milestones,
//! each checked against the emulator's state.

use base64::Engine;
use serde_json::json;

use super::common::{client, err, err_lab, ok, ok_lab, start};

#[tokio::test]
async fn users_and_repositories() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let me = ok(&c, "get_me", json!({})).await;
    assert_eq!(me["login"], "user1");
    assert!(me.get("id").is_some());
    let v = ok(&c, "get_gitea_mcp_server_version", json!({})).await;
    assert_eq!(
        v,
        format!("Gitea MCP Server version: {}", env!("CARGO_PKG_VERSION"))
    );
    let e = err(&c, "get_user_orgs", json!({})).await;
    assert!(
        e.contains("status 403") && e.contains("read:organization"),
        "scoped token: {e}"
    );
    let all = env.emu().create_token("user1", "everything", &["all"]);
    let wide = client(&env.url, Some(&all)).await;
    assert_eq!(ok(&wide, "get_user_orgs", json!({})).await, json!([]));
    let found = ok(&c, "search_users", json!({"query": "user"})).await;
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["login"] == "user1"),
        "{found}"
    );

    let repo = ok(
        &wide,
        "create_repo",
        json!({"name": "notes", "description": "d", "private": "true"}),
    )
    .await;
    assert_eq!(repo["full_name"], "user1/notes");
    assert_eq!(repo["owner"], "user1");
    assert_eq!(repo["private"], true);
    let mine = ok(&wide, "list_my_repos", json!({"per_page": 50})).await;
    let names: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"user1/notes") && names.contains(&"user1/mcp"),
        "{names:?}"
    );
    let hits = ok(&wide, "search_repos", json!({"query": "mcp"})).await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|r| r["full_name"] == "user1/mcp"),
        "{hits}"
    );
    let e = err(&wide, "create_repo", json!({"name": "notes"})).await;
    assert!(e.contains("status 409"), "{e}");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn files_read_write_delete() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let f = ok_lab(
        &c,
        "get_file_contents",
        json!({"ref": "main", "path": "agent/requirements.txt"}),
    )
    .await;
    assert_eq!(f["encoding"], "base64");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(f["content"].as_str().unwrap().replace('\n', ""))
        .unwrap();
    assert!(String::from_utf8(raw).unwrap().starts_with("fastapi=="));
    let lines = ok_lab(
        &c,
        "get_file_contents",
        json!({"ref": "main", "path": "agent/requirements.txt", "withLines": true}),
    )
    .await;
    assert_eq!(lines["total_lines"], 3);
    assert_eq!(
        lines["content"][1],
        json!({"line": 2, "content": "uvicorn==0.30.6"})
    );
    let range = ok_lab(
        &c,
        "get_file_contents",
        json!({"ref": "main", "path": "agent/requirements.txt", "start_line": 2, "end_line": "2"}),
    )
    .await;
    assert_eq!(range["content"], "uvicorn==0.30.6");
    assert_eq!(range["truncated"], true);
    let dir = ok_lab(
        &c,
        "get_dir_contents",
        json!({"ref": "broken", "path": "agent"}),
    )
    .await;
    let mut names: Vec<&str> = dir
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Containerfile", "main.py"],
        "the broken branch lacks requirements.txt"
    );

    let msg = ok_lab(&c, "create_or_update_file", json!({"branch_name": "broken", "message": "restore", "path": "agent/requirements.txt", "content": "fastapi==0.115.0\n"})).await;
    assert_eq!(msg, "Committed 1 file(s) to branch broken");
    assert_eq!(
        env.emu()
            .file("user1", "mcp", "broken", "agent/requirements.txt")
            .unwrap(),
        b"fastapi==0.115.0\n"
    );
    // edits: exact replacement, sha derived automatically
    ok_lab(
        &c,
        "create_or_update_file",
        json!({"branch_name": "broken", "message": "pin", "path": "agent/requirements.txt",
        "edits": [{"old_string": "0.115.0", "new_string": "0.116.0"}]}),
    )
    .await;
    assert_eq!(
        env.emu()
            .file("user1", "mcp", "broken", "agent/requirements.txt")
            .unwrap(),
        b"fastapi==0.116.0\n"
    );
    // several files in one commit, on a new branch
    let msg = ok_lab(
        &c,
        "create_or_update_file",
        json!({"branch_name": "main", "new_branch_name": "docs", "message": "docs",
        "files": [{"path": "docs/a.md", "content": "A"}, {"path": "docs/b.md", "content": "B"}]}),
    )
    .await;
    assert_eq!(msg, "Committed 2 file(s) to branch docs");
    assert_eq!(
        env.emu().file("user1", "mcp", "docs", "docs/b.md").unwrap(),
        b"B"
    );
    assert!(
        env.emu()
            .file("user1", "mcp", "main", "docs/b.md")
            .is_none()
    );
    // update without sha is a create of an existing file → Gitea's error
    let e = err_lab(
        &c,
        "create_or_update_file",
        json!({"branch_name": "docs", "message": "x", "path": "docs/a.md", "content": "A2"}),
    )
    .await;
    assert!(e.contains("status"), "{e}");
    let a = ok_lab(
        &c,
        "get_file_contents",
        json!({"ref": "docs", "path": "docs/a.md"}),
    )
    .await;
    ok_lab(&c, "create_or_update_file", json!({"branch_name": "docs", "message": "x", "path": "docs/a.md", "content": "A2", "sha": a["sha"]})).await;
    assert_eq!(
        env.emu().file("user1", "mcp", "docs", "docs/a.md").unwrap(),
        b"A2"
    );
    let a = ok_lab(
        &c,
        "get_file_contents",
        json!({"ref": "docs", "path": "docs/a.md"}),
    )
    .await;
    let msg = ok_lab(
        &c,
        "delete_file",
        json!({"branch_name": "docs", "message": "rm", "path": "docs/a.md", "sha": a["sha"]}),
    )
    .await;
    assert_eq!(msg, "Delete file success");
    assert!(
        env.emu()
            .file("user1", "mcp", "docs", "docs/a.md")
            .is_none()
    );
    let e = err_lab(
        &c,
        "get_file_contents",
        json!({"ref": "main", "path": "nope.txt"}),
    )
    .await;
    assert!(e.contains("status 404"), "{e}");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn branches_tags_commits_releases() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    assert_eq!(
        ok_lab(
            &c,
            "create_branch",
            json!({"branch": "fix", "old_branch": "broken"})
        )
        .await,
        "Branch Created"
    );
    assert!(
        env.emu()
            .branches("user1", "mcp")
            .contains(&"fix".to_string())
    );
    let branches = ok_lab(&c, "list_branches", json!({})).await;
    let fix = branches
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "fix")
        .unwrap();
    assert!(fix["commit_sha"].as_str().unwrap().len() >= 40);
    assert_eq!(
        ok_lab(&c, "delete_branch", json!({"branch": "fix"})).await,
        "Branch Deleted"
    );
    assert!(
        !env.emu()
            .branches("user1", "mcp")
            .contains(&"fix".to_string())
    );

    let commits = ok_lab(&c, "list_commits", json!({"sha": "main", "per_page": 2})).await;
    assert_eq!(commits.as_array().unwrap().len(), 2);
    let sha = commits[0]["sha"].as_str().unwrap().to_string();
    assert!(commits[0]["message"].is_string());
    let one = ok_lab(&c, "get_commit", json!({"sha": sha})).await;
    assert_eq!(one["sha"], sha.as_str());

    assert_eq!(
        ok_lab(
            &c,
            "create_tag",
            json!({"tag_name": "v1", "target": "main", "message": "first"})
        )
        .await,
        "Tag Created"
    );
    let tag = ok_lab(&c, "get_tag", json!({"tag_name": "v1"})).await;
    assert_eq!(tag["name"], "v1");
    assert_eq!(tag["commit_sha"], sha.as_str());
    assert_eq!(
        ok_lab(&c, "list_tags", json!({}))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    assert_eq!(
        ok_lab(
            &c,
            "create_release",
            json!({"tag_name": "v1", "target": "main", "title": "One", "body": "notes"})
        )
        .await,
        "Release Created"
    );
    let list = ok_lab(&c, "list_releases", json!({})).await;
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["title"], "One");
    let rel = ok_lab(&c, "get_release", json!({"id": id.to_string()})).await;
    assert_eq!(rel["tag_name"], "v1");
    assert_eq!(rel["author"], "user1");
    assert_eq!(ok_lab(&c, "get_latest_release", json!({})).await["id"], id);
    ok_lab(&c, "delete_release", json!({"id": id})).await;
    assert_eq!(ok_lab(&c, "list_releases", json!({})).await, json!([]));
    assert_eq!(
        ok_lab(&c, "delete_tag", json!({"tag_name": "v1"})).await,
        "Tag deleted"
    );
    assert_eq!(ok_lab(&c, "list_tags", json!({})).await, json!([]));
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn labels_and_milestones() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let l = ok_lab(&c, "label_write", json!({"method": "create_repo_label", "name": "ci", "color": "#00ff00", "description": "CI"})).await;
    let id = l["id"].as_i64().unwrap();
    assert_eq!(l["name"], "ci");
    let e = ok_lab(
        &c,
        "label_write",
        json!({"method": "edit_repo_label", "id": id, "name": "ci-cd"}),
    )
    .await;
    assert_eq!(e["name"], "ci-cd");
    assert_eq!(
        ok_lab(
            &c,
            "label_read",
            json!({"method": "get_repo_label", "id": id})
        )
        .await["name"],
        "ci-cd"
    );
    ok_lab(
        &c,
        "label_write",
        json!({"method": "delete_repo_label", "id": id}),
    )
    .await;
    let all = ok_lab(&c, "label_read", json!({"method": "list_repo_labels"})).await;
    assert!(all.as_array().unwrap().iter().all(|l| l["id"] != id));
    assert_eq!(
        err_lab(
            &c,
            "label_write",
            json!({"method": "create_repo_label", "name": "x"})
        )
        .await,
        "color is required"
    );
    assert_eq!(
        err(&c, "label_read", json!({"method": "list_org_labels"})).await,
        "org is required"
    );

    let m = ok_lab(
        &c,
        "milestone_write",
        json!({"method": "create", "title": "1.0", "description": "first"}),
    )
    .await;
    let mid = m["id"].as_i64().unwrap();
    ok_lab(
        &c,
        "milestone_write",
        json!({"method": "edit", "id": mid, "state": "closed"}),
    )
    .await;
    let got = ok_lab(&c, "milestone_read", json!({"method": "get", "id": mid})).await;
    assert_eq!(got["state"], "closed");
    assert_eq!(got["title"], "1.0");
    let listed = ok_lab(&c, "milestone_read", json!({"method": "list"})).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "default state is all");
    let issue = ok_lab(
        &c,
        "issue_write",
        json!({"method": "create", "title": "t", "milestone": mid}),
    )
    .await;
    assert_eq!(issue["milestone"]["id"], mid);
    ok_lab(
        &c,
        "milestone_write",
        json!({"method": "delete", "id": mid}),
    )
    .await;
    let e = err_lab(&c, "milestone_read", json!({"method": "get", "id": mid})).await;
    assert!(e.contains("status 404"), "{e}");
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn organizations_and_their_repositories() {
    let env = start(|_| {}).await;
    let all = env.emu().create_token("user1", "org-admin", &["all"]);
    let resp = reqwest::Client::new()
        .post(format!("{}/orgs", env.gitea.api_url()))
        .header("authorization", format!("token {all}"))
        .json(&json!({"username": "platform", "full_name": "Platform team"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let c = client(&env.url, Some(&all)).await;
    let orgs = ok(&c, "get_user_orgs", json!({})).await;
    assert_eq!(orgs[0]["name"], "platform");
    assert_eq!(orgs[0]["full_name"], "Platform team");
    let repo = ok(
        &c,
        "create_repo",
        json!({"name": "infra", "organization": "platform"}),
    )
    .await;
    assert_eq!(repo["full_name"], "platform/infra");
    assert!(env.emu().user_exists("platform"));
    let listed = ok(&c, "list_org_repos", json!({"org": "platform"})).await;
    assert_eq!(listed[0]["full_name"], "platform/infra");
    assert!(
        listed[0]["owner"].is_object(),
        "list_org_repos passes Gitea's objects through, as upstream"
    );
    c.cancel().await.unwrap();
}

#[tokio::test]
async fn tree_and_branch_rename() {
    let env = start(|_| {}).await;
    let c = client(&env.url, None).await;
    let tree = ok(
        &c,
        "get_repository_tree",
        json!({"owner": "user1", "repo": "mcp", "tree_sha": "main", "recursive": true}),
    )
    .await;
    let paths: Vec<&str> = tree["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"agent/requirements.txt") && paths.contains(&"README.md"),
        "{paths:?}"
    );
    let renamed = ok(
        &c,
        "rename_branch",
        json!({"owner": "user1", "repo": "mcp", "branch": "broken", "new_name": "broken-build"}),
    )
    .await;
    assert_eq!(renamed, "Branch renamed");
    let branches = env.emu().branches("user1", "mcp");
    assert!(
        branches.contains(&"broken-build".to_string()) && !branches.contains(&"broken".to_string()),
        "{branches:?}"
    );
    c.cancel().await.unwrap();
}
