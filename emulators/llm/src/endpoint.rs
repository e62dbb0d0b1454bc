//! The model endpoint an agent under test talks to: the LLM emulator, a real tiny model
//! ([`crate::real`]) or a real LiteLLM from the environment. The testbed's stack takes one.

/// The model endpoint the agent talks to.
#[derive(Clone)]
pub struct LlmEndpoint {
    /// OpenAI-compatible base URL.
    pub url: String,
    /// Its key; `None` = the tenant's virtual key on the emulator.
    pub api_key: Option<String>,
    /// The model (LiteLLM's `openai/` prefix allowed).
    pub model: String,
    /// True for the LLM emulator.
    pub emulated: bool,
    /// Agent settings that go with this model (e.g. `CONTEXT_WINDOW_TOKENS`,
    /// `LLM_MAX_TOKENS` for a small local model); added to the agent's environment.
    pub agent_env: Vec<(String, String)>,
}

impl std::fmt::Debug for LlmEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LlmEndpoint({} {}, key ***)", self.url, self.model)
    }
}

impl LlmEndpoint {
    /// A real endpoint from `LITELLM_URL`, `LITELLM_API_KEY` and `LITELLM_MODEL` (all three
    /// set and not empty), looked up with `lookup` (e.g. `std::env::var`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        Some(Self {
            url: get("LITELLM_URL")?,
            api_key: Some(get("LITELLM_API_KEY")?),
            model: get("LITELLM_MODEL")?,
            emulated: false,
            agent_env: Vec::new(),
        })
    }

    /// One line saying which mode runs.
    pub fn describe(&self) -> String {
        if self.emulated {
            format!(
                "LLM emulator at {} (scripted lab answers; the agent's deterministic analysis files the issue if a model fails)",
                self.url
            )
        } else {
            format!("real endpoint {} with model {}", self.url, self.model)
        }
    }
}
