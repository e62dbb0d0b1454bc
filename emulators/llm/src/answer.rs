//! Turning a scripted turn into what goes on the wire: a `chat.completion` body, a
//! sequence of `chat.completion.chunk` SSE events, or an injected fault.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::LiteLlmError;
use super::fault::Fault;
use super::script::{FinishReason, Reply, Turn, UsageSpec};
use super::text_forms;

/// A tool call as sent.
#[derive(Debug, Clone)]
pub(crate) struct WireCall {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) arguments: String,
}

/// A successful assistant answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) content: Option<String>,
    pub(crate) tool_calls: Vec<WireCall>,
    pub(crate) finish_reason: FinishReason,
    pub(crate) usage: UsageSpec,
}

/// What a turn resolves to for one request.
#[derive(Debug)]
pub(crate) enum Planned {
    Answer(Answer),
    Fault(Fault),
}

/// Identity of one completion: `id`, `model`, `created`.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub(crate) id: String,
    pub(crate) model: String,
    pub(crate) created: i64,
}

/// Resolves `turn` for `request` (fills ids, finish reason and token counts).
pub(crate) fn plan(turn: &Turn, request: &Value) -> Planned {
    let (content, tool_calls, natural) = match &turn.reply {
        Reply::Fault(fault) => return Planned::Fault(fault.clone()),
        Reply::Text(text) => (Some(text.clone()), Vec::new(), FinishReason::Stop),
        Reply::TextToolCalls {
            form,
            calls,
            before,
            after,
        } => (
            Some(text_forms::render(*form, calls, before, after)),
            Vec::new(),
            FinishReason::Stop,
        ),
        Reply::ToolCalls(calls) => (
            turn.content.clone(),
            calls
                .iter()
                .map(|call| WireCall {
                    id: call.id.clone().unwrap_or_else(new_call_id),
                    name: call.name.clone(),
                    arguments: call.arguments_string(),
                })
                .collect(),
            FinishReason::ToolCalls,
        ),
    };
    let mut answer = Answer {
        content,
        tool_calls,
        finish_reason: turn.finish_reason.unwrap_or(natural),
        usage: UsageSpec {
            prompt_tokens: 0,
            completion_tokens: 0,
        },
    };
    if let Some(limit) = max_tokens(request) {
        truncate_to(&mut answer, limit);
    }
    let completion_chars = answer.content.as_deref().map_or(0, str::len)
        + answer
            .tool_calls
            .iter()
            .map(|c| c.name.len() + c.arguments.len())
            .sum::<usize>();
    answer.usage = turn.usage.unwrap_or(UsageSpec {
        prompt_tokens: estimate_tokens(request.get("messages").map_or(0, |m| m.to_string().len())),
        completion_tokens: estimate_tokens(completion_chars),
    });
    Planned::Answer(answer)
}

/// `max_completion_tokens`, else `max_tokens`.
fn max_tokens(request: &Value) -> Option<u64> {
    ["max_completion_tokens", "max_tokens"]
        .iter()
        .find_map(|name| request.get(*name).and_then(Value::as_u64))
}

/// Cuts content and tool-call arguments to about `limit` tokens (four characters each),
/// as a model hitting `max_tokens` does, and reports `finish_reason: length`. Cut
/// arguments are usually invalid JSON, which is exactly what agents must survive.
fn truncate_to(answer: &mut Answer, limit: u64) {
    let mut budget = usize::try_from(limit.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut cut = false;
    let mut take = |text: &mut String| {
        let chars = text.chars().count();
        if chars > budget {
            *text = text.chars().take(budget).collect();
            cut = true;
        }
        budget = budget.saturating_sub(chars);
    };
    if let Some(content) = answer.content.as_mut() {
        take(content);
    }
    for call in &mut answer.tool_calls {
        take(&mut call.arguments);
    }
    if cut {
        answer.finish_reason = FinishReason::Length;
    }
}

/// Roughly four characters per token, at least one.
fn estimate_tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX).max(1)
}

fn new_call_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("call_{}", hex.get(..24).unwrap_or(&hex))
}

fn usage_json(usage: UsageSpec) -> Value {
    json!({
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
    })
}

