//! A ready-made script for the lab scenario: the answers a good model gives an agent
//! investigating the failed `build-agent` run (read the failed step's log, file one
//! Gitea issue, then summarise), so the local stack runs end to end without a model.

use serde_json::json;

use super::predicate::Predicate;
use super::script::{Script, Turn};

/// The facts of the lab failure the script refers to.
#[derive(Debug, Clone)]
pub struct LabFacts {
    /// The Gitea user owning the `mcp` repository (`user1`).
    pub user: String,
    /// The namespace of the failed pod (`agent-user1`).
    pub namespace: String,
    /// The failed pod.
    pub pod: String,
    /// The failed step container (`step-build`).
    pub container: String,
    /// The line of the log that explains the failure.
    pub failure_line: String,
}

/// The issue title the original lab expects.
pub const LAB_ISSUE_TITLE: &str = "Issue with Agent pipeline";

/// The lab script: `pods_log` on the failed step, then `create_issue` (or newer
/// gitea-mcp's `issue_write` with `method: create`) once the log came back, then a
/// final text answer after the issue result.
pub fn lab_script(facts: &LabFacts) -> Script {
    let body = format!(
        "### Cluster/namespace location\n{ns}/{pod}\n\n### Summary of the problem\n\
         The build step `{container}` failed: the build context has no `requirements.txt`.\n\n\
         ### Detailed error/code\n```\n{line}\n```\n\n### Possible solutions\n\
         1. Restore `requirements.txt` in the agent directory.\n\
         2. Rebuild from the `main` branch.",
        ns = facts.namespace,
        pod = facts.pod,
        container = facts.container,
        line = facts.failure_line,
    );
    let issue = json!({
        "owner": facts.user, "repo": "mcp", "title": LAB_ISSUE_TITLE, "body": body,
    });
    let mut issue_write = issue.clone();
    issue_write["method"] = json!("create");
    let after_tool = Predicate::LastRole("tool".into());
    Script::new([
        Turn::tool_calls([(
            "pods_log",
            json!({
                "namespace": facts.namespace, "name": facts.pod,
                "container": facts.container, "tail": 100,
            }),
        )])
        .when(Predicate::All(vec![
            Predicate::has_tool("pods_log"),
            Predicate::Not(Box::new(after_tool.clone())),
        ])),
        Turn::tool_calls([("create_issue", issue)]).when(Predicate::All(vec![
            after_tool.clone(),
            Predicate::has_tool("create_issue"),
        ])),
        Turn::tool_calls([("issue_write", issue_write)]).when(Predicate::All(vec![
            after_tool.clone(),
            Predicate::has_tool("issue_write"),
            Predicate::Not(Box::new(Predicate::has_tool("create_issue"))),
        ])),
        Turn::text(format!(
            "The `{}` step of pod {}/{} failed because `requirements.txt` is missing; \
             I opened an issue in {}/mcp.",
            facts.container, facts.namespace, facts.pod, facts.user
        ))
        .when(after_tool),
    ])
}
