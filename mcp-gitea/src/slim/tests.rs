use super::*;

#[test]
fn issue_is_slimmed() {
    let raw = json!({
        "id": 1, "number": 7, "title": "t", "body": "b", "state": "open",
        "html_url": "http://g/u/r/issues/7", "user": {"login": "alice", "id": 3},
        "labels": [{"id": 1, "name": "bug"}], "assignees": null, "milestone": null,
        "ref": "", "pull_request": null, "comments": 0, "url": "x"
    });
    let s = issue(&raw);
    assert_eq!(s["user"], "alice");
    assert_eq!(s["labels"], json!(["bug"]));
    assert_eq!(s["number"], 7);
    assert!(s.get("assignees").is_none() && s.get("ref").is_none() && s.get("url").is_none());
    assert!(s.get("is_pull").is_none());
}

#[test]
fn repo_owner_is_a_login() {
    let s = repo(&json!({"id": 1, "full_name": "u/r", "owner": {"login": "u"}, "topics": []}));
    assert_eq!(s, json!({"id": 1, "full_name": "u/r", "owner": "u"}));
}
