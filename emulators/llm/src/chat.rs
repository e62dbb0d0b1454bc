//! The chat completion handler: check the key and the body the way LiteLLM does,
//! record the request, pick the scripted turn, and answer (JSON, SSE or a fault).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::answer::{self, Envelope, Planned};
use super::conversation;
use super::error::LiteLlmError;
use super::fault::Fault;
use super::keys::{Caller, hash_key, presented_key};
use super::record::RecordedRequest;
use super::script::Turn;
use super::{LlmEmulator, lock};

/// `POST /v1/chat/completions` and `POST /chat/completions`.
#[tracing::instrument(name = "llm_chat", skip_all, fields(path = %uri.path()))]
pub(crate) async fn chat_completions(
    State(llm): State<LlmEmulator>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let request = parsed.as_ref().cloned().unwrap_or(Value::Null);
    let mut record = RecordedRequest::new(uri.path(), request.clone(), &headers);

    let caller = match authenticate(&llm, &headers) {
        Ok(caller) => caller,
        Err(err) => return reject(&llm, record, err),
    };
    record.caller = Some(caller.clone());
    if let Err(err) = parsed {
        let err = LiteLlmError::bad_request(format!("Invalid JSON payload received: {err}"));
        return reject(&llm, record, err);
    }
    let model = match validate(&llm, &caller, &request) {
        Ok(model) => model,
        Err(err) => return reject(&llm, record, err),
    };

    let (turn_index, turn) = llm.next_turn(&request);
    record.turn = turn_index;
    let envelope = Envelope {
        id: format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
        model,
        created: jiff::Timestamp::now().as_second(),
    };
    let exchange = Exchange {
        llm: &llm,
        caller: &caller,
        request: &request,
    };
    let (response, delay_ms) = exchange.respond(&turn, &envelope);
    record.status = response.status().as_u16();
    tracing::debug!(turn = ?turn_index, status = record.status, "llm emulator answered");
    llm.record(record);
    if delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
    }
    response
}

/// One accepted request and who sent it.
struct Exchange<'a> {
    llm: &'a LlmEmulator,
    caller: &'a Caller,
    request: &'a Value,
}

impl Exchange<'_> {
    /// The answer to send for `turn`, and how long to wait before sending it.
    fn respond(&self, turn: &Turn, envelope: &Envelope) -> (Response, u64) {
        let Self {
            llm,
            caller,
            request,
        } = *self;
        let stream = request.get("stream").and_then(Value::as_bool) == Some(true);
        match answer::plan(turn, request) {
            Planned::Fault(fault) => {
                let mut delay_ms = turn.delay_ms;
                if let Fault::Timeout { after_ms } = fault {
                    delay_ms = delay_ms.saturating_add(after_ms);
                }
                (answer::fault_response(&fault, envelope, stream), delay_ms)
            }
            Planned::Answer(answer) => {
                let tokens = answer.usage.prompt_tokens + answer.usage.completion_tokens;
                let cost = charge(llm, caller, tokens);
                let mut response = if stream {
                    let include_usage = request
                        .pointer("/stream_options/include_usage")
                        .and_then(Value::as_bool)
                        == Some(true);
                    let mut events = answer::stream_events(&answer, envelope, include_usage);
                    if let Some(keep) = turn.cut_stream_after {
                        events.truncate(keep);
                        if let Some(message) = &turn.stream_error {
                            let error = LiteLlmError::new(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                "api_error",
                                message.clone(),
                            );
                            events.push(error.body().to_string());
                        }
                    }
                    answer::sse_response(events)
                } else {
                    axum::Json(answer::completion_body(&answer, envelope)).into_response()
                };
                let headers = response.headers_mut();
                if let Ok(value) = HeaderValue::from_str(&envelope.id) {
                    headers.insert("x-litellm-call-id", value);
                }
                if let Ok(value) = HeaderValue::from_str(&cost.to_string()) {
                    headers.insert("x-litellm-response-cost", value);
                }
                (response, turn.delay_ms)
            }
        }
    }
}

fn reject(llm: &LlmEmulator, mut record: RecordedRequest, err: LiteLlmError) -> Response {
    record.status = err.status.as_u16();
    llm.record(record);
    err.into_response()
}

/// Who presented which key; 401 when missing, unknown or expired.
pub(crate) fn authenticate(llm: &LlmEmulator, headers: &HeaderMap) -> Result<Caller, LiteLlmError> {
    let key = presented_key(headers)
        .ok_or_else(|| LiteLlmError::auth("Authentication Error, No api key passed in."))?;
    let config = llm.config();
    if key == config.master_key {
        return Ok(Caller::Master);
    }
    if key == config.api_key {
        return Ok(Caller::Static);
    }
    let keys = lock(&llm.shared.keys);
    let token = hash_key(&key);
    let record = keys
        .all()
        .find(|k| k.token == token)
        .ok_or_else(|| {
            LiteLlmError::auth(
                "Authentication Error, Invalid proxy server token passed. Unable to find token in cache or `LiteLLM_VerificationTokenTable`",
            )
        })?;
    if let Some(expires) = record.expires
        && expires <= jiff::Timestamp::now()
    {
        return Err(LiteLlmError::auth(format!(
            "Authentication Error - Expired Key. Key Expiry time {expires} and current time {}",
            jiff::Timestamp::now()
        )));
    }
    Ok(Caller::Generated(token))
}

/// Checks the body and the key's rights; returns the model name.
fn validate(llm: &LlmEmulator, caller: &Caller, request: &Value) -> Result<String, LiteLlmError> {
    if !request.is_object() {
        return Err(LiteLlmError::bad_request(
            "Invalid request body: expected a JSON object",
        ));
    }
    let model = request
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| LiteLlmError::bad_request("model is a required parameter").param("model"))?;
    if let Caller::Generated(token) = caller {
        let keys = lock(&llm.shared.keys);
        if let Some(record) = keys.find(token) {
            if !record.models.is_empty() && !record.models.iter().any(|m| m == model) {
                return Err(LiteLlmError::new(
                    StatusCode::UNAUTHORIZED,
                    "key_model_access_denied",
                    format!(
                        "key not allowed to access model. This key can only access models={:?}. Tried to access {model}",
                        record.models
                    ),
                )
                .param("model"));
            }
            if let Some(max) = record.max_budget
                && record.spend >= max
            {
                return Err(LiteLlmError::budget_exceeded(None, record.spend, max));
            }
        }
    }
    if !llm.config().models.iter().any(|m| m == model) {
        return Err(LiteLlmError::bad_request(format!(
            "Invalid model name passed in model={model}. Call `/v1/models` to view available models for your key."
        ))
        .param("model"));
    }
    match request.get("messages").and_then(Value::as_array) {
        Some(messages) if !messages.is_empty() => {
            conversation::check(messages, llm.config().strict_tool_messages)?;
            Ok(model.to_string())
        }
        _ => Err(LiteLlmError::bad_request("messages must be a non-empty array").param("messages")),
    }
}

/// Adds the cost of `tokens` to a generated key's spend; returns the cost.
fn charge(llm: &LlmEmulator, caller: &Caller, tokens: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // token counts are far below 2^52
    let cost = tokens as f64 * llm.config().cost_per_token;
    if let Caller::Generated(token) = caller
        && let Some(record) = lock(&llm.shared.keys).find_mut(token)
    {
        record.spend += cost;
    }
    cost
}
