//! An OpenAI-compatible chat endpoint, shaped like the LiteLLM proxy, that replays a
//! [`Script`] instead of running a model, so agent loops can be tested end to end over
//! real HTTP with deterministic answers.
//!
//! - `POST /v1/chat/completions` and `/chat/completions`: bearer-key checked; answers
//!   with the next matching scripted [`Turn`] (native tool calls, text-embedded tool
//!   calls, plain text, or a [`Fault`]), as JSON or as SSE chunks when `stream: true`.
//! - `GET /v1/models` (and `/models`): the models the caller's key may use.
//! - LiteLLM key management: `POST /key/generate`, `GET /key/list`, `GET /key/info`,
//!   `POST /key/delete` (master key).
//! - `GET /health/liveliness`: always 200.
//!
//! Every chat request is recorded ([`LlmEmulator::requests`]) for assertions.
//!
//! Beside the emulator: [`real`] starts a real tiny model (llama-cpp-python) for the
//! opt-in real-model tests, and [`endpoint::LlmEndpoint`] names whichever model an
//! agent under test talks to.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use serde_json::json;
//! use llm_emulator::{LlmConfig, LlmEmulator, Script, Turn};
//! let llm = LlmEmulator::new(LlmConfig::default());
//! llm.set_script(Script::new([
//!     Turn::tool_calls([("pods_log", json!({"namespace": "a", "name": "b"}))]),
//!     Turn::text("The build failed."),
//! ]));
//! let running = llm.serve(0).await?;
//! println!("{} key {}", running.base_url(), llm.config().api_key);
//! # Ok(()) }
//! ```

mod answer;
mod chat;
mod conversation;
pub mod endpoint;
mod error;
mod fault;
mod keys;
mod lab;
mod management;
mod predicate;
pub mod real;
mod record;
mod script;
mod text_forms;
mod tool_call;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use emulator_support::serve::{ServerHandle, spawn_http};

pub use error::{LiteLlmError, ScriptError};
pub use fault::Fault;
pub use keys::{Caller, KeyRecord};
pub use lab::{LAB_ISSUE_TITLE, LabFacts, lab_script};
pub use predicate::Predicate;
pub use record::RecordedRequest;
pub use script::{
    DEFAULT_FALLBACK_TEXT, FinishReason, Reply, Script, ToolCallSpec, Turn, UsageSpec,
};
pub use text_forms::{TextForm, render as render_text_tool_calls};

/// The largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// What the emulated proxy serves and which keys it accepts.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// Model names served (`/v1/models`; other names get 400).
    pub models: Vec<String>,
    /// A static key allowed on every model.
    pub api_key: String,
    /// The master key (key management, every model).
    pub master_key: String,
    /// Dollars charged per token, added to a generated key's spend (budgets).
    pub cost_per_token: f64,
    /// Refuse (400, as OpenAI does) conversations where an assistant's `tool_calls` are
    /// not each answered by a `tool` message, or a `tool` message answers no call.
    pub strict_tool_messages: bool,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            models: vec!["local".into()],
            api_key: "sk-testbed".into(),
            master_key: "sk-master".into(),
            cost_per_token: 0.000_001,
            strict_tool_messages: true,
        }
    }
}

/// The emulator: a cheap `Clone` handle over one independent in-memory world.
#[derive(Debug, Clone)]
pub struct LlmEmulator {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: LlmConfig,
    script: Mutex<ScriptState>,
    requests: Mutex<Vec<RecordedRequest>>,
    keys: Mutex<keys::KeyStore>,
    recorded: tokio::sync::Notify,
}

