//! A minimal OpenAI-compatible chat endpoint for the tests: replies come from a script
//! (in order) or from a function of the request, and every request is recorded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub enum Reply {
    Ok(Value),
    Status {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Value,
    },
    Delayed(Duration, Box<Reply>),
}

type Responder = Arc<dyn Fn(&Value, usize) -> Reply + Send + Sync>;

#[derive(Clone)]
pub struct FakeLlm {
    requests: Arc<Mutex<Vec<Value>>>,
    count: Arc<AtomicUsize>,
    responder: Responder,
}

impl FakeLlm {
    /// Replays `replies` in order, then answers with plain text.
    pub fn scripted(replies: Vec<Reply>) -> Self {
        Self::with(move |_, i| {
            replies
                .get(i)
                .cloned()
                .unwrap_or_else(|| text("I have nothing more to add."))
        })
    }

    pub fn with(f: impl Fn(&Value, usize) -> Reply + Send + Sync + 'static) -> Self {
        Self {
            requests: Arc::default(),
            count: Arc::default(),
            responder: Arc::new(f),
        }
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat))
            .with_state(self.clone())
    }

    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

async fn chat(State(llm): State<FakeLlm>, axum::Json(body): axum::Json<Value>) -> Response {
    let index = llm.count.fetch_add(1, Ordering::SeqCst);
    llm.requests.lock().unwrap().push(body.clone());
    let mut reply = (llm.responder)(&body, index);
    loop {
        match reply {
            Reply::Delayed(d, inner) => {
                tokio::time::sleep(d).await;
                reply = *inner;
            }
            Reply::Ok(v) => return axum::Json(v).into_response(),
            Reply::Status {
                status,
                headers,
                body,
            } => {
                let mut r =
                    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response();
                for (k, v) in headers {
                    r.headers_mut().insert(
                        HeaderName::from_static(k),
                        HeaderValue::from_str(&v).unwrap(),
                    );
                }
                return r;
            }
        }
    }
}

fn completion(message: Value, finish: &str) -> Value {
    json!({"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "local",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
}

/// Native tool calls.
pub fn tool_calls(calls: &[(&str, Value)]) -> Reply {
    let calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| {
            let arguments = match args {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            json!({"id": format!("call_{i}_{name}"), "type": "function", "function": {"name": name, "arguments": arguments}})
        })
        .collect();
    Reply::Ok(completion(
        json!({"role": "assistant", "content": null, "tool_calls": calls}),
        "tool_calls",
    ))
}

/// A text answer.
pub fn text(content: &str) -> Reply {
    Reply::Ok(completion(
        json!({"role": "assistant", "content": content}),
        "stop",
    ))
}

pub fn with_finish(content: &str, finish: &str) -> Reply {
    Reply::Ok(completion(
        json!({"role": "assistant", "content": content}),
        finish,
    ))
}

pub fn error(status: u16, kind: &str, message: &str) -> Reply {
    Reply::Status {
        status,
        headers: vec![],
        body: json!({"error": {"message": message, "type": kind, "param": null, "code": status.to_string()}}),
    }
}

pub fn rate_limited(retry_after_secs: u64) -> Reply {
    Reply::Status {
        status: 429,
        headers: vec![("retry-after", retry_after_secs.to_string())],
        body: json!({"error": {"message": "LiteLLM Rate Limit Handler for rate limit type = key. Crossed TPM / RPM / Max Parallel Request Limit", "type": "None", "code": "429"}}),
    }
}

pub fn budget_exceeded() -> Reply {
    error(
        400,
        "budget_exceeded",
        "Budget has been exceeded! Current cost: 1.2, Max budget: 1.0",
    )
}

/// The standard issue body used by scripts.
pub fn issue_body(ns: &str, pod: &str) -> String {
    format!(
        "### Cluster/namespace location\n{ns}/{pod}\n\n### Summary of the problem\nThe build failed.\n\n\
         ### Detailed error/code\n```\nerror: COPY failed\n```\n\n### Possible solutions\n1. Fix the Containerfile\n2. Retry"
    )
}

/// The messages of a recorded request.
pub fn messages(request: &Value) -> Vec<Value> {
    request["messages"].as_array().cloned().unwrap_or_default()
}

/// The tool messages the agent sent in request `i` (what the model saw of each tool result).
pub fn tool_messages(llm: &FakeLlm, i: usize) -> Vec<String> {
    messages(&llm.requests()[i])
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect()
}