/// The non-streaming `chat.completion` body.
pub(crate) fn completion_body(answer: &Answer, envelope: &Envelope) -> Value {
    let mut message = json!({"role": "assistant", "content": answer.content});
    if !answer.tool_calls.is_empty() {
        message["tool_calls"] = answer
            .tool_calls
            .iter()
            .map(|call| {
                json!({
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                })
            })
            .collect();
    }
    json!({
        "id": envelope.id,
        "object": "chat.completion",
        "created": envelope.created,
        "model": envelope.model,
        "system_fingerprint": null,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": answer.finish_reason.as_str(),
        }],
        "usage": usage_json(answer.usage),
    })
}

fn chunk(envelope: &Envelope, delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": envelope.id,
        "object": "chat.completion.chunk",
        "created": envelope.created,
        "model": envelope.model,
        "system_fingerprint": null,
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
    })
}

/// Splits text into small pieces on character boundaries, as a model streams tokens.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(12).map(|c| c.iter().collect()).collect()
}

/// The SSE `data:` payloads of a streamed answer, ending with `[DONE]`. Tool calls
/// arrive as OpenAI sends them: id and name first, then argument fragments by `index`.
pub(crate) fn stream_events(
    answer: &Answer,
    envelope: &Envelope,
    include_usage: bool,
) -> Vec<String> {
    let mut events = vec![chunk(
        envelope,
        json!({"role": "assistant", "content": ""}),
        None,
    )];
    if let Some(content) = &answer.content {
        for piece in pieces(content) {
            events.push(chunk(envelope, json!({"content": piece}), None));
        }
    }
    for (index, call) in answer.tool_calls.iter().enumerate() {
        events.push(chunk(
            envelope,
            json!({"tool_calls": [{
                "index": index, "id": call.id, "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }]}),
            None,
        ));
        for piece in pieces(&call.arguments) {
            events.push(chunk(
                envelope,
                json!({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}),
                None,
            ));
        }
    }
    events.push(chunk(
        envelope,
        json!({}),
        Some(answer.finish_reason.as_str()),
    ));
    if include_usage {
        let mut last = chunk(envelope, json!({}), None);
        last["choices"] = json!([]);
        last["usage"] = usage_json(answer.usage);
        events.push(last);
    }
    let mut lines: Vec<String> = events.iter().map(Value::to_string).collect();
    lines.push("[DONE]".into());
    lines
}

/// An SSE response carrying `payloads` as `data:` events.
pub(crate) fn sse_response(payloads: Vec<String>) -> Response {
    let frames = payloads
        .into_iter()
        .map(|data| Ok::<_, std::convert::Infallible>(format!("data: {data}\n\n")));
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Body::from_stream(futures::stream::iter(frames)),
    )
        .into_response()
}

/// The response for an injected fault (after any `Timeout` wait, done by the caller).
pub(crate) fn fault_response(fault: &Fault, envelope: &Envelope, stream: bool) -> Response {
    if let Some(error) = fault.as_error(&envelope.model) {
        return error.into_response();
    }
    match fault {
        Fault::MalformedJson => {
            let truncated = format!(
                "{{\"id\":\"{}\",\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"Hel",
                envelope.id
            );
            if stream {
                sse_response(vec![truncated, "[DONE]".into()])
            } else {
                ([(header::CONTENT_TYPE, "application/json")], truncated).into_response()
            }
        }
        Fault::EmptyChoices => {
            let mut body = json!({
                "id": envelope.id, "object": "chat.completion", "created": envelope.created,
                "model": envelope.model, "choices": [],
                "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1},
            });
            if stream {
                body["object"] = json!("chat.completion.chunk");
                sse_response(vec![body.to_string(), "[DONE]".into()])
            } else {
                axum::Json(body).into_response()
            }
        }
        Fault::Raw {
            status,
            body,
            content_type,
        } => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(
                header::CONTENT_TYPE,
                content_type
                    .clone()
                    .unwrap_or_else(|| "application/json".into()),
            )],
            body.clone(),
        )
            .into_response(),
        // Every other fault is an error body, answered above.
        other => LiteLlmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            format!("unhandled fault {other:?}"),
        )
        .into_response(),
    }
}
