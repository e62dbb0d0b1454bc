//! The chat client for the OpenAI-compatible endpoint (LiteLLM in the lab).
//!
//! async-openai sends the request, but through its "bring your own types" path with plain
//! JSON both ways: OpenAI-compatible servers return shapes its strict types reject
//! (missing fields, `tool_calls: []`, `null` content), and a lenient reader here keeps
//! those runs alive. Its built-in retry layer is replaced (middleware feature) by a thin
//! service that keeps status, `retry-after` and the error body, so this module decides
//! on retries from the LiteLLM error *type*: rate limits, 5xx and timeouts are retried
//! with backoff ([`retry`], on `backon`), budget and auth errors never.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use serde_json::{Value, json};
use tokio::time::Instant;

use self::retry::RetryPolicy;
use self::retry_after::retry_after;
use crate::config::LlmConfig;
use crate::error::LlmError;

mod retry;
mod retry_after;

/// One tool call the model asked for natively.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeToolCall {
    /// Call id (made up when the server sent none).
    pub id: String,
    /// Tool name.
    pub name: String,
    /// Arguments as the raw JSON text the model wrote.
    pub arguments: String,
}

/// The model's answer for one turn.
#[derive(Clone, Debug, Default)]
pub struct ChatTurn {
    /// Text content (empty when none).
    pub content: String,
    /// Native tool calls (empty when none).
    pub tool_calls: Vec<NativeToolCall>,
    /// `stop`, `length`, `tool_calls`, … when the server said.
    pub finish_reason: Option<String>,
    /// Prompt tokens used.
    pub prompt_tokens: u64,
    /// Completion tokens used.
    pub completion_tokens: u64,
    /// The `tool_choice` asked for was rejected by the endpoint, and this turn is the
    /// answer to the same request without it: the caller stops sending it.
    pub tool_choice_refused: bool,
}

/// A retrying chat client.
#[derive(Clone)]
pub struct LlmClient {
    client: async_openai::Client<OpenAIConfig>,
    model: String,
    call_timeout: Duration,
    retry: RetryPolicy,
    /// `max_tokens`, `temperature`, `seed` as sent on every request.
    sampling: Value,
}

impl LlmClient {
    /// A client for `config`.
    pub fn new(config: &LlmConfig) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.clone())
            .with_api_key(config.api_key.expose().to_string())
            .with_org_id("")
            .with_project_id("");
        let client =
            async_openai::Client::with_config(openai).with_http_service(KeepFailures { http });
        Self {
            client,
            model: config.model.clone(),
            call_timeout: config.call_timeout,
            retry: RetryPolicy {
                initial: Duration::from_millis(500),
                max_retries: config.max_retries,
            },
            sampling: sampling(config),
        }
    }

    /// Shortens the first retry delay (tests and benchmarks).
    pub fn with_backoff_initial(mut self, delay: Duration) -> Self {
        self.retry.initial = delay;
        self
    }

    /// The model name sent on the wire.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// One chat completion; `tools` empty means none are offered. Retries retryable
    /// failures until `deadline`.
    pub async fn chat(
        &self,
        messages: &[Value],
        tools: &[Value],
        deadline: Instant,
    ) -> Result<ChatTurn, LlmError> {
        self.chat_with_choice(messages, tools, None, deadline).await
    }

    /// [`LlmClient::chat`] with a `tool_choice` (sent only when tools are offered), e.g.
    /// the OpenAI form forcing one tool. An endpoint that rejects it (a 4xx naming
    /// `tool_choice`) gets the same request once more without it, and the turn says so
    /// in [`ChatTurn::tool_choice_refused`].
    pub async fn chat_with_choice(
        &self,
        messages: &[Value],
        tools: &[Value],
        tool_choice: Option<&Value>,
        deadline: Instant,
    ) -> Result<ChatTurn, LlmError> {
        let mut body = json!({"model": self.model, "messages": messages, "stream": false});
        if let (Some(body), Some(sampling)) = (body.as_object_mut(), self.sampling.as_object()) {
            body.extend(sampling.clone());
        }
        if !tools.is_empty() {
            body["tools"] = Value::Array(tools.to_vec());
        }
        let Some(choice) = tool_choice.filter(|_| !tools.is_empty()) else {
            return self.send(&body, deadline).await;
        };
        body["tool_choice"] = choice.clone();
        match self.send(&body, deadline).await {
            Err(error) if rejects_tool_choice(&error) => {
                tracing::warn!(error = %error, "the LLM endpoint rejects tool_choice; sending the request again without it");
                if let Some(map) = body.as_object_mut() {
                    map.remove("tool_choice");
                }
                let mut turn = self.send(&body, deadline).await?;
                turn.tool_choice_refused = true;
                Ok(turn)
            }
            other => other,
        }
    }

    /// Sends one request body, retrying retryable failures until `deadline`.
    async fn send(&self, body: &Value, deadline: Instant) -> Result<ChatTurn, LlmError> {
        self.retry
            .run(deadline, || self.send_once(body, deadline))
            .await
    }

    /// One try, bounded by the call timeout and what is left of the run.
    async fn send_once(&self, body: &Value, deadline: Instant) -> Result<ChatTurn, LlmError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let timeout = self.call_timeout.min(remaining);
        match tokio::time::timeout(timeout, self.client.chat().create_byot::<_, Value>(body)).await
        {
            Err(_) => Err(LlmError::Timeout(timeout)),
            Ok(Ok(value)) => parse_turn(&value),
            Ok(Err(e)) => Err(classify(e)),
        }
    }
}

