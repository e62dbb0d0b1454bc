//! The LLM emulator over real HTTP: reqwest for the wire details, async-openai for
//! what a real OpenAI client makes of the answers.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions unwrap too

mod support;

/// Scripted answers: native and text-embedded tool calls, predicates, recording.
mod chat;

/// Injected failures and LiteLLM error bodies.
mod faults;

/// LiteLLM key management and per-key model access.
mod keys;

/// async-openai as the client: tool calls, streaming, errors.
mod openai;

/// Streaming over raw SSE.
mod stream;

/// The ready-made lab script.
mod lab;
