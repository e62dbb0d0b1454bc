use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::{ApiErrorResponse, OpenAIError};
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, CreateChatCompletionResponse,
    CreateChatCompletionStreamResponse, FinishReason,
};
use futures::StreamExt;
use llm_emulator::{Fault, Predicate, Script, TextForm, Turn};
use serde_json::{Value, json};

use crate::support::{Served, chat_body, serve};

fn client(served: &Served, key: &str) -> Client<OpenAIConfig> {
    let config = OpenAIConfig::new()
        .with_api_base(served.running.base_url())
        .with_api_key(key);
    Client::with_config(config).with_http_client(served.http.clone())
}

#[tokio::test]
async fn tool_loop_with_typed_responses() {
    let served = serve(Script::new([
        Turn::tool_calls([(
            "pods_log",
            json!({"namespace": "agent-user1", "name": "p", "tail": 100}),
        )])
        .when(Predicate::has_tool("pods_log")),
        Turn::text_tool_calls(
            TextForm::PythonTag,
            [(
                "create_issue",
                json!({"title": "Issue with Agent pipeline"}),
            )],
        )
        .when(Predicate::last_tool_result_contains("COPY")),
    ]))
    .await;
    let openai = client(&served, "sk-testbed");
    let mut body = chat_body(&["pods_log", "create_issue"]);
    let first: CreateChatCompletionResponse =
        openai.chat().create_byot(body.clone()).await.unwrap();
    let choice = &first.choices[0];
    assert_eq!(choice.finish_reason, Some(FinishReason::ToolCalls));
    let calls = choice.message.tool_calls.as_ref().unwrap();
    let ChatCompletionMessageToolCalls::Function(call) = &calls[0] else {
        panic!("not a function call")
    };
    assert_eq!(call.function.name, "pods_log");
    let args: Value = serde_json::from_str(&call.function.arguments).unwrap();
    assert_eq!(args["tail"], 100);
    assert!(first.usage.unwrap().total_tokens > 0);

    // Send the tool result back, as an agent does.
    let messages = body["messages"].as_array_mut().unwrap();
    messages.push(serde_json::to_value(&choice.message).unwrap());
    messages.push(json!({"role": "tool", "tool_call_id": call.id, "content": "Error: COPY requirements.txt failed"}));
    let second: CreateChatCompletionResponse = openai.chat().create_byot(body).await.unwrap();
    let content = second.choices[0].message.content.clone().unwrap();
    assert!(
        content.starts_with("<|python_tag|>{\"name\":\"create_issue\""),
        "{content}"
    );
    let recorded = served.llm.requests();
    assert_eq!(
        recorded[1].messages[2]["tool_calls"][0]["id"],
        json!(call.id)
    );
}