/// A script and which of its turns are used up.
#[derive(Debug, Default)]
struct ScriptState {
    script: Script,
    used: Vec<bool>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Default for LlmEmulator {
    fn default() -> Self {
        Self::new(LlmConfig::default())
    }
}

impl LlmEmulator {
    /// A fresh emulator with an empty script (every request gets the fallback text).
    pub fn new(config: LlmConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                script: Mutex::new(ScriptState::default()),
                requests: Mutex::new(Vec::new()),
                keys: Mutex::new(keys::KeyStore::default()),
                recorded: tokio::sync::Notify::new(),
            }),
        }
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &LlmConfig {
        &self.shared.config
    }

    /// The HTTP routes, for in-process use (`tower::ServiceExt::oneshot`).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat::chat_completions))
            .route("/chat/completions", post(chat::chat_completions))
            .route("/v1/models", get(management::list_models))
            .route("/models", get(management::list_models))
            .route("/key/generate", post(management::generate_key))
            .route("/key/list", get(management::list_keys))
            .route("/key/info", get(management::key_info))
            .route("/key/delete", post(management::delete_keys))
            .route("/health/liveliness", get(|| async { "I'm alive!" }))
            // LiteLLM (FastAPI) answers unknown paths like this.
            .fallback(|| async {
                (
                    axum::http::StatusCode::NOT_FOUND,
                    axum::Json(serde_json::json!({"detail": "Not Found"})),
                )
            })
            // Agents send whole logs as tool results; axum's 2 MB default is too small.
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.clone())
    }

    /// Serves on `127.0.0.1:port` (`0` picks a free port).
    pub async fn serve(&self, port: u16) -> std::io::Result<RunningLlm> {
        let server = spawn_http(self.router(), port).await?;
        Ok(RunningLlm { server })
    }

    /// Replaces the script; every turn becomes unused again.
    pub fn set_script(&self, script: Script) {
        let mut state = lock(&self.shared.script);
        state.used = vec![false; script.turns.len()];
        state.script = script;
    }

    /// Appends turns to the current script (after the ones already there).
    pub fn push_turns(&self, turns: impl IntoIterator<Item = Turn>) {
        let mut state = lock(&self.shared.script);
        for turn in turns {
            state.script.turns.push(turn);
            state.used.push(false);
        }
    }

    /// Forgets the recorded requests (e.g. between phases of one test).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// How many non-repeating turns have not been used yet.
    pub fn remaining_turns(&self) -> usize {
        let state = lock(&self.shared.script);
        state
            .script
            .turns
            .iter()
            .zip(&state.used)
            .filter(|(turn, used)| !turn.repeat && !**used)
            .count()
    }

    /// Every chat request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Waits until at least `count` chat requests were recorded, or `timeout` passes;
    /// returns the requests seen by then.
    pub async fn wait_for_requests(&self, count: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.recorded.notified();
            let seen = self.requests();
            if seen.len() >= count {
                return seen;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.requests();
            }
        }
    }

    /// The generated keys (for assertions on what a provisioner created).
    pub fn keys(&self) -> Vec<KeyRecord> {
        lock(&self.shared.keys).all().cloned().collect()
    }

    /// Sets the spend of a generated key found by secret, token or alias; returns
    /// whether it exists. Lets tests reach a budget without many requests.
    pub fn set_key_spend(&self, key_token_or_alias: &str, spend: f64) -> bool {
        match lock(&self.shared.keys).find_mut(key_token_or_alias) {
            Some(record) => {
                record.spend = spend;
                true
            }
            None => false,
        }
    }

    /// Picks the turn answering `request` and marks it used; the fallback when none.
    /// Returns the turn index (None for the fallback).
    fn next_turn(&self, request: &serde_json::Value) -> (Option<usize>, Turn) {
        let mut state = lock(&self.shared.script);
        let ScriptState { script, used } = &mut *state;
        for (index, turn) in script.turns.iter().enumerate() {
            let is_used = used.get(index).copied().unwrap_or(false);
            if is_used || !turn.when.as_ref().is_none_or(|p| p.matches(request)) {
                continue;
            }
            if !turn.repeat
                && let Some(flag) = used.get_mut(index)
            {
                *flag = true;
            }
            return (Some(index), turn.clone());
        }
        (None, script.fallback.clone())
    }

    fn record(&self, request: RecordedRequest) {
        lock(&self.shared.requests).push(request);
        self.shared.recorded.notify_waiters();
    }
}

/// The emulator on a loopback port. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningLlm {
    server: ServerHandle,
}

impl RunningLlm {
    /// `http://127.0.0.1:<port>/v1`: what OpenAI clients take as their base URL.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.server.base_url())
    }

    /// `http://127.0.0.1:<port>` (LiteLLM's key management lives here).
    pub fn root_url(&self) -> String {
        self.server.base_url()
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
