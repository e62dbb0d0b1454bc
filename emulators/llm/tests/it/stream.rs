use llm_emulator::{Fault, Script, Turn};
use serde_json::{Value, json};

use crate::support::{Served, chat_body, serve};

/// Streams a request and returns the `data:` payloads in order.
async fn stream(served: &Served, mut body: Value) -> (u16, String, Vec<String>) {
    body["stream"] = json!(true);
    let response = served
        .http
        .post(format!("{}/chat/completions", served.running.base_url()))
        .bearer_auth("sk-testbed")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let data = text
        .split("\n\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| frame.strip_prefix("data: ").unwrap_or(frame).to_string())
        .collect();
    (status, content_type, data)
}

#[tokio::test]
async fn text_streams_in_chunks_with_usage_and_done() {
    let served = serve(Script::new([Turn::text(
        "The build failed because requirements.txt is missing.",
    )]))
    .await;
    let mut body = chat_body(&[]);
    body["stream_options"] = json!({"include_usage": true});
    let (status, content_type, data) = stream(&served, body).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/event-stream");
    assert_eq!(data.last().unwrap(), "[DONE]");
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(
        chunks
            .iter()
            .all(|c| c["object"] == "chat.completion.chunk")
    );
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let text: String = chunks
        .iter()
        .filter_map(|c| {
            c["choices"]
                .get(0)
                .and_then(|choice| choice["delta"]["content"].as_str())
        })
        .collect();
    assert_eq!(
        text,
        "The build failed because requirements.txt is missing."
    );
    assert!(chunks.len() > 4, "content is split over several chunks");
    let finishes: Vec<&Value> = chunks
        .iter()
        .filter_map(|c| c["choices"].get(0))
        .map(|c| &c["finish_reason"])
        .filter(|f| !f.is_null())
        .collect();
    assert_eq!(finishes, vec![&json!("stop")]);
    let usage = chunks.last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert!(usage["usage"]["total_tokens"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn parallel_tool_calls_stream_by_index() {
    let served = serve(Script::new([Turn::tool_calls([
        ("pods_log", json!({"namespace": "agent-user1", "name": "build-agent-x-build-pod", "container": "step-build"})),
        ("events_list", json!({"namespace": "agent-user1"})),
    ])]))
    .await;
    let (status, _, data) = stream(&served, chat_body(&["pods_log", "events_list"])).await;
    assert_eq!(status, 200);
    let mut calls: Vec<(String, String, String)> = Vec::new();
    let mut finish = None;
    for payload in &data[..data.len() - 1] {
        let chunk: Value = serde_json::from_str(payload).unwrap();
        let choice = &chunk["choices"][0];
        if let Some(reason) = choice["finish_reason"].as_str() {
            finish = Some(reason.to_string());
        }
        for delta in choice["delta"]["tool_calls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let index = delta["index"].as_u64().unwrap() as usize;
            if index == calls.len() {
                calls.push((
                    delta["id"].as_str().unwrap().into(),
                    delta["function"]["name"].as_str().unwrap().into(),
                    String::new(),
                ));
            }
            calls[index]
                .2
                .push_str(delta["function"]["arguments"].as_str().unwrap());
        }
    }
    assert_eq!(finish.as_deref(), Some("tool_calls"));
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].1, "pods_log");
    assert_eq!(
        serde_json::from_str::<Value>(&calls[0].2).unwrap()["container"],
        "step-build"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&calls[1].2).unwrap(),
        json!({"namespace": "agent-user1"})
    );
}

#[tokio::test]
async fn faults_in_streaming_mode() {
    let served = serve(Script::new([
        Turn::fault(Fault::RateLimited {
            retry_after_secs: 1,
        }),
        Turn::fault(Fault::EmptyChoices),
    ]))
    .await;
    let (status, _, data) = stream(&served, chat_body(&[])).await;
    assert_eq!(status, 429);
    assert!(data[0].contains("\"code\":\"429\""), "{data:?}");
    let (status, _, data) = stream(&served, chat_body(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&data[0]).unwrap()["choices"],
        json!([])
    );
    assert_eq!(data[1], "[DONE]");
}

#[tokio::test]
async fn a_cut_stream_ends_without_done() {
    let served = serve(Script::new([Turn::text(
        "a long answer that never completes",
    )
    .cut_stream_after(2)]))
    .await;
    let (status, _, data) = stream(&served, chat_body(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(data.len(), 2);
    assert!(data.iter().all(|d| d != "[DONE]"));
}

#[tokio::test]
async fn a_stream_can_end_with_an_error_event() {
    let served = serve(Script::new([Turn::text("partial answer then failure")
        .stream_error_after(2, "litellm.APIConnectionError: backend gone")]))
    .await;
    let (status, _, data) = stream(&served, chat_body(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(data.len(), 3);
    let error: Value = serde_json::from_str(&data[2]).unwrap();
    assert_eq!(
        error["error"]["message"],
        "litellm.APIConnectionError: backend gone"
    );
    assert_eq!(error["error"]["code"], "500");
}
