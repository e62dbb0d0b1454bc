use super::*;

fn failure(status: u16, body: Value) -> LlmError {
    classify_http(HttpFailure {
        status,
        retry_after: None,
        body: body.to_string(),
    })
}

#[test]
fn budget_is_never_retried_whatever_the_status() {
    for status in [400, 402, 429] {
        let e = failure(
            status,
            json!({"error": {"message": "Budget has been exceeded! Current cost: 1, Max budget: 1", "type": "budget_exceeded", "code": status.to_string()}}),
        );
        assert!(
            matches!(e, LlmError::BudgetExceeded { .. }),
            "{status}: {e:?}"
        );
        assert!(!e.is_retryable());
    }
}

#[test]
fn rate_limit_and_server_errors_are_retryable_auth_is_not() {
    let limited = failure(
        429,
        json!({"error": {"message": "LiteLLM Rate Limit Handler", "type": "None"}}),
    );
    assert!(matches!(limited, LlmError::RateLimited { status: 429, .. }) && limited.is_retryable());
    assert!(failure(503, json!("upstream down")).is_retryable());
    let auth = failure(
        401,
        json!({"error": {"message": "bad key", "type": "auth_error"}}),
    );
    assert!(matches!(auth, LlmError::Auth { .. }) && !auth.is_retryable());
    assert!(!failure(400, json!({"error": {"message": "bad request"}})).is_retryable());
}

#[test]
fn lenient_reply_parsing() {
    let turn = parse_turn(
        &json!({"choices": [{"message": {"content": null, "tool_calls": [
            {"function": {"name": "pods_log", "arguments": {"name": "p"}}},
            {"id": "", "type": "function", "function": {"name": "x", "arguments": null}}
        ]}}]}),
    )
    .unwrap();
    assert_eq!(turn.content, "");
    assert_eq!(turn.tool_calls.len(), 2);
    assert_eq!(turn.tool_calls[0].arguments, r#"{"name":"p"}"#);
    assert_ne!(turn.tool_calls[0].id, turn.tool_calls[1].id);
    assert_eq!(turn.finish_reason, None);

    let turn = parse_turn(&json!({"choices": [{"message": {"role": "assistant", "content": "hi", "tool_calls": []}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 4}})).unwrap();
    assert_eq!(
        (
            turn.content.as_str(),
            turn.tool_calls.len(),
            turn.prompt_tokens
        ),
        ("hi", 0, 3)
    );
    assert!(parse_turn(&json!({"object": "error"})).is_err());
}
