//! The LLM emulator over real HTTP: reqwest for the wire details, async-openai for
//! what a real OpenAI client makes of the answers.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

#[path = "llm/support.rs"]
mod support;

/// Scripted answers: native and text-embedded tool calls, predicates, recording.
#[path = "llm/chat.rs"]
mod chat;

/// Injected failures and LiteLLM error bodies.
#[path = "llm/faults.rs"]
mod faults;

/// LiteLLM key management and per-key model access.
#[path = "llm/keys.rs"]
mod keys;

/// async-openai as the client: tool calls, streaming, errors.
#[path = "llm/openai.rs"]
mod openai;

/// Streaming over raw SSE.
#[path = "llm/stream.rs"]
mod stream;

/// The ready-made lab script.
#[path = "llm/lab.rs"]
mod lab;
