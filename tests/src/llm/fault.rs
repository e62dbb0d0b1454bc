//! Failures a script can inject instead of an answer: the HTTP errors, timeouts and
//! broken bodies an agent meets behind a LiteLLM proxy.

use serde::Deserialize;

/// A failure to inject instead of an answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// 429 with a `retry-after` header and LiteLLM's rate-limit error body.
    RateLimited {
        /// The `retry-after` value in seconds.
        retry_after_secs: u64,
    },
    /// An HTTP error status (500, 502, 503, …) with a LiteLLM error body.
    Status {
        /// The status code.
        status: u16,
        /// The error message; a generic one when absent.
        #[serde(default)]
        message: Option<String>,
    },
    /// LiteLLM's budget error: type `budget_exceeded`, status 400 unless given
    /// (some LiteLLM paths use 429, team/organisation budgets 402).
    BudgetExceeded {
        /// The status code (default 400).
        #[serde(default)]
        status: Option<u16>,
    },
    /// A LiteLLM error body with every field chosen.
    LiteLlmError {
        /// The status code.
        status: u16,
        /// `error.message`.
        message: String,
        /// `error.type`.
        #[serde(rename = "type")]
        error_type: String,
        /// `error.param` (`null` when absent).
        #[serde(default)]
        param: Option<String>,
    },
    /// Waits `after_ms`, then answers 408 "Request timed out" (a backend timeout).
    Timeout {
        /// How long to wait first.
        after_ms: u64,
    },
    /// A 200 whose body is not valid JSON.
    MalformedJson,
    /// A 200 completion with `choices: []`.
    EmptyChoices,
    /// Any status, content type and body, verbatim.
    Raw {
        /// The status code.
        status: u16,
        /// The body.
        body: String,
        /// The content type (default `application/json`).
        #[serde(default)]
        content_type: Option<String>,
    },
}
