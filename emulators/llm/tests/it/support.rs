//! Shared helpers: a served emulator and a reqwest client with timeouts.

use std::time::Duration;

use llm_emulator::{LlmConfig, LlmEmulator, RunningLlm, Script};
use serde_json::{Value, json};

pub(crate) struct Served {
    pub(crate) llm: LlmEmulator,
    pub(crate) running: RunningLlm,
    pub(crate) http: reqwest::Client,
}

pub(crate) async fn serve(script: Script) -> Served {
    serve_with(LlmConfig::default(), script).await
}

pub(crate) async fn serve_with(config: LlmConfig, script: Script) -> Served {
    let llm = LlmEmulator::new(config);
    llm.set_script(script);
    let running = llm.serve(0).await.unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Served { llm, running, http }
}

/// A minimal chat body offering `tools`.
pub(crate) fn chat_body(tools: &[&str]) -> Value {
    let tools: Vec<Value> = tools
        .iter()
        .map(|name| {
            json!({"type": "function", "function": {
                "name": name, "description": "a tool",
                "parameters": {"type": "object", "properties": {}},
            }})
        })
        .collect();
    let mut body = json!({
        "model": "local",
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "Why did my build fail?"},
        ],
    });
    if !tools.is_empty() {
        body["tools"] = Value::Array(tools);
    }
    body
}

impl Served {
    /// POSTs `body` to `/v1/chat/completions` with `key`; returns status, headers, body text.
    pub(crate) async fn post(
        &self,
        key: &str,
        body: &Value,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let response = self
            .http
            .post(format!("{}/chat/completions", self.running.base_url()))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// POSTs with the default key and parses the JSON answer, asserting 200.
    pub(crate) async fn chat(&self, body: &Value) -> Value {
        let (status, _, text) = self.post("sk-testbed", body).await;
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

/// Appends an assistant message calling `tool` (id `id`) and its `tool` result.
pub(crate) fn push_tool_exchange(body: &mut Value, id: &str, tool: &str, result: &str) {
    let messages = body["messages"].as_array_mut().unwrap();
    messages.push(json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": id, "type": "function", "function": {"name": tool, "arguments": "{}"}},
    ]}));
    messages.push(json!({"role": "tool", "tool_call_id": id, "content": result}));
}
