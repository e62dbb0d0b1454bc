//! Gitea's paging: `page`/`limit`, default 30 capped at 50, `X-Total-Count` and `Link`.

use reqwest::Method;
use serde_json::json;

use super::common::Fixture;

#[tokio::test]
async fn pages_carry_total_and_links() {
    let f = Fixture::new().await;
    for i in 0..55 {
        f.emulator()
            .create_label("user1", "mcp", &format!("l{i:02}"), "00aabb", "");
    }
    let total = 55 + 3; // plus the lab's labels
    let response = f
        .user(Method::GET, "/repos/user1/mcp/labels")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-total-count"],
        total.to_string().as_str()
    );
    let link = response.headers()["link"].to_str().unwrap().to_string();
    let items: Vec<serde_json::Value> = response.json().await.unwrap();
    assert_eq!(items.len(), 30, "default page size");
    let base = f.server.base_url();
    assert!(
        link.contains(&format!(
            "<{base}/api/v1/repos/user1/mcp/labels?limit=30&page=2>; rel=\"next\""
        )),
        "{link}"
    );
    assert!(link.contains("page=2>; rel=\"last\""), "{link}");
    assert!(!link.contains("rel=\"prev\""), "{link}");

    let response = f
        .user(Method::GET, "/repos/user1/mcp/labels?limit=500&page=2")
        .send()
        .await
        .unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_string();
    let items: Vec<serde_json::Value> = response.json().await.unwrap();
    assert_eq!(items.len(), total - 50, "limit is capped at 50");
    assert!(
        link.contains("rel=\"first\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    assert!(!link.contains("rel=\"next\""), "{link}");

    let response = f
        .user(Method::GET, "/repos/user1/mcp/labels?page=9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!([])
    );
}

#[tokio::test]
async fn commits_add_gitea_paging_headers() {
    let f = Fixture::new().await;
    let response = f
        .user(Method::GET, "/repos/user1/mcp/commits?sha=main&limit=3")
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    assert_eq!(headers["x-total"], "4");
    assert_eq!(headers["x-pagecount"], "2");
    assert_eq!(headers["x-hasmore"], "true");
    assert_eq!(headers["x-perpage"], "3");
    let commits: Vec<serde_json::Value> = response.json().await.unwrap();
    assert_eq!(commits.len(), 3);
    assert_eq!(commits[0]["commit"]["message"], "Add agent/main.py");
}
