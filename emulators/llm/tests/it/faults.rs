use std::time::{Duration, Instant};

use llm_emulator::{Fault, Script, Turn};
use serde_json::Value;

use crate::support::{chat_body, serve};

fn error_of(text: &str) -> Value {
    serde_json::from_str::<Value>(text).unwrap()["error"].clone()
}

#[tokio::test]
async fn rate_limit_sends_retry_after_then_recovers() {
    let served = serve(Script::new([
        Turn::fault(Fault::RateLimited {
            retry_after_secs: 3,
        }),
        Turn::text("ok"),
    ]))
    .await;
    let (status, headers, text) = served.post("sk-testbed", &chat_body(&[])).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "3");
    let error = error_of(&text);
    assert_eq!(error["code"], "429");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("RateLimitError")
    );
    assert_eq!(
        served.chat(&chat_body(&[])).await["choices"][0]["message"]["content"],
        "ok"
    );
}

#[tokio::test]
async fn server_errors_carry_their_status_and_a_litellm_body() {
    let served = serve(Script::new([500, 502, 503].map(|status| {
        Turn::fault(Fault::Status {
            status,
            message: None,
        })
    })))
    .await;
    for expected in [500, 502, 503] {
        let (status, _, text) = served.post("sk-testbed", &chat_body(&[])).await;
        assert_eq!(status, expected);
        let error = error_of(&text);
        assert_eq!(error["code"], expected.to_string());
        assert!(error.get("param").is_some() && error.get("type").is_some());
    }
}

#[tokio::test]
async fn budget_exceeded_uses_type_and_chosen_status() {
    let served = serve(Script::new([
        Turn::fault(Fault::BudgetExceeded { status: None }),
        Turn::fault(Fault::BudgetExceeded { status: Some(429) }),
    ]))
    .await;
    for expected in [400, 429] {
        let (status, headers, text) = served.post("sk-testbed", &chat_body(&[])).await;
        assert_eq!(status, expected);
        assert!(headers.get("retry-after").is_none());
        let error = error_of(&text);
        assert_eq!(error["type"], "budget_exceeded");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("Budget has been exceeded!")
        );
    }
}

#[tokio::test]
async fn slow_answers_trip_client_timeouts() {
    let served = serve(Script::new([
        Turn::text("slow").delay_ms(3_000),
        Turn::fault(Fault::Timeout { after_ms: 200 }),
    ]))
    .await;
    let result = served
        .http
        .post(format!("{}/chat/completions", served.running.base_url()))
        .bearer_auth("sk-testbed")
        .timeout(Duration::from_millis(300))
        .json(&chat_body(&[]))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    let started = Instant::now();
    let (status, _, text) = served.post("sk-testbed", &chat_body(&[])).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(status, 408);
    assert_eq!(error_of(&text)["type"], "timeout");
}

#[tokio::test]
async fn broken_bodies_are_served_as_asked() {
    let served = serve(Script::new([
        Turn::fault(Fault::MalformedJson),
        Turn::fault(Fault::EmptyChoices),
        Turn::fault(Fault::Raw {
            status: 200,
            body: "<html>proxy</html>".into(),
            content_type: Some("text/html".into()),
        }),
    ]))
    .await;
    let (status, _, text) = served.post("sk-testbed", &chat_body(&[])).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_str::<Value>(&text).is_err());
    let answer = served.chat(&chat_body(&[])).await;
    assert_eq!(answer["choices"], serde_json::json!([]));
    let (status, headers, text) = served.post("sk-testbed", &chat_body(&[])).await;
    assert_eq!((status, text.as_str()), (200, "<html>proxy</html>"));
    assert_eq!(headers["content-type"], "text/html");
}

#[tokio::test]
async fn models_lists_the_configured_models() {
    let config = llm_emulator::LlmConfig {
        models: vec!["llama-scout-17b".into(), "qwen3-14b".into()],
        ..Default::default()
    };
    let served = crate::support::serve_with(config, Script::default()).await;
    let response = served
        .http
        .get(format!("{}/models", served.running.base_url()))
        .bearer_auth("sk-testbed")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.unwrap();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["llama-scout-17b", "qwen3-14b"]);
    let anonymous = served
        .http
        .get(format!("{}/models", served.running.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
