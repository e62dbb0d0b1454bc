//! A real (tiny) model as an OpenAI-compatible endpoint, for the opt-in real-model tests.
//!
//! `scripts/install-real-llm` installs SmolLM2-135M-Instruct (GGUF) and the
//! `llama-cpp-python` server; [`RealLlm::start`] runs that server as a child process on a
//! free loopback port with native `tool_calls` (`chatml-function-calling`), waits until
//! `/v1/models` answers and hands out an [`LlmEndpoint`]. The model is weak on purpose: it
//! invents arguments and repeats calls, which is what the agent's guardrails must absorb.
//!
//! The child is killed when the handle is dropped; its output goes to a log file (see
//! [`RealLlm::log_path`]) so a failed run can be diagnosed after the fact.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::endpoint::LlmEndpoint;
use emulator_support::tools::{Tool, require};

/// The model file inside `<tools>/llm/models`.
pub const MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// The name the server answers to (`--model_alias`).
pub const MODEL_ALIAS: &str = "local";
/// The key the server requires (`--api_key`), so the agent's key handling is exercised.
pub const API_KEY: &str = "sk-real-llm-test";

/// How the server is started.
#[derive(Debug, Clone)]
pub struct RealLlmOptions {
    /// Context window in tokens (`--n_ctx`; SmolLM2 was trained on 8192, and the agent's
    /// pessimistic token estimate needs that room for its 1.2k-token prompt).
    pub n_ctx: u32,
    /// CPU threads (`--n_threads`).
    pub threads: u32,
    /// Sampling seed (`--seed`, and the agent's `LLM_SEED`), so runs repeat as far as the
    /// server allows.
    pub seed: u32,
    /// Sampling temperature the agent sends (`LLM_TEMPERATURE`; 0 = greedy).
    pub temperature: f64,
    /// Cap of one answer the agent sends (`LLM_MAX_TOKENS`): a 135M model on two shared
    /// cores writes a few tokens a second, and rambles until stopped.
    pub max_tokens: u32,
    /// How long the server may take to answer `/v1/models`.
    pub ready_timeout: Duration,
}

impl Default for RealLlmOptions {
    fn default() -> Self {
        Self {
            n_ctx: 8192,
            threads: 2,
            seed: 42,
            temperature: 0.0,
            max_tokens: 384,
            ready_timeout: Duration::from_secs(90),
        }
    }
}

/// The running server; dropping it kills the process.
#[derive(Debug)]
pub struct RealLlm {
    child: Child,
    port: u16,
    log: PathBuf,
    options: RealLlmOptions,
}

/// The model file, if `scripts/install-real-llm` installed it.
pub fn model_path() -> PathBuf {
    emulator_support::tools::tools_dir()
        .join("llm/models")
        .join(MODEL_FILE)
}

/// True when the server and the model are installed.
pub fn installed() -> bool {
    Tool::LlamaServer.find().is_some() && model_path().exists()
}

impl RealLlm {
    /// Starts the server with `options` and waits until it serves the model. The port is
    /// picked free, then bound by the server: when another process took it in between, the
    /// start is tried again on a new port (three times at most).
    pub async fn start(options: RealLlmOptions) -> anyhow::Result<Self> {
        let python = require(Tool::LlamaServer);
        let model = model_path();
        if !model.exists() {
            bail!(
                "{} is missing; run `scripts/install-real-llm` first",
                model.display()
            );
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut server = Self::spawn(&python, &model, options.clone())?;
            match server.wait_ready(options.ready_timeout).await {
                Ok(()) => return Ok(server),
                Err(e) if attempt < 3 && server.log_tail(30).contains("address already in use") => {
                    tracing::warn!(error = %e, "llama server port taken, retrying");
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn spawn(python: &Path, model: &Path, options: RealLlmOptions) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log = std::env::temp_dir().join(format!(
            "testbed-llama-server-{}-{port}.log",
            std::process::id()
        ));
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = Command::new(python)
            .args(["-m", "llama_cpp.server", "--model"])
            .arg(model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--n_ctx", &options.n_ctx.to_string()])
            .args(["--n_threads", &options.threads.to_string()])
            .args(["--seed", &options.seed.to_string()])
            .args(["--model_alias", MODEL_ALIAS])
            .args(["--api_key", API_KEY])
            .args(["--chat_format", "chatml-function-calling"])
            .args(["--verbose", "False"])
            // OpenMP threads otherwise spin for cores other processes hold: on a busy
            // two-core machine one call then takes minutes instead of seconds.
            .env("OMP_WAIT_POLICY", "PASSIVE")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {}", python.display()))?;
        Ok(Self {
            child,
            port,
            log,
            options,
        })
    }

    /// The OpenAI-compatible base URL (`http://127.0.0.1:P/v1`).
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// The endpoint for the agent (the stack's `llm` option): URL, key, model, and the
    /// agent settings this server needs ([`RealLlm::agent_env`]).
    pub fn endpoint(&self) -> LlmEndpoint {
        LlmEndpoint {
            url: self.base_url(),
            api_key: Some(API_KEY.into()),
            model: format!("openai/{MODEL_ALIAS}"),
            emulated: false,
            agent_env: self.agent_env(),
        }
    }

    /// The agent settings for this server (beside `LITELLM_*`): the context window it was
    /// started with, the answer cap, temperature and seed.
    pub fn agent_env(&self) -> Vec<(String, String)> {
        let o = &self.options;
        [
            ("CONTEXT_WINDOW_TOKENS", o.n_ctx.to_string()),
            ("LLM_MAX_TOKENS", o.max_tokens.to_string()),
            ("LLM_TEMPERATURE", o.temperature.to_string()),
            ("LLM_SEED", o.seed.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Where the server's stdout and stderr go.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last `lines` lines of the server's log (for a failure message).
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    async fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let url = format!("{}/models", self.base_url());
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the llama server exited ({status}) before it was ready:\n{}",
                    self.log_tail(30)
                );
            }
            let answer = http
                .get(&url)
                .bearer_auth(API_KEY)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(response) = answer
                && response.status().is_success()
            {
                let body = response.text().await.unwrap_or_default();
                if body.contains(MODEL_ALIAS) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "the llama server did not serve {url} within {timeout:?}:\n{}",
                    self.log_tail(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for RealLlm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port that was free a moment ago (the server binds it itself).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}