/// A 4xx that names `tool_choice`: the endpoint does not take it (the request is fine
/// without it). Other rejections are the request's own fault and stay errors.
fn rejects_tool_choice(error: &LlmError) -> bool {
    match error {
        LlmError::Rejected { status, message } => {
            let message = message.to_ascii_lowercase();
            (400..500).contains(status)
                && (message.contains("tool_choice") || message.contains("tool choice"))
        }
        _ => false,
    }
}

/// The sampling fields of every request: the answer cap always, temperature and seed
/// only when configured (servers differ in their defaults; unset means theirs).
fn sampling(config: &LlmConfig) -> Value {
    let mut fields = json!({"max_tokens": config.max_tokens});
    if let Some(t) = config.temperature {
        fields["temperature"] = json!(t);
    }
    if let Some(seed) = config.seed {
        fields["seed"] = json!(seed);
    }
    fields
}

/// An HTTP failure with what the retry decision needs.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}")]
struct HttpFailure {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

/// The tower service under async-openai: sends the request once and turns a non-success
/// response into an [`HttpFailure`] that keeps its status, headers and body.
#[derive(Clone)]
struct KeepFailures {
    http: reqwest::Client,
}

impl tower::Service<HttpRequestFactory> for KeepFailures {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, factory: HttpRequestFactory) -> Self::Future {
        let http = self.http.clone();
        Box::pin(async move {
            let request = factory.build().await?;
            let response = http.execute(request).await.map_err(OpenAIError::Reqwest)?;
            if response.status().is_success() {
                return Ok(response);
            }
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            Err(OpenAIError::Boxed(Box::new(HttpFailure {
                status,
                retry_after,
                body,
            })))
        })
    }
}

/// Decides what a failure means, on the LiteLLM error type and message before the status.
fn classify(error: OpenAIError) -> LlmError {
    match error {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
            Ok(failure) => classify_http(*failure),
            Err(other) => LlmError::Transport(other.to_string()),
        },
        OpenAIError::Reqwest(e) if e.is_timeout() => LlmError::Timeout(Duration::ZERO),
        OpenAIError::Reqwest(e) => LlmError::Transport(e.to_string()),
        OpenAIError::JSONDeserialize(e, _) => LlmError::BadResponse(e.to_string()),
        other => LlmError::BadResponse(other.to_string()),
    }
}

fn classify_http(failure: HttpFailure) -> LlmError {
    let parsed: Value = serde_json::from_str(&failure.body).unwrap_or(Value::Null);
    let error = parsed.get("error").unwrap_or(&parsed);
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let message = error
        .get("message")
        .or_else(|| parsed.get("detail"))
        .map(|m| {
            m.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| m.to_string())
        })
        .unwrap_or_else(|| failure.body.chars().take(300).collect());
    let status = failure.status;
    let retry_after = failure.retry_after;
    if kind == "budget_exceeded"
        || kind == "insufficient_quota"
        || message.contains("Budget has been exceeded")
    {
        return LlmError::BudgetExceeded { message };
    }
    if matches!(status, 401 | 403) || kind == "auth_error" || kind == "authentication_error" {
        return LlmError::Auth { status, message };
    }
    match status {
        429 => LlmError::RateLimited {
            status,
            message,
            retry_after,
        },
        408 | 409 | 500..=599 => LlmError::Server {
            status,
            message,
            retry_after,
        },
        _ => LlmError::Rejected { status, message },
    }
}

/// Reads a chat completion leniently.
fn parse_turn(value: &Value) -> Result<ChatTurn, LlmError> {
    let choice = value
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or_else(|| LlmError::BadResponse(format!("no choices in reply: {}", preview(value))))?;
    let message = choice.get("message").unwrap_or(&Value::Null);
    let content = match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let tool_calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .filter_map(|(i, c)| parse_call(i, c))
                .collect()
        })
        .unwrap_or_default();
    let usage = value.get("usage");
    let tokens = |k: &str| {
        usage
            .and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    Ok(ChatTurn {
        content,
        tool_calls,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        prompt_tokens: tokens("prompt_tokens"),
        completion_tokens: tokens("completion_tokens"),
        tool_choice_refused: false,
    })
}

fn parse_call(index: usize, call: &Value) -> Option<NativeToolCall> {
    let function = call.get("function")?;
    let name = function.get("name")?.as_str()?.to_string();
    let arguments = match function.get("arguments") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let id = call
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("call{index:05}"));
    Some(NativeToolCall {
        id,
        name,
        arguments,
    })
}

fn preview(value: &Value) -> String {
    value.to_string().chars().take(200).collect()
}

#[cfg(test)]
#[path = "llm/tests.rs"]
mod tests;
