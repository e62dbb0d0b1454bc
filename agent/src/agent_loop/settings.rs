//! The loop's settings, taken from the agent's [`Config`].

use std::time::Duration;

use failure_analysis::issue::links::LinkPolicy;

use crate::config::Config;

/// Loop settings taken from [`Config`].
#[derive(Clone, Debug)]
pub struct LoopSettings {
    /// Issue owner.
    pub owner: String,
    /// Issue repository.
    pub repo: String,
    /// LLM calls per run.
    pub max_iterations: u32,
    /// Whole-run limit.
    pub run_deadline: Duration,
    /// Per tool call limit.
    pub tool_timeout: Duration,
    /// Parallel tool calls per turn.
    pub tool_concurrency: usize,
    /// The model's context window in tokens; the conversation sent is kept inside it.
    pub context_window_tokens: usize,
    /// Labels put on a filed issue when the repository has them.
    pub issue_labels: Vec<String>,
    /// After an answer without a tool call, force the issue tool on the next call.
    pub force_issue_tool: bool,
    /// The hosts links in model-written issue text may point to.
    pub links: LinkPolicy,
}

impl From<&Config> for LoopSettings {
    fn from(c: &Config) -> Self {
        Self {
            owner: c.gitea_owner.clone(),
            repo: c.gitea_repo.clone(),
            max_iterations: c.max_iterations,
            run_deadline: c.run_deadline,
            tool_timeout: c.tool_timeout,
            tool_concurrency: c.tool_concurrency,
            context_window_tokens: c.context_window_tokens,
            issue_labels: c.issue_labels.clone(),
            force_issue_tool: c.llm.force_issue_tool,
            links: LinkPolicy::new(&c.issue_link_hosts),
        }
    }
}
