use llm_emulator::{FinishReason, Predicate, Script, TextForm, ToolCallSpec, Turn};
use serde_json::{Value, json};

use crate::support::{chat_body, push_tool_exchange, serve};

#[tokio::test]
async fn native_tool_call_then_text_with_usage() {
    let served = serve(Script::new([
        Turn::tool_calls([("pods_log", json!({"namespace": "agent-user1", "name": "p"}))]),
        Turn::text("The build failed."),
    ]))
    .await;
    let first = served.chat(&chat_body(&["pods_log"])).await;
    assert_eq!(first["object"], "chat.completion");
    assert_eq!(first["choices"][0]["finish_reason"], "tool_calls");
    let call = &first["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "pods_log");
    assert!(call["id"].as_str().unwrap().starts_with("call_"));
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args, json!({"namespace": "agent-user1", "name": "p"}));
    let usage = &first["usage"];
    assert!(usage["prompt_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
    );

    let second = served.chat(&chat_body(&["pods_log"])).await;
    assert_eq!(
        second["choices"][0]["message"]["content"],
        "The build failed."
    );
    assert_eq!(second["choices"][0]["finish_reason"], "stop");
    assert!(second["choices"][0]["message"].get("tool_calls").is_none());
    // The script is used up: the fallback answers from now on.
    let third = served.chat(&chat_body(&[])).await;
    assert_eq!(
        third["choices"][0]["message"]["content"],
        llm_emulator::DEFAULT_FALLBACK_TEXT
    );
    assert_eq!(served.llm.remaining_turns(), 0);
}

#[tokio::test]
async fn parallel_tool_calls_keep_ids_and_raw_arguments() {
    let served = serve(Script::new([Turn::tool_call_specs([
        ToolCallSpec::new("pods_log", json!({"name": "a"})).with_id("abc123xyz"),
        ToolCallSpec::new("pods_get", json!("{\"name\": \"b\"")),
    ])
    .content("Looking.")]))
    .await;
    let answer = served.chat(&chat_body(&["pods_log", "pods_get"])).await;
    let message = &answer["choices"][0]["message"];
    assert_eq!(message["content"], "Looking.");
    let calls = message["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["id"], "abc123xyz");
    assert_ne!(calls[0]["id"], calls[1]["id"]);
    // A string argument is sent verbatim, even when it is not valid JSON.
    assert_eq!(calls[1]["function"]["arguments"], "{\"name\": \"b\"");
}

#[tokio::test]
async fn text_embedded_forms_are_written_as_models_do() {
    let args = json!({"namespace": "a", "name": "b"});
    let served = serve(Script::new([
        Turn::text_tool_calls(TextForm::Pythonic, [("pods_log", args.clone())]),
        Turn::text_tool_calls(TextForm::PythonTag, [("pods_log", args.clone())]),
        Turn::text_tool_calls(TextForm::Fenced, [("pods_log", args.clone())]),
        Turn::text_tool_calls(TextForm::Json, [("pods_log", args.clone())]),
    ]))
    .await;
    let mut contents = Vec::new();
    for _ in 0..4 {
        let answer = served.chat(&chat_body(&["pods_log"])).await;
        assert_eq!(answer["choices"][0]["finish_reason"], "stop");
        assert!(answer["choices"][0]["message"].get("tool_calls").is_none());
        contents.push(
            answer["choices"][0]["message"]["content"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(contents[0], r#"[pods_log(namespace="a", name="b")]"#);
    let tagged = contents[1].strip_prefix("<|python_tag|>").unwrap();
    let tagged: Value = serde_json::from_str(tagged).unwrap();
    assert_eq!(tagged, json!({"name": "pods_log", "parameters": args}));
    let fenced = contents[2]
        .strip_prefix("```json\n")
        .and_then(|s| s.strip_suffix("\n```"))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(fenced).unwrap()["arguments"],
        args
    );
    assert_eq!(
        serde_json::from_str::<Value>(&contents[3]).unwrap(),
        json!({"name": "pods_log", "arguments": args})
    );
}

#[tokio::test]
async fn predicates_pick_turns_by_request_content() {
    let served = serve(
        Script::new([
            Turn::text("after the log").when(Predicate::last_tool_result_contains("COPY failed")),
            Turn::tool_calls([("pods_log", json!({}))]).when(Predicate::has_tool("pods_log")),
        ])
        .with_fallback(Turn::text("unexpected")),
    )
    .await;
    // No pods_log offered and no tool result: neither turn matches.
    let answer = served.chat(&chat_body(&["other"])).await;
    assert_eq!(answer["choices"][0]["message"]["content"], "unexpected");
    // pods_log offered: the second turn answers although the first is still unused.
    let answer = served.chat(&chat_body(&["pods_log"])).await;
    assert_eq!(
        answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"],
        "pods_log"
    );
    // A tool result containing the text: the first turn.
    let mut body = chat_body(&["pods_log"]);
    push_tool_exchange(
        &mut body,
        "x",
        "pods_log",
        "STEP 3: COPY failed: no such file",
    );
    let answer = served.chat(&body).await;
    assert_eq!(answer["choices"][0]["message"]["content"], "after the log");
    let turns: Vec<_> = served.llm.requests().iter().map(|r| r.turn).collect();
    assert_eq!(turns, vec![None, Some(1), Some(0)]);
}

#[tokio::test]
async fn finish_reason_and_usage_can_be_forced() {
    let served = serve(Script::new([Turn::text("Truncat")
        .finish_reason(FinishReason::Length)
        .usage(7, 4096)]))
    .await;
    let answer = served.chat(&chat_body(&[])).await;
    assert_eq!(answer["choices"][0]["finish_reason"], "length");
    assert_eq!(
        answer["usage"],
        json!({"prompt_tokens": 7, "completion_tokens": 4096, "total_tokens": 4103})
    );
}

#[tokio::test]
async fn requests_are_recorded_with_masked_keys() {
    let served = serve(Script::default()).await;
    let mut body = chat_body(&["pods_log", "create_issue"]);
    body["tool_choice"] = json!("auto");
    // Without /v1, as some clients call LiteLLM.
    let response = served
        .http
        .post(format!("{}/chat/completions", served.running.root_url()))
        .bearer_auth("sk-testbed")
        .header("x-request-source", "agent")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let recorded = served.llm.requests();
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(request.path, "/chat/completions");
    assert_eq!(request.model.as_deref(), Some("local"));
    assert_eq!(request.tool_names(), vec!["pods_log", "create_issue"]);
    assert_eq!(request.tool_choice, Some(json!("auto")));
    assert_eq!(request.texts_of("user"), vec!["Why did my build fail?"]);
    assert_eq!(request.header("x-request-source"), Some("agent"));
    assert_eq!(request.header("authorization"), Some("***tbed"));
    assert_eq!(request.caller, Some(llm_emulator::Caller::Static));
    assert_eq!(request.status, 200);
}

#[tokio::test]
async fn bad_keys_and_bodies_get_litellm_errors() {
    let served = serve(Script::default()).await;
    let (status, _, text) = served.post("sk-wrong", &chat_body(&[])).await;
    assert_eq!(status, 401, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["type"], "auth_error");
    assert_eq!(error["error"]["code"], "401");

    let mut body = chat_body(&[]);
    body["model"] = json!("gpt-9");
    let (status, _, text) = served.post("sk-testbed", &body).await;
    assert_eq!(status, 400);
    assert!(
        text.contains("Invalid model name passed in model=gpt-9"),
        "{text}"
    );

    let response = served
        .http
        .post(format!("{}/chat/completions", served.running.base_url()))
        .bearer_auth("sk-testbed")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "400");
    // Rejected requests are recorded too, with their status.
    let statuses: Vec<u16> = served.llm.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![401, 400, 400]);
}

#[tokio::test]
async fn yaml_scripts_drive_the_same_answers() {
    let yaml = r#"
turns:
  - when: { has_tool: pods_log }
    tool_calls:
      - { name: pods_log, arguments: { namespace: agent-user1, name: build-pod, tail: 50 } }
  - when: { last_tool_result_contains: "requirements.txt" }
    text_tool_calls:
      form: pythonic
      calls: [ { name: create_issue, arguments: { owner: user1, repo: mcp, title: "Issue with Agent pipeline" } } ]
fallback: { text: "done", finish_reason: stop }
"#;
    let served = serve(Script::from_yaml(yaml).unwrap()).await;
    let answer = served.chat(&chat_body(&["pods_log"])).await;
    let args = answer["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(args).unwrap()["tail"], 50);
    let mut body = chat_body(&["pods_log"]);
    push_tool_exchange(
        &mut body,
        "c",
        "pods_log",
        "stat requirements.txt: no such file",
    );
    let answer = served.chat(&body).await;
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        r#"[create_issue(owner="user1", repo="mcp", title="Issue with Agent pipeline")]"#
    );
    let json_script =
        Script::from_json(r#"{"turns": [{"fault": {"status": {"status": 503}}}]}"#).unwrap();
    assert_eq!(json_script.turns.len(), 1);
}

#[test]
fn invalid_scripts_are_rejected_with_reasons() {
    let two = Script::from_yaml("turns: [ { text: a, tool_calls: [] } ]").unwrap_err();
    let cut = Script::from_yaml("turns: [ { text: a, cut_stream_after: 2 } ]").unwrap();
    assert_eq!(cut.turns[0].cut_stream_after, Some(2));
    assert!(two.to_string().contains("exactly one of"), "{two}");
    let typo = Script::from_yaml("turns: [ { txt: a } ]").unwrap_err();
    assert!(typo.to_string().contains("txt"), "{typo}");
    let form =
        Script::from_yaml("turns: [ { text_tool_calls: { form: xml, calls: [] } } ]").unwrap_err();
    assert!(form.to_string().contains("xml"), "{form}");
    assert!(Script::from_yaml("turns: [").is_err());
}

#[tokio::test]
async fn waiting_for_requests_is_bounded() {
    let served = serve(Script::new([Turn::text("late").delay_ms(50)])).await;
    let none = served
        .llm
        .wait_for_requests(1, std::time::Duration::from_millis(100))
        .await;
    assert!(none.is_empty());
    let url = format!("{}/chat/completions", served.running.base_url());
    let http = served.http.clone();
    let sender = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        http.post(url)
            .bearer_auth("sk-testbed")
            .json(&chat_body(&[]))
            .send()
            .await
            .unwrap()
            .status()
    });
    let seen = served
        .llm
        .wait_for_requests(1, std::time::Duration::from_secs(5))
        .await;
    assert_eq!(seen.len(), 1);
    assert_eq!(sender.await.unwrap(), 200);
}

#[tokio::test]
async fn unknown_routes_answer_like_the_proxy() {
    let served = serve(Script::default()).await;
    let response = served
        .http
        .get(format!("{}/v1/embeddings", served.running.root_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"detail": "Not Found"})
    );
}

#[tokio::test]
async fn max_tokens_cuts_the_answer_with_finish_reason_length() {
    let long = "word ".repeat(100);
    let served = serve(Script::new([
        Turn::text(long.clone()),
        Turn::tool_calls([("create_issue", json!({"body": long}))]),
        Turn::text("short"),
    ]))
    .await;
    let mut body = chat_body(&["create_issue"]);
    body["max_tokens"] = json!(10);
    let answer = served.chat(&body).await;
    assert_eq!(answer["choices"][0]["finish_reason"], "length");
    assert_eq!(
        answer["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .len(),
        40
    );
    assert_eq!(answer["usage"]["completion_tokens"], 10);
    let answer = served.chat(&body).await;
    assert_eq!(answer["choices"][0]["finish_reason"], "length");
    let args = answer["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert!(
        serde_json::from_str::<Value>(args).is_err(),
        "cut arguments are not JSON: {args}"
    );
    let answer = served.chat(&body).await;
    assert_eq!(answer["choices"][0]["finish_reason"], "stop");
}

#[tokio::test]
async fn unanswered_tool_calls_are_refused_like_openai() {
    let served = serve(Script::default()).await;
    let mut body = chat_body(&["pods_log"]);
    body["messages"].as_array_mut().unwrap().push(json!({
        "role": "assistant", "content": null, "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "pods_log", "arguments": "{}"}},
            {"id": "b", "type": "function", "function": {"name": "pods_log", "arguments": "{}"}},
        ],
    }));
    body["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "tool", "tool_call_id": "a", "content": "x"}));
    let (status, _, text) = served.post("sk-testbed", &body).await;
    assert_eq!(status, 400);
    assert!(text.contains("did not have response messages: b"), "{text}");

    let lenient = llm_emulator::LlmConfig {
        strict_tool_messages: false,
        ..Default::default()
    };
    let served = crate::support::serve_with(lenient, Script::default()).await;
    assert_eq!(served.post("sk-testbed", &body).await.0, 200);
}

#[tokio::test]
async fn turns_can_be_added_while_serving_and_records_cleared() {
    let served = serve(Script::new([Turn::text("one")])).await;
    assert_eq!(
        served.chat(&chat_body(&[])).await["choices"][0]["message"]["content"],
        "one"
    );
    served
        .llm
        .push_turns([Turn::text("two"), Turn::text("always").repeat()]);
    assert_eq!(served.llm.remaining_turns(), 1);
    served.llm.clear_requests();
    for expected in ["two", "always", "always"] {
        let answer = served.chat(&chat_body(&[])).await;
        assert_eq!(answer["choices"][0]["message"]["content"], expected);
    }
    let turns: Vec<_> = served.llm.requests().iter().map(|r| r.turn).collect();
    assert_eq!(turns, vec![Some(1), Some(2), Some(2)]);
}
