//! Issues and comments.

use reqwest::Method;
use serde_json::json;

use super::common::{Fixture, send};

#[tokio::test]
async fn create_list_edit_issue() {
    let f = Fixture::new().await;
    let (status, issue) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues")
            .json(&json!({"title": "Build fails", "body": "COPY requirements.txt"})),
    )
    .await;
    assert_eq!(status, 201, "{issue}");
    assert_eq!(issue["number"], 1);
    let base = f.server.base_url();
    assert_eq!(issue["html_url"], format!("{base}/user1/mcp/issues/1"));
    assert_eq!(
        issue["url"],
        format!("{base}/api/v1/repos/user1/mcp/issues/1")
    );
    assert_eq!(
        f.emulator().issues("user1", "mcp")[0]["title"],
        "Build fails"
    );

    let (status, edited) = send(
        f.user(Method::PATCH, "/repos/user1/mcp/issues/1")
            .json(&json!({"state": "closed"})),
    )
    .await;
    assert_eq!((status, edited["state"].as_str()), (201, Some("closed")));
    let (_, open) = send(f.user(Method::GET, "/repos/user1/mcp/issues")).await;
    assert_eq!(open, json!([]));
    let (_, all) = send(f.user(Method::GET, "/repos/user1/mcp/issues?state=all")).await;
    assert_eq!(all.as_array().unwrap().len(), 1);

    let (status, comment) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues/1/comments")
            .json(&json!({"body": "hi"})),
    )
    .await;
    assert_eq!((status, comment["body"].as_str()), (201, Some("hi")));
    let (status, body) = send(
        f.user(Method::POST, "/repos/user1/mcp/issues")
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (422, Some("[Title]: Required"))
    );
    let (status, body) = send(f.user(Method::GET, "/repos/nobody/mcp/issues")).await;
    assert_eq!(status, 404, "{body}");
}

async fn create(f: &Fixture, body: serde_json::Value) -> serde_json::Value {
    let (status, issue) = send(f.user(Method::POST, "/repos/user1/mcp/issues").json(&body)).await;
    assert_eq!(status, 201, "{issue}");
    issue
}

fn titles(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn issue_filters_and_search() {
    let f = Fixture::new().await;
    let (_, labels) = send(f.user(Method::GET, "/repos/user1/mcp/labels")).await;
    let bug = labels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "bug")
        .unwrap()["id"]
        .clone();
    let ms = json!({"title": "sprint-1"});
    let (_, milestone) = send(
        f.user(Method::POST, "/repos/user1/mcp/milestones")
            .json(&ms),
    )
    .await;
    create(
        &f,
        json!({"title": "Pipeline broken", "body": "buildah COPY", "labels": [bug]}),
    )
    .await;
    create(
        &f,
        json!({"title": "Docs typo", "milestone": milestone["id"]}),
    )
    .await;
    create(&f, json!({"title": "Old thing", "closed": true})).await;
    f.emulator()
        .put_file("user1", "mcp", "topic", "x.txt", b"x");
    let pr = json!({"head": "topic", "base": "main", "title": "A pull"});
    assert_eq!(
        send(f.user(Method::POST, "/repos/user1/mcp/pulls").json(&pr))
            .await
            .0,
        201
    );

    let get = |q: &str| f.user(Method::GET, &format!("/repos/user1/mcp/issues{q}"));
    assert_eq!(
        titles(&send(get("")).await.1),
        ["A pull", "Docs typo", "Pipeline broken"]
    );
    assert_eq!(
        titles(&send(get("?type=issues")).await.1),
        ["Docs typo", "Pipeline broken"]
    );
    assert_eq!(titles(&send(get("?type=pulls")).await.1), ["A pull"]);
    assert_eq!(titles(&send(get("?state=closed")).await.1), ["Old thing"]);
    assert_eq!(
        titles(&send(get("?state=all&limit=2&page=2")).await.1),
        ["Docs typo", "Pipeline broken"]
    );
    assert_eq!(
        titles(&send(get("?labels=bug,nonexistent")).await.1),
        ["Pipeline broken"]
    );
    assert_eq!(
        titles(&send(get("?milestones=sprint-1")).await.1),
        ["Docs typo"]
    );
    assert_eq!(
        titles(&send(get("?q=buildah")).await.1),
        ["Pipeline broken"]
    );
    assert_eq!(
        titles(&send(get("?created_by=nobody")).await.1),
        Vec::<&str>::new()
    );
    let (_, pulls) = send(get("?type=pulls")).await;
    assert!(
        pulls[0]["pull_request"]["html_url"]
            .as_str()
            .unwrap()
            .ends_with("/user1/mcp/pulls/4")
    );

    let (_, found) = send(f.user(Method::GET, "/repos/issues/search?q=typo&type=issues")).await;
    assert_eq!(titles(&found), ["Docs typo"]);
    assert_eq!(found[0]["repository"]["full_name"], "user1/mcp");
    let (_, found) = send(f.req(
        Method::GET,
        "/repos/issues/search?state=all&owner=user1",
        "",
    ))
    .await;
    assert_eq!(found.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn issue_labels_by_id_or_name() {
    let f = Fixture::new().await;
    create(&f, json!({"title": "Labelled"})).await;
    let path = "/repos/user1/mcp/issues/1/labels";
    let (status, labels) = send(
        f.user(Method::POST, path)
            .json(&json!({"labels": ["bug", "pipeline"]})),
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = labels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bug", "pipeline"]);
    let bug = labels[0]["id"].as_i64().unwrap();
    let (_, labels) = send(f.user(Method::PUT, path).json(&json!({"labels": [bug]}))).await;
    assert_eq!(labels.as_array().unwrap().len(), 1);
    let (status, err) = send(
        f.user(Method::POST, path)
            .json(&json!({"labels": ["nope"]})),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(
        send(f.user(Method::DELETE, &format!("{path}/{bug}")))
            .await
            .0,
        204
    );
    assert_eq!(send(f.user(Method::GET, path)).await.1, json!([]));
    let ro = f.emulator().create_token("user1", "ro", &["read:issue"]);
    assert_eq!(
        send(f.req(Method::PUT, path, &ro).json(&json!({"labels": []})))
            .await
            .0,
        403
    );
    let (status, edited) = send(
        f.user(Method::PATCH, "/repos/user1/mcp/issues/1")
            .json(&json!({"state": "closed", "title": "Done"})),
    )
    .await;
    assert_eq!((status, edited["state"].as_str()), (201, Some("closed")));
    assert!(edited["closed_at"].is_string());
    let (status, _) = send(
        f.user(Method::PATCH, "/repos/user1/mcp/issues/1")
            .json(&json!({"state": "weird"})),
    )
    .await;
    assert_eq!(status, 422);
}
