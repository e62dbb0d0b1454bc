//! Conformance of the operations that link things together: forks (repository →
//! repository), issue dependencies (issue → issue) and organization labels (org →
//! its repositories' issues). Part of `conformance::every_operation_conforms_to_the_swagger`;
//! runs after `users_and_admin` created `lab-org` (admin is a member, `user1` is not).

use serde_json::json;

use super::checker::{Checker, Who};

pub(crate) async fn forks(c: &mut Checker<'_>, admin: &str, user: &str) {
    let (a, u) = (Who::Token(admin), Who::Token(user));
    let forks = "/repos/user1/mcp/forks";
    let mine = c.post(a, forks, json!({}), 202).await;
    assert_eq!(mine["fork"], true, "{mine}");
    assert_eq!(mine["full_name"], "gitea-admin/mcp");
    assert_eq!(mine["parent"]["full_name"], "user1/mcp");
    assert_eq!(mine["empty"], false, "the fork has the git data");
    c.post(a, forks, json!({}), 409).await;
    let org = json!({"organization": "lab-org", "name": "mcp-fork"});
    let in_org = c.post(a, forks, org, 202).await;
    assert_eq!(in_org["full_name"], "lab-org/mcp-fork");
    c.post(u, forks, json!({"organization": "lab-org"}), 403)
        .await;
    c.post(u, forks, json!({}), 409).await;
    c.post(a, "/repos/nobody/mcp/forks", json!({}), 404).await;
    let listed = c
        .get(Who::Anonymous, &format!("{forks}?page=1&limit=10"), 200)
        .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    c.get(Who::Anonymous, "/repos/nobody/mcp/forks", 404).await;
    c.get(Who::Anonymous, "/repos/gitea-admin/mcp", 200).await;
}

pub(crate) async fn dependencies(c: &mut Checker<'_>, user: &str) {
    let u = Who::Token(user);
    let base = "/repos/user1/mcp/issues";
    let second = c
        .post(u, base, json!({"title": "Blocked by the build"}), 201)
        .await;
    let n = second["number"].as_i64().unwrap_or(0);
    let first = json!({"owner": "user1", "repo": "mcp", "index": 1});
    let got = c
        .post(u, &format!("{base}/{n}/dependencies"), first.clone(), 201)
        .await;
    assert_eq!(got["number"], n);
    let blockers = c
        .get(u, &format!("{base}/{n}/dependencies?page=1&limit=10"), 200)
        .await;
    assert_eq!(blockers[0]["number"], 1, "{blockers}");
    let blocked = c.get(u, &format!("{base}/1/blocks"), 200).await;
    assert_eq!(blocked[0]["number"], n, "{blocked}");
    c.get(u, &format!("{base}/99/dependencies"), 404).await;
    let missing = json!({"owner": "user1", "repo": "mcp", "index": 99});
    c.post(u, &format!("{base}/{n}/dependencies"), missing, 404)
        .await;
    c.call(
        u,
        "DELETE",
        &format!("{base}/{n}/dependencies"),
        Some(first),
        200,
    )
    .await;
    let none = c.get(u, &format!("{base}/1/blocks"), 200).await;
    assert_eq!(none, json!([]));
    let other = json!({"owner": "user1", "repo": "mcp", "index": n});
    c.post(u, &format!("{base}/1/blocks"), other.clone(), 201)
        .await;
    let blockers = c.get(u, &format!("{base}/{n}/dependencies"), 200).await;
    assert_eq!(blockers[0]["number"], 1, "{blockers}");
    c.call(u, "DELETE", &format!("{base}/1/blocks"), Some(other), 200)
        .await;
    c.call(
        u,
        "DELETE",
        &format!("{base}/99/blocks"),
        Some(json!({"index": 1})),
        404,
    )
    .await;
}

pub(crate) async fn org_labels(c: &mut Checker<'_>, admin: &str, user: &str) {
    let a = Who::Token(admin);
    let labels = "/orgs/lab-org/labels";
    let create = json!({"name": "org-wide", "color": "#112233", "description": "all repos", "exclusive": false});
    let label = c.post(a, labels, create, 201).await;
    let id = label["id"].as_i64().unwrap_or(0);
    assert!(
        label["url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/orgs/lab-org/labels/{id}")))
    );
    c.post(a, labels, json!({"name": "no-color"}), 422).await;
    c.get(Who::Anonymous, &format!("{labels}?page=1&limit=10"), 200)
        .await;
    c.get(Who::Anonymous, "/orgs/ghost-org/labels", 404).await;
    c.get(a, &format!("{labels}/{id}"), 200).await;
    c.get(a, &format!("{labels}/999999"), 404).await;
    let edited = c
        .patch(
            a,
            &format!("{labels}/{id}"),
            json!({"color": "abc", "is_archived": false}),
            200,
        )
        .await;
    assert_eq!(edited["color"], "aabbcc");
    c.patch(a, &format!("{labels}/{id}"), json!({"color": "zz"}), 422)
        .await;
    // The org's repositories can put the org label on their issues.
    let issue = json!({"title": "Org label", "labels": [id]});
    let created = c
        .post(a, "/repos/lab-org/org-repo/issues", issue, 201)
        .await;
    assert_eq!(created["labels"][0]["name"], "org-wide", "{created}");
    let added = c
        .post(
            a,
            "/repos/lab-org/org-repo/issues/1/labels",
            json!({"labels": ["org-wide"]}),
            200,
        )
        .await;
    assert_eq!(added[0]["id"], id);
    // ... but another owner's repository cannot.
    let elsewhere = json!({"labels": [id]});
    c.post(
        Who::Token(user),
        "/repos/user1/mcp/issues/1/labels",
        elsewhere,
        422,
    )
    .await;
    c.delete(a, &format!("{labels}/{id}"), 204).await;
    c.delete(a, &format!("{labels}/{id}"), 404).await;
    let after = c
        .get(a, "/repos/lab-org/org-repo/issues/1/labels", 200)
        .await;
    assert_eq!(after, json!([]));
}
