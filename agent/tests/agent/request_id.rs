use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fake_llm::{FakeLlm, issue_body, tool_calls};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

const HEADER: &str = "x-request-id";

fn header(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(HEADER)
        .expect("every response carries x-request-id")
        .to_str()
        .unwrap()
        .to_string()
}

fn is_uuid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}

#[tokio::test]
async fn every_response_gets_a_fresh_id_when_the_caller_sent_none() {
    bounded(async {
        let h = Harness::start(FakeLlm::scripted(vec![]), Options::default()).await;
        let mut seen = HashSet::new();
        for path in [
            "/health",
            "/readyz",
            "/metrics",
            "/openapi.json",
            "/runs/nope",
            "/nowhere",
        ] {
            let r = h.http.get(h.url(path)).send().await.unwrap();
            let id = header(&r);
            assert!(is_uuid(&id), "{path}: {id}");
            assert!(seen.insert(id), "{path}: an id was reused");
        }
        // Refused reports carry it too.
        let r = h
            .http
            .post(h.url("/report-failure"))
            .json(&json!({"namespace": NS}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422);
        assert!(is_uuid(&header(&r)));
    })
    .await
}

#[tokio::test]
async fn a_well_formed_caller_id_is_echoed() {
    bounded(async {
        let h = Harness::start(FakeLlm::scripted(vec![]), Options::default()).await;
        for id in ["abc-123_X.y", "7", &"z".repeat(64)] {
            let r = h
                .http
                .get(h.url("/health"))
                .header(HEADER, id)
                .send()
                .await
                .unwrap();
            assert_eq!(header(&r), id);
            let r = h
                .http
                .post(h.url("/report-failure"))
                .header(HEADER, id)
                .json(&json!({"pod_name": POD}))
                .send()
                .await
                .unwrap();
            assert_eq!(header(&r), id);
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["field"], "namespace");
            let run_id = body["run_id"].as_str().unwrap();
            assert!(
                is_uuid(run_id) && run_id != id,
                "the run id is the agent's own: {run_id}"
            );
        }
    })
    .await
}

#[tokio::test]
async fn a_hostile_caller_id_is_replaced_never_echoed() {
    bounded(async {
        let h = Harness::start(FakeLlm::scripted(vec![]), Options::default()).await;
        let long = "a".repeat(65);
        let huge = "b".repeat(4000);
        let hostile: Vec<&[u8]> = vec![
            b"",
            long.as_bytes(),
            huge.as_bytes(),
            b"two words",
            b"tab\there",
            b"<script>alert(1)</script>",
            b"id\",\"status\":\"success",
            b"../../etc/passwd",
            "caf\u{e9}".as_bytes(),
            b"raw\xff\xfebytes",
        ];
        for bad in hostile {
            let value = reqwest::header::HeaderValue::from_bytes(bad).unwrap();
            let r = h
                .http
                .get(h.url("/health"))
                .header(HEADER, value)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let id = header(&r);
            assert!(is_uuid(&id), "{:?} gave {id}", String::from_utf8_lossy(bad));
            assert_ne!(id.as_bytes(), bad);
        }
    })
    .await
}

/// Polls `/runs/{id}` until the run is no longer running.
async fn final_state(h: &Harness, id: &str) -> (u16, Value) {
    loop {
        let (status, text) = h.get(&format!("/runs/{id}")).await;
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["status"] != "running" {
            return (status, v);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn start_async(h: &Harness, request_id: Option<&str>) -> reqwest::Response {
    let mut request = h
        .http
        .post(h.url("/report-failure?async=true"))
        .json(&lab_report());
    if let Some(id) = request_id {
        request = request.header(HEADER, id);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status().as_u16(), 202);
    r
}

/// A caller who names its request after someone else's run gets a run of its own: the
/// other run's stored result is neither replaced nor shown as the caller's.
#[tokio::test]
async fn a_caller_id_cannot_take_over_another_run() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("pods_log", json!({"namespace": NS, "name": POD}))]),
            tool_calls(&[("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "t", "body": issue_body(NS, POD)}))]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let accepted: Value = start_async(&h, None).await.json().await.unwrap();
        let victim = accepted["run_id"].as_str().unwrap().to_string();
        let (status, before) = final_state(&h, &victim).await;
        assert_eq!(status, 200, "{before}");
        assert_eq!(before["issue_number"], 1);
        let r = start_async(&h, Some(&victim)).await;
        assert_eq!(header(&r), victim, "the caller's id is echoed");
        let accepted: Value = r.json().await.unwrap();
        let own = accepted["run_id"].as_str().unwrap().to_string();
        assert_ne!(own, victim);
        assert_eq!(accepted["status_url"], format!("/runs/{own}"));
        let (_, attacker) = final_state(&h, &own).await;
        assert_eq!(attacker["run_id"], own);
        let (status, after) = final_state(&h, &victim).await;
        assert_eq!(status, 200);
        assert_eq!(after, before, "the victim's result is unchanged");
    })
    .await
}
