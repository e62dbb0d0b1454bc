use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fake_llm::{FakeLlm, issue_body, tool_calls};
use crate::support::server::free_port;
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

fn happy_llm() -> FakeLlm {
    FakeLlm::scripted(vec![
        tool_calls(&[(
            "pods_log",
            json!({"namespace": NS, "name": POD, "tail": 100}),
        )]),
        tool_calls(&[(
            "issue_write",
            json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)}),
        )]),
    ])
}

#[tokio::test]
async fn health_is_always_healthy() {
    bounded(async {
        let h = Harness::start(FakeLlm::scripted(vec![]), Options::default()).await;
        let (status, body) = h.get("/health").await;
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!({"status": "healthy"})
        );
    })
    .await
}

#[tokio::test]
async fn invalid_reports_get_422_naming_the_field() {
    bounded(async {
        let h = Harness::start(FakeLlm::scripted(vec![]), Options::default()).await;
        let cases = [
            (json!({"pod_name": POD}), "namespace"),
            (json!({"namespace": NS}), "pod_name"),
            (
                json!({"namespace": NS, "pod_name": POD, "container_name": null}),
                "container_name",
            ),
            (json!({"namespace": NS, "pod_name": 42}), "pod_name"),
            (
                json!({"namespace": "Not_Valid", "pod_name": POD}),
                "namespace",
            ),
            (
                json!({"namespace": NS, "pod_name": "x".repeat(300)}),
                "pod_name",
            ),
        ];
        for (body, field) in cases {
            let (status, reply) = h.report(body.clone()).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(reply["status"], "error");
            assert_eq!(reply["error"]["field"], field, "{reply}");
            assert!(reply["run_id"].is_string());
        }
        let r = h
            .http
            .post(h.url("/report-failure"))
            .header("content-type", "application/json")
            .body("{nope")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            h.llm.requests().is_empty(),
            "invalid input must not reach the LLM"
        );
    })
    .await
}

#[tokio::test]
async fn oversized_body_is_413() {
    bounded(async {
        let h = Harness::start(
            FakeLlm::scripted(vec![]),
            Options {
                env: vec![("MAX_BODY_BYTES", "2048".into())],
                ..Default::default()
            },
        )
        .await;
        let body = json!({"namespace": NS, "pod_name": POD, "log_tail": "x".repeat(4096)});
        let (status, reply) = h.report(body).await;
        assert_eq!(status, 413);
        assert_eq!(reply["error"]["kind"], "body_too_large");
    })
    .await
}

#[tokio::test]
async fn happy_path_returns_the_issue_and_keeps_the_result_string() {
    bounded(async {
        let h = Harness::start(happy_llm(), Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "success");
        assert_eq!(body["issue_number"], 1);
        assert_eq!(body["issue_url"], "http://gitea.test/user1/mcp/issues/1");
        assert!(
            body["result"]
                .as_str()
                .unwrap()
                .starts_with("Issue created")
        );
        assert_eq!(body["iterations"], 2);
        let issues = h.gitea.issues();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0]["title"], "Build failed");
        // The run ended as soon as the issue existed: exactly two LLM calls.
        assert_eq!(h.llm.requests().len(), 2);
    })
    .await
}

#[tokio::test]
async fn async_mode_answers_202_and_the_result_is_polled() {
    bounded(async {
        let h = Harness::start(happy_llm(), Options::default()).await;
        let r = h
            .http
            .post(h.url("/report-failure?async=true"))
            .json(&lab_report())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 202);
        let accepted: Value = r.json().await.unwrap();
        let url = accepted["status_url"].as_str().unwrap().to_string();
        let final_body = loop {
            let (status, text) = h.get(&url).await;
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["status"] != "running" {
                assert_eq!(status, 200);
                break v;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(final_body["issue_number"], 1);
        assert_eq!(final_body["run_id"], accepted["run_id"]);
        let (status, _) = h.get("/runs/does-not-exist").await;
        assert_eq!(status, 404);
        // Prefer: respond-async works the same way.
        let r = h
            .http
            .post(h.url("/report-failure"))
            .header("Prefer", "respond-async")
            .json(&lab_report())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 202);
    })
    .await
}

#[tokio::test]
async fn not_ready_is_503_and_readyz_reports_servers() {
    bounded(async {
        let dead = free_port().await;
        let options = Options {
            env: vec![("MCP_GITEA_URL", format!("http://127.0.0.1:{dead}/mcp"))],
            wait_ready: false,
            ..Default::default()
        };
        let h = Harness::start(FakeLlm::scripted(vec![]), options).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 503);
        assert_eq!(body["error"]["kind"], "not_ready");
        let (status, text) = h.get("/readyz").await;
        assert_eq!(status, 503);
        let v: Value = serde_json::from_str(&text).unwrap();
        let gitea = v["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "gitea")
            .unwrap()
            .clone();
        assert_eq!(gitea["connected"], false);
        assert!(h.llm.requests().is_empty());
    })
    .await
}

#[tokio::test]
async fn metrics_and_openapi_are_served() {
    bounded(async {
        let h = Harness::start(happy_llm(), Options::default()).await;
        let (status, _) = h.report(lab_report()).await;
        assert_eq!(status, 200);
        let (status, text) = h.get("/metrics").await;
        assert_eq!(status, 200);
        assert!(
            text.contains("agent_runs_total{outcome=\"issue_created\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("agent_tool_calls_total{tool=\"pods_log\",outcome=\"ok\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("agent_mcp_connected{server=\"openshift\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("agent_llm_tokens_total{kind=\"prompt\"} 20"),
            "{text}"
        );
        let (status, text) = h.get("/readyz").await;
        assert_eq!(status, 200, "{text}");
        let (status, text) = h.get("/openapi.json").await;
        assert_eq!(status, 200);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(doc["paths"]["/report-failure"]["post"].is_object());
    })
    .await
}
