//! The pipeline-failure agent.
//!
//! A failed Tekton run POSTs a [`api::FailureReport`] to `/report-failure`; the agent
//! gathers evidence through MCP tools (`pods_log` on the OpenShift server), asks an
//! OpenAI-compatible LLM to analyse it, and files an issue through the Gitea MCP server.
//!
//! Main types: [`Config`] (env), [`api::router`] (HTTP API), [`mcp::ToolRegistry`]
//! (supervised MCP sessions), [`llm::LlmClient`] (retrying chat client), [`Agent`]
//! (the tool loop), [`hooks::RunHooks`] (seams for pre-analysis, redaction and a
//! fallback issue).

pub mod agent_loop;
pub mod analysis_hooks;
pub mod api;
pub mod app;
pub mod arguments;
pub mod config;
pub mod error;
pub mod hooks;
pub mod llm;
pub mod mcp;
pub mod metrics;
pub mod prompt;
pub mod report;
pub mod text_calls;

pub use agent_loop::{Agent, LoopSettings, RunOutcome};
pub use config::Config;