#[tokio::test]
async fn streaming_is_assembled_by_the_client() {
    let served = serve(Script::new([
        Turn::tool_calls([
            ("pods_log", json!({"name": "a"})),
            ("pods_log", json!({"name": "b"})),
        ]),
        Turn::text("Streaming works fine."),
    ]))
    .await;
    let openai = client(&served, "sk-testbed");
    let mut body = chat_body(&["pods_log"]);
    body["stream"] = json!(true);
    let mut names = Vec::new();
    let mut arguments = vec![String::new(), String::new()];
    let mut stream = openai
        .chat()
        .create_stream_byot::<_, CreateChatCompletionStreamResponse>(body.clone())
        .await
        .unwrap();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        for delta in chunk
            .choices
            .iter()
            .flat_map(|c| c.delta.tool_calls.clone().unwrap_or_default())
        {
            let function = delta.function.unwrap();
            if let Some(name) = function.name {
                names.push(name);
            }
            arguments[delta.index as usize].push_str(&function.arguments.unwrap_or_default());
        }
    }
    assert_eq!(names, vec!["pods_log", "pods_log"]);
    assert_eq!(arguments, vec![r#"{"name":"a"}"#, r#"{"name":"b"}"#]);

    let mut text = String::new();
    let mut stream = openai
        .chat()
        .create_stream_byot::<_, CreateChatCompletionStreamResponse>(body)
        .await
        .unwrap();
    while let Some(chunk) = stream.next().await {
        for choice in chunk.unwrap().choices {
            text.push_str(&choice.delta.content.unwrap_or_default());
        }
    }
    assert_eq!(text, "Streaming works fine.");
}

/// Sends a minimal chat with `key` through async-openai, which must fail with an API
/// error (status and LiteLLM error body) rather than a transport or decoding error.
async fn api_error(served: &Served, key: &str) -> ApiErrorResponse {
    let err = client(served, key)
        .chat()
        .create_byot::<_, CreateChatCompletionResponse>(chat_body(&[]))
        .await
        .unwrap_err();
    let OpenAIError::ApiError(api) = err else {
        panic!("expected an API error, got {err:?}")
    };
    api
}

#[tokio::test]
async fn errors_surface_as_api_errors() {
    let served = serve(Script::new([Turn::fault(Fault::BudgetExceeded {
        status: None,
    })]))
    .await;
    let api = api_error(&served, "sk-testbed").await;
    assert_eq!(api.status_code.as_u16(), 400);
    assert_eq!(api.api_error.r#type.as_deref(), Some("budget_exceeded"));
    assert_eq!(api.api_error.code.as_deref(), Some("400"));

    let api = api_error(&served, "sk-bad").await;
    assert_eq!(api.status_code.as_u16(), 401);
}

#[tokio::test]
async fn typed_requests_round_trip_a_tool_call() {
    use async_openai::types::chat::{
        ChatCompletionRequestAssistantMessageArgs, ChatCompletionRequestMessage,
        ChatCompletionRequestSystemMessageArgs, ChatCompletionRequestToolMessageArgs,
        ChatCompletionRequestUserMessageArgs, ChatCompletionTool, ChatCompletionTools,
        CreateChatCompletionRequestArgs, FunctionObjectArgs,
    };
    let served = serve(Script::new([
        Turn::tool_calls([("pods_log", json!({"namespace": "a", "name": "b"}))])
            .when(Predicate::has_tool("pods_log")),
        Turn::text("done").when(Predicate::last_tool_result_contains("log line")),
    ]))
    .await;
    let openai = client(&served, "sk-testbed");
    let tool = ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObjectArgs::default()
            .name("pods_log")
            .description("Pod logs")
            .parameters(json!({"type": "object", "properties": {"name": {"type": "string"}}}))
            .build()
            .unwrap(),
    });
    let mut messages: Vec<ChatCompletionRequestMessage> = vec![
        ChatCompletionRequestSystemMessageArgs::default()
            .content("sys")
            .build()
            .unwrap()
            .into(),
        ChatCompletionRequestUserMessageArgs::default()
            .content("why?")
            .build()
            .unwrap()
            .into(),
    ];
    let request = CreateChatCompletionRequestArgs::default()
        .model("local")
        .messages(messages.clone())
        .tools(vec![tool.clone()])
        .build()
        .unwrap();
    let first = openai.chat().create(request).await.unwrap();
    let calls = first.choices[0].message.tool_calls.clone().unwrap();
    let ChatCompletionMessageToolCalls::Function(call) = &calls[0] else {
        panic!("not a function call")
    };
    messages.push(
        ChatCompletionRequestAssistantMessageArgs::default()
            .tool_calls(calls.clone())
            .build()
            .unwrap()
            .into(),
    );
    messages.push(
        ChatCompletionRequestToolMessageArgs::default()
            .tool_call_id(call.id.clone())
            .content("a log line")
            .build()
            .unwrap()
            .into(),
    );
    let request = CreateChatCompletionRequestArgs::default()
        .model("local")
        .messages(messages)
        .tools(vec![tool])
        .build()
        .unwrap();
    let second = openai.chat().create(request).await.unwrap();
    assert_eq!(second.choices[0].message.content.as_deref(), Some("done"));
    assert_eq!(served.llm.requests()[1].turn, Some(1));
}
