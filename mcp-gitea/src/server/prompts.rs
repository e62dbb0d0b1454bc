//! Prompts (`prompts/list`, `prompts/get`): guided workflows a user picks in their client.
//!
//! Two are built in and gather their facts through this server's own read tools, with the
//! caller's token, so the model starts from the issue or pull request itself:
//! `triage-issue` (the issue, its comments and the repository's labels) and
//! `review-pull-request` (the pull request, its changed files and its diff). Operators add
//! their own with `-prompts-file` (`[[prompts]]`, see `serve_common::prompt_templates`); one
//! with a built-in's name replaces it. Nothing here writes to Gitea.

use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::{Map, Value, json};
use serve_common::prompt_templates::{PromptConfig, Speaker, fill};

use super::{GiteaMcp, Reply};

/// Most bytes of one gathered section (a diff keeps its start: the first files matter).
const SECTION_BYTES: usize = 24 * 1024;

const TRIAGE: &str = "triage-issue";
const REVIEW: &str = "review-pull-request";

/// Why `prompts/get` cannot answer: the JSON-RPC invalid-params error's message.
#[derive(Debug, PartialEq)]
pub struct PromptError(pub String);

/// What `prompts/list` shows: the built-ins not replaced, then the operator's.
pub fn list(custom: &[PromptConfig]) -> Vec<Prompt> {
    let target = |what: &str| {
        vec![
            PromptArgument::new("owner")
                .with_description("Owner of the repository (user or organisation)")
                .with_required(true),
            PromptArgument::new("repo")
                .with_description("Repository name")
                .with_required(true),
            PromptArgument::new("index")
                .with_description(format!("Number of the {what}"))
                .with_required(true),
        ]
    };
    let mut out = Vec::new();
    if !custom.iter().any(|c| c.name == TRIAGE) {
        out.push(
            Prompt::new(
                TRIAGE,
                Some("Triage an issue: read it with its comments and the repository's labels, then classify it, suggest labels and a priority, and say what is missing to act on it."),
                Some(target("issue")),
            )
            .with_title("Triage an issue"),
        );
    }
    if !custom.iter().any(|c| c.name == REVIEW) {
        out.push(
            Prompt::new(
                REVIEW,
                Some("Review a pull request: read its description, changed files and diff, then point out bugs, risks and missing tests with concrete suggestions."),
                Some(target("pull request")),
            )
            .with_title("Review a pull request"),
        );
    }
    out.extend(custom.iter().map(|c| {
        let args = c
            .arguments
            .iter()
            .map(|a| {
                let mut arg = PromptArgument::new(&a.name).with_required(a.required);
                if let Some(d) = &a.description {
                    arg = arg.with_description(d);
                }
                arg
            })
            .collect();
        let mut p = Prompt::new(&c.name, c.description.clone(), Some(args));
        if let Some(t) = &c.title {
            p = p.with_title(t);
        }
        p
    }));
    out
}

/// `prompts/get`: an operator's prompt filled in, or a built-in's gathered facts.
pub async fn get(
    server: &GiteaMcp,
    custom: &[PromptConfig],
    name: &str,
    args: &Map<String, Value>,
    token: Option<&str>,
) -> Result<GetPromptResult, PromptError> {
    if let Some(c) = custom.iter().find(|c| c.name == name) {
        let messages = fill(c, |n| args.get(n).and_then(Value::as_str))
            .map_err(PromptError)?
            .into_iter()
            .map(|(who, text)| {
                let role = match who {
                    Speaker::User => Role::User,
                    Speaker::Assistant => Role::Assistant,
                };
                PromptMessage::new_text(role, text)
            })
            .collect();
        let mut r = GetPromptResult::new(messages);
        if let Some(d) = &c.description {
            r = r.with_description(d);
        }
        return Ok(r);
    }
    let (owner, repo, index) = target(args)?;
    let at = json!({"owner": owner, "repo": repo, "index": index});
    let with = |method: &str| {
        let mut a = at.clone();
        a["method"] = json!(method);
        a
    };
    let (heading, ask, sections) = match name {
        TRIAGE => (
            format!("# Issue {owner}/{repo}#{index}"),
            "Triage this issue from the facts above: say whether it is a bug, a feature request or a question; suggest labels from the repository's labels and a priority, with one sentence why; list what is missing to act on it; propose the next step. Change nothing.",
            vec![
                ("The issue", "issue_read", with("get")),
                ("Its comments", "issue_read", with("get_comments")),
                (
                    "The repository's labels",
                    "label_read",
                    json!({"method": "list_repo_labels", "owner": owner, "repo": repo}),
                ),
            ],
        ),
        REVIEW => (
            format!("# Pull request {owner}/{repo}#{index}"),
            "Review this pull request from the facts above: point out bugs, risky changes and missing tests, each with the file and line it concerns and a concrete suggestion; then say whether it is ready to merge. Say what the diff does not show rather than guessing.",
            vec![
                ("The pull request", "pull_request_read", with("get")),
                ("Changed files", "pull_request_read", with("get_files")),
                ("The diff", "pull_request_read", with("get_diff")),
            ],
        ),
        _ => return Err(PromptError(format!("unknown prompt {name:?}"))),
    };
    let mut text = format!("{heading}\n\n");
    for (title, tool, a) in sections {
        text.push_str(&section(server, title, tool, a, token).await);
    }
    text.push('\n');
    text.push_str(ask);
    text.push('\n');
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(heading.trim_start_matches("# ").to_string()),
    )
}

/// `owner`, `repo` and `index` (a number, as text or JSON number).
fn target(args: &Map<String, Value>) -> Result<(String, String, u64), PromptError> {
    let text = |n: &str| -> Result<String, PromptError> {
        args.get(n)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .ok_or_else(|| PromptError(format!("argument {n:?} is required")))
    };
    let index = match args.get("index") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|i| *i > 0)
    .ok_or_else(|| PromptError("argument \"index\" must be a positive number".into()))?;
    Ok((text("owner")?, text("repo")?, index))
}

/// One of this server's tools run for a prompt: its text, or what went wrong.
async fn section(
    server: &GiteaMcp,
    title: &str,
    tool: &str,
    args: Value,
    token: Option<&str>,
) -> String {
    let map = args.as_object().cloned().unwrap_or_default();
    let body = match server.call(tool, map, token).await {
        Ok(Reply::Success(out)) => {
            let r = Reply::Success(out).into_result();
            r.content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Ok(Reply::Failure(e)) => format!("could not be read: {e}"),
        Err(e) => format!("could not be read: {}", e.message),
    };
    format!(
        "## {title}\n\n```\n{}\n```\n",
        keep_start(&body, SECTION_BYTES)
    )
}

fn keep_start(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.trim_end().to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[… {} more bytes cut …]",
        &text[..end],
        text.len() - end
    )
}
