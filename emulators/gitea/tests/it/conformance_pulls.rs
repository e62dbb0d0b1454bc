//! Conformance of the pull-request, review and release operations (part of
//! `conformance::every_operation_conforms_to_the_swagger`).

use serde_json::json;

use super::checker::{Checker, Who};

pub(crate) async fn pulls_and_releases(c: &mut Checker<'_>, user: &str) {
    let u = Who::Token(user);
    let base = "/repos/user1/mcp";
    let create =
        json!({"head": "feature", "base": "main", "title": "Drop main.py", "body": "cleanup"});
    let pr = c
        .post(u, &format!("{base}/pulls"), create.clone(), 201)
        .await;
    let n = pr["number"].as_i64().unwrap_or(0);
    c.post(u, &format!("{base}/pulls"), create, 409).await;
    c.get(u, &format!("{base}/pulls?state=open&limit=5"), 200)
        .await;
    c.get(u, &format!("{base}/pulls/{n}"), 200).await;
    let edit = json!({"body": "cleanup, edited", "title": "Drop agent/main.py"});
    c.patch(u, &format!("{base}/pulls/{n}"), edit, 201).await;
    let files = c
        .get(u, &format!("{base}/pulls/{n}/files?limit=10"), 200)
        .await;
    assert_eq!(files[0]["status"], "removed");
    let diff = c.get(u, &format!("{base}/pulls/{n}.diff"), 200).await;
    let diff = diff.as_str().unwrap_or_default();
    assert!(
        diff.contains("deleted file mode"),
        "{diff:?} {:?}",
        c.failures
    );
    c.get(u, &format!("{base}/pulls/{n}.patch"), 200).await;
    c.get(u, &format!("{base}/pulls/{n}/merge"), 404).await;
    let review = json!({"event": "APPROVED", "body": "lgtm"});
    c.post(u, &format!("{base}/pulls/{n}/reviews"), review, 200)
        .await;
    c.get(u, &format!("{base}/pulls/{n}/reviews"), 200).await;
    reviews(c, user, n).await;
    let merge = json!({"do": "merge", "merge_title_field": "Merge feature", "delete_branch_after_merge": true});
    c.post(u, &format!("{base}/pulls/{n}/merge"), merge.clone(), 200)
        .await;
    c.post(u, &format!("{base}/pulls/{n}/merge"), merge, 405)
        .await;
    c.get(u, &format!("{base}/pulls/{n}/merge"), 204).await;
    let rel =
        json!({"tag_name": "v1.0.0", "name": "One", "body": "notes", "target_commitish": "main"});
    let release = c.post(u, &format!("{base}/releases"), rel, 201).await;
    let rid = release["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{base}/releases?limit=5"), 200).await;
    c.get(u, &format!("{base}/releases/{rid}"), 200).await;
    c.get(u, &format!("{base}/releases/latest"), 200).await;
    c.get(u, &format!("{base}/releases/tags/v1.0.0"), 200).await;
    c.delete(u, &format!("{base}/releases/{rid}"), 204).await;
    c.delete(u, &format!("{base}/tags/v0.1.0"), 204).await;
}

async fn reviews(c: &mut Checker<'_>, user: &str, n: i64) {
    let u = Who::Token(user);
    let pulls = format!("/repos/user1/mcp/pulls/{n}");
    let approved = c.get(u, &format!("{pulls}/reviews"), 200).await;
    let approved_id = approved[0]["id"].as_i64().unwrap_or(0);
    let pending = c
        .post(
            u,
            &format!("{pulls}/reviews"),
            json!({"body": "draft"}),
            200,
        )
        .await;
    assert_eq!(pending["state"], "PENDING");
    let id = pending["id"].as_i64().unwrap_or(0);
    c.get(u, &format!("{pulls}/reviews/{id}"), 200).await;
    let submit = json!({"event": "COMMENT", "body": "one remark"});
    let submitted = c
        .post(u, &format!("{pulls}/reviews/{id}"), submit, 200)
        .await;
    assert_eq!(submitted["state"], "COMMENT");
    c.get(u, &format!("{pulls}/reviews/{id}/comments"), 200)
        .await;
    review_comments(c, user, n).await;
    let dismissal = json!({"message": "outdated"});
    let dismissed = c
        .post(
            u,
            &format!("{pulls}/reviews/{approved_id}/dismissals"),
            dismissal,
            200,
        )
        .await;
    assert_eq!(dismissed["dismissed"], true);
    c.delete(u, &format!("{pulls}/reviews/{id}"), 204).await;
    c.get(u, &format!("{pulls}/reviews/{id}"), 404).await;
    let who = json!({"reviewers": ["gitea-admin"]});
    let requested = c
        .post(u, &format!("{pulls}/requested_reviewers"), who.clone(), 201)
        .await;
    assert_eq!(requested[0]["state"], "REQUEST_REVIEW");
    let pr = c.get(u, &pulls, 200).await;
    assert_eq!(pr["requested_reviewers"][0]["login"], "gitea-admin");
    c.call(
        u,
        "DELETE",
        &format!("{pulls}/requested_reviewers"),
        Some(who),
        204,
    )
    .await;
    c.call(u, "POST", &format!("{pulls}/update?style=merge"), None, 200)
        .await;
}

/// A review with code comments, then resolving and unresolving its conversation.
async fn review_comments(c: &mut Checker<'_>, user: &str, n: i64) {
    let u = Who::Token(user);
    let pulls = format!("/repos/user1/mcp/pulls/{n}");
    let review = json!({"event": "COMMENT", "body": "see inline", "comments": [
        {"path": "agent/main.py", "body": "why remove this?", "old_position": 1, "new_position": 0}]});
    let created = c.post(u, &format!("{pulls}/reviews"), review, 200).await;
    assert_eq!(created["comments_count"], 1, "{created}");
    let rid = created["id"].as_i64().unwrap_or(0);
    let comments = c
        .get(u, &format!("{pulls}/reviews/{rid}/comments"), 200)
        .await;
    assert_eq!(comments[0]["resolver"], json!(null), "{comments}");
    assert_eq!(comments[0]["path"], "agent/main.py");
    let cid = comments[0]["id"].as_i64().unwrap_or(0);
    let comment = format!("/repos/user1/mcp/pulls/comments/{cid}");
    c.call(u, "POST", &format!("{comment}/resolve"), None, 204)
        .await;
    let comments = c
        .get(u, &format!("{pulls}/reviews/{rid}/comments"), 200)
        .await;
    assert_eq!(comments[0]["resolver"]["login"], "user1", "{comments}");
    c.call(u, "POST", &format!("{comment}/unresolve"), None, 204)
        .await;
    let comments = c
        .get(u, &format!("{pulls}/reviews/{rid}/comments"), 200)
        .await;
    assert_eq!(comments[0]["resolver"], json!(null));
    c.call(
        u,
        "POST",
        "/repos/user1/mcp/pulls/comments/999999/resolve",
        None,
        404,
    )
    .await;
    c.call(
        Who::Anonymous,
        "POST",
        &format!("{comment}/unresolve"),
        None,
        401,
    )
    .await;
    let plain = c
        .post(
            u,
            &format!("/repos/user1/mcp/issues/{n}/comments"),
            json!({"body": "not on code"}),
            201,
        )
        .await;
    let plain = plain["id"].as_i64().unwrap_or(0);
    c.call(
        u,
        "POST",
        &format!("/repos/user1/mcp/pulls/comments/{plain}/resolve"),
        None,
        400,
    )
    .await;
}
