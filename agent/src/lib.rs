//! The pipeline-failure agent.
//!
//! A failed Tekton run POSTs a [`report::FailureReport`] to `/report-failure`; the agent
//! gathers evidence through MCP tools (`pods_log` on the OpenShift server), asks an
//! OpenAI-compatible LLM to analyse it, and files an issue through the Gitea MCP server.
//!
//! Main types: [`Config`] (env), [`app::App`] (assembles and starts everything),
//! [`api::router`] (HTTP API), [`mcp::ToolRegistry`] (supervised MCP sessions, legacy SSE
//! and Streamable HTTP), [`llm::LlmClient`] (retrying chat client), [`Agent`] (the tool
//! loop), [`text_calls`] (tool calls written as text), [`hooks::RunHooks`] (seams for
//! pre-analysis, redaction and a fallback issue; [`analysis_hooks::AnalysisHooks`] is the
//! implementation over `failure-analysis`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use agent::app::{App, Tuning};
//! let config = agent::Config::from_env()?;
//! let app = App::start(&config, Arc::new(agent::analysis_hooks::AnalysisHooks), Tuning::default());
//! let listener = tokio::net::TcpListener::bind(("0.0.0.0", config.port)).await?;
//! axum::serve(listener, app.router()).await?;
//! # Ok(()) }
//! ```

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

pub use agent_loop::{Agent, AgentParts, LoopSettings, RunOutcome};
pub use config::Config;
