#![allow(unreachable_pub)] // test-support items are `pub` for the modules of this one test binary
#![allow(clippy::unwrap_used)] // test support code panics on broken fixtures by design
//! Integration tests of the agent over real HTTP: fixture MCP servers (rmcp, Streamable
//! HTTP and legacy SSE), a scripted OpenAI-compatible endpoint, and the agent's API.

mod support;

/// Request validation, status codes, async mode, health, readiness, metrics.
mod api;
/// Hostile inputs: frame-closing logs, secrets in `log_tail`, quoted tool calls, bad
/// `retry-after`, a panicking run, more reports than the queue takes.
mod attacks;
/// 50 reports at once; the hook seams (redaction, fallback issue).
mod concurrency_and_hooks;
/// The whole conversation kept inside the context window.
mod context_budget;
/// Tool errors are `isError`: reads whose content looks like an error are used.
mod error_text;
/// A prose answer forces the issue tool next; a weak model's junk issue is completed.
mod forced_tool;
/// Property-based fuzzing: report validation, `/report-failure`, text-form tool calls.
mod fuzz;
/// The lab happy path with the real MCP servers and all three emulators.
mod lab_e2e;
/// Against the testbed LLM emulator (LiteLLM-shaped, scripted).
mod llm_emulator;
/// The log lines the lab guide tells attendees to look for.
mod log_lines;
/// MCP sessions: both transports, reconnects, list changes, out-of-order replies.
mod mcp_clients;
/// Streamable HTTP: `tools/list` pagination, expired sessions re-initialised.
mod mcp_streamable;
/// What a model writes is vetted, redacted and its links limited before it is filed.
mod model_output;
/// Regressions a real small model revealed, replayed with the fake endpoint.
mod real_model;
/// The `x-request-id` layer: fresh ids, well-formed ones echoed, hostile ones replaced.
mod request_id;
/// The loop end to end: native and text calls, retries, refusals, limits, concurrency.
mod run_loop;
/// Every case of `tests/scenarios/` end to end, with a pass/fail table.
mod scenarios;
/// Pluggable tool servers: a third server over each transport, namespacing, evidence,
/// destructive tools, a server down, a bad entry.
mod tool_servers;
