//! Per-request tokens: isolation under concurrency, the static fallback, and
//! `-require-token`.

use futures::future::join_all;
use serde_json::json;

use super::common::{STEP, client, err, ok, serve, start};

#[tokio::test]
async fn concurrent_callers_act_as_themselves() {
    let env = start(|c| c.token = None).await;
    let alice = env.emu().seed_lab("alice");
    let bob = env.emu().seed_lab("bob");
    let ca = client(&env.url, Some(&alice.user_token)).await;
    let cb = client(&env.url, Some(&bob.user_token)).await;
    let mut calls = Vec::new();
    for i in 0..10 {
        for (c, user) in [(&ca, "alice"), (&cb, "bob")] {
            calls.push(async move {
                let me = ok(c, "get_me", json!({})).await;
                assert_eq!(me["login"], user);
                let issue = ok(c, "issue_write", json!({"method": "create", "owner": user, "repo": "mcp", "title": format!("{user} {i}")})).await;
                assert_eq!(issue["user"], user);
            });
        }
    }
    tokio::time::timeout(STEP * 3, join_all(calls))
        .await
        .unwrap();
    for user in ["alice", "bob"] {
        let issues = env.emu().issues(user, "mcp");
        assert_eq!(issues.len(), 10);
        assert!(
            issues.iter().all(|i| i["user"]["login"] == user),
            "{user}: {issues:?}"
        );
    }
    // without a token and without a static token: anonymous, so get_me fails
    let anon = client(&env.url, None).await;
    let e = err(&anon, "get_me", json!({})).await;
    assert!(e.contains("status 401"), "{e}");
}

#[tokio::test]
async fn token_scheme_and_static_fallback() {
    let env = start(|_| {}).await; // static token = user1's
    let other = env.emu().seed_lab("carol");
    // `token <t>` works as well as Bearer
    let http = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_me", "arguments": {}}});
    for auth in [
        format!("token {}", other.user_token),
        format!("BEARER {}", other.user_token),
    ] {
        let reply: serde_json::Value = http
            .post(&env.url)
            .header("accept", "application/json, text/event-stream")
            .header("authorization", auth)
            .json(&body)
            .timeout(STEP)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            reply["result"]["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("\"carol\""),
            "{reply}"
        );
    }
    let c = client(&env.url, None).await;
    assert_eq!(ok(&c, "get_me", json!({})).await["login"], "user1");
}

#[tokio::test]
async fn require_token_refuses_anonymous_requests() {
    let env = start(|c| c.require_token = true).await;
    let resp = reqwest::Client::new()
        .post(&env.url)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .timeout(STEP)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    let c = client(&env.url, Some(&env.lab.user_token)).await;
    assert_eq!(ok(&c, "get_me", json!({})).await["login"], "user1");
    let _ = serve; // (serve is used by other modules)
}
