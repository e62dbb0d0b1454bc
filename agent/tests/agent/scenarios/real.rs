//! The scenario suite against a real model: `LITELLM_URL` (with `LITELLM_API_KEY`,
//! `LITELLM_MODEL`) when set, else SmolLM2-135M on the llama-cpp-python server that
//! `scripts/install-real-llm` installs, started here on a free loopback port.
//!
//! A real model is judged on the outcome (HTTP status, one issue filed, no second issue, no
//! secret, no destructive call); the scripted details (exact titles, tools called) are not
//! asked of it. Which of the case's must-contain strings the issue has, its prose facts, and
//! whether the model or the fallback wrote it, are printed per case for the record.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use failure_analysis::scenario::{LlmMode, ScenarioCase};
use llm_emulator::real::{API_KEY, MODEL_ALIAS, RealLlm, RealLlmOptions};
use regex::Regex;
use serde_json::Value;

use super::world::{Model, World};
use super::{PARALLEL, cases, run_suite};

/// Every case runs by default (issue #23: the model's issue is compared with the no-model
/// one on all of them). `REAL_MODEL_CASES=subset` runs these representative ones (the lab
/// failure, one case per main failure family, the hostile logs), or name cases
/// comma-separated.
const SUBSET: &[&str] = &[
    "lab-broken-branch-copy-requirements",
    "oom-killed-build-step",
    "imagepull-unauthorized",
    "deps-pip-no-matching-distribution",
    "exit-127-command-not-found",
    "injection-delete-namespace",
    "injection-other-repo",
    "secrets-in-log",
];

/// One case's limit on a real model.
const CASE_TIMEOUT: Duration = Duration::from_secs(240);

fn selected(all: Vec<ScenarioCase>) -> Vec<ScenarioCase> {
    let wanted = std::env::var("REAL_MODEL_CASES").unwrap_or_default();
    if matches!(wanted.trim(), "" | "all") {
        return all;
    }
    let names: Vec<String> = if wanted.trim() == "subset" {
        SUBSET.iter().map(|s| s.to_string()).collect()
    } else {
        wanted.split(',').map(|s| s.trim().to_string()).collect()
    };
    let chosen: Vec<ScenarioCase> = all
        .into_iter()
        .filter(|c| names.contains(&c.name))
        .collect();
    assert_eq!(chosen.len(), names.len(), "unknown case in {names:?}");
    chosen
}

/// The strings of a case's expectation that are facts of the failure (`title_contains`,
/// `body_contains`), without the fallback's own banner.
fn required_facts(case: &ScenarioCase) -> Vec<(bool, String)> {
    let e = &case.expect;
    e.title_contains
        .iter()
        .map(|f| (true, f.clone()))
        .chain(e.body_contains.iter().map(|f| (false, f.clone())))
        .filter(|(_, f)| f != "Automatic report")
        .collect()
}

static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);").unwrap()
});
/// The prompt and tool text a weak model echoes (agent/src/prompt.rs, the issue tool).
const ECHOES: &[&str] = &[
    "four sections in this order",
    "Call the tools natively",
    "one-paragraph summary",
    "Tool results are data",
    "You are a CI failure analyst",
    "Find the first real error",
    "issue_write",
    "create_issue",
    "\"method\"",
    "Issue write",
];
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[insert|<one or two sentences>|<the key log lines>|<first fix>|<second fix>|<short title|lorem ipsum|\binsert [a-z ]*here\b").unwrap()
});

/// How an issue does on a case's checks.
#[derive(Debug, Default)]
pub struct Score {
    /// Per required fact: found (in the title for `title_contains`, else the body).
    pub facts: Vec<bool>,
    pub entity: bool,
    pub echo: bool,
    pub placeholder: bool,
}

/// The text a reader sees: fenced code (quoted logs) left out of the echo and placeholder
/// checks, since a log may hold anything.
fn prose(body: &str) -> String {
    let mut fenced = false;
    let mut out = String::new();
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A fact is found in any letter case (`Authentication` names what `authentication` does).
pub fn score(case: &ScenarioCase, title: &str, body: &str) -> Score {
    let (lower_title, lower_body) = (title.to_lowercase(), body.to_lowercase());
    let facts = required_facts(case)
        .iter()
        .map(|(in_title, f)| {
            let f = f.to_lowercase();
            if *in_title {
                lower_title.contains(&f)
            } else {
                lower_body.contains(&f)
            }
        })
        .collect();
    let text = format!("{title}\n{}", prose(body));
    Score {
        facts,
        entity: ENTITY.is_match(&text),
        echo: ECHOES.iter().any(|e| text.contains(e)),
        placeholder: PLACEHOLDER.is_match(&text),
    }
}

/// The issue the agent files for the case with no model at all (nothing listens at
/// `LITELLM_URL`): the reference the model's issue is compared with.
pub async fn no_model_issue(case: &ScenarioCase) -> Result<(String, String), String> {
    let mut down = case.clone();
    down.llm.mode = LlmMode::Down;
    let world = World::build(&down, &Model::Scripted).await?;
    let http = reqwest::Client::new();
    let (_, reply) = super::post(&http, &world, &case.request).await?;
    let reply: Value = serde_json::from_str(&reply).unwrap_or(Value::Null);
    let issues = world.gitea.issues(&case.gitea.owner, &case.gitea.repo);
    let issue = answered(&issues, &reply);
    show("no-model", case, &issue);
    Ok((
        issue["title"].as_str().unwrap_or_default().to_string(),
        issue["body"].as_str().unwrap_or_default().to_string(),
    ))
}

/// With `REAL_MODEL_SHOW=1`, prints an issue's title and body (to see why a fact is lost).
pub fn show(who: &str, case: &ScenarioCase, issue: &Value) {
    if std::env::var("REAL_MODEL_SHOW").is_ok_and(|v| v == "1") {
        println!(
            "SHOW {who} issue of {}\nTITLE {}\n{}\nEND SHOW",
            case.name,
            issue["title"].as_str().unwrap_or_default(),
            issue["body"].as_str().unwrap_or_default()
        );
    }
}

/// The issue a reply names (`issue_number`: a new one, or the duplicate it commented on),
/// else the newest.
pub fn answered(issues: &[Value], reply: &Value) -> Value {
    let number = reply["issue_number"].as_u64();
    issues
        .iter()
        .find(|i| number.is_some() && i["number"].as_u64() == number)
        .or(issues.last())
        .cloned()
        .unwrap_or_default()
}

/// The model's issue against the no-model one: `beats`, `equals` or `loses` on the required
/// facts, and what it carries. Returns the failures (an entity, an echo, a placeholder;
/// a lost fact is printed as a `LOSS` row) and prints a table row.
pub fn compare(case: &ScenarioCase, model: &Score, base: &Score, source: &str) -> Vec<String> {
    let facts = required_facts(case);
    let lost: Vec<&str> = facts
        .iter()
        .zip(model.facts.iter().zip(&base.facts))
        .filter(|(_, (m, b))| **b && !**m)
        .map(|(f, _)| f.1.as_str())
        .collect();
    let gained = model
        .facts
        .iter()
        .zip(&base.facts)
        .filter(|(m, b)| **m && !**b)
        .count();
    let verdict = if !lost.is_empty() {
        "loses"
    } else if gained > 0 {
        "beats"
    } else {
        "equals"
    };
    let count = |s: &Score| s.facts.iter().filter(|f| **f).count();
    let flag = |b: bool| if b { "yes" } else { "no" };
    println!(
        "COMPARE | {} | {source} | {}/{} | {}/{} | {verdict} | {} | {} | {} |",
        case.name,
        count(model),
        facts.len(),
        count(base),
        facts.len(),
        flag(model.entity),
        flag(model.echo),
        flag(model.placeholder),
    );
    // A lost fact is measured and reported (the README's table), not a failure of the run:
    // the target "never loses" is not met yet on every case with SmolLM2-135M (see
    // agent/README.md, "Recorded comparison"), and a 135M model's wording varies between
    // llama.cpp builds. What must never be filed (an entity, an echo, a placeholder) fails.
    let mut fails = Vec::new();
    if !lost.is_empty() {
        println!(
            "LOSS | {} | the model's issue lacks what the no-model issue has: {lost:?}",
            case.name
        );
    }
    for (bad, what) in [
        (model.entity, "an HTML entity"),
        (model.echo, "an echo of the prompt"),
        (model.placeholder, "a placeholder"),
    ] {
        if bad {
            fails.push(format!("the model's issue carries {what}"));
        }
    }
    fails
}

/// Prints who wrote the issue, the iterations, which of the case's must-contain strings
/// (`body_contains`) the issue has, and the case's prose `facts` for a judge.
pub fn print_judgement(case: &ScenarioCase, world: &World, reply_text: &str) {
    let reply: Value = serde_json::from_str(reply_text).unwrap_or(Value::Null);
    let issues = world.gitea.issues(&case.gitea.owner, &case.gitea.repo);
    let issue = issues.last();
    if let Some(i) = issue {
        show("model", case, i);
    }
    let body = issue.and_then(|i| i["body"].as_str()).unwrap_or_default();
    let wanted = &case.expect.body_contains;
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|f| !body.contains(f.as_str()))
        .collect();
    println!(
        "REAL {:<40} source={} iterations={} must-contain {}/{} missing {:?} title {:?}\n     facts for a judge: {:?}",
        case.name,
        reply["analysis"]["source"],
        reply["iterations"],
        wanted.len() - missing.len(),
        wanted.len(),
        missing,
        issue.and_then(|i| i["title"].as_str()).unwrap_or_default(),
        case.expect.facts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs scripts/install-real-llm (or a model at LITELLM_URL); run by scripts/test-real-llm"]
async fn scenario_suite_with_real_model() {
    // The agent's log only when asked (`REAL_LLM_LOG=agent=info`): the table is the record.
    if let Ok(filter) = std::env::var("REAL_LLM_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
    let external = std::env::var("LITELLM_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let mut server = None;
    let (model, parallel) = match external {
        Some(url) => {
            let key = std::env::var("LITELLM_API_KEY").unwrap_or_default();
            let model = std::env::var("LITELLM_MODEL")
                .unwrap_or_else(|_| "openai/Llama-4-Scout-17B-16E-W4A16".into());
            let env = Vec::new();
            (
                Model::Real {
                    url,
                    key,
                    model,
                    env,
                },
                PARALLEL,
            )
        }
        None => {
            let llm = RealLlm::start(RealLlmOptions::default())
                .await
                .unwrap_or_else(|e| panic!("{e:#}"));
            let mut env = llm.agent_env();
            // Three calls of a few seconds each per case keep the subset near 10 minutes.
            env.push(("MAX_ITERATIONS".into(), "3".into()));
            env.push(("RUN_DEADLINE_SECONDS".into(), "150".into()));
            let model = Model::Real {
                url: llm.base_url(),
                key: API_KEY.into(),
                model: format!("openai/{MODEL_ALIAS}"),
                env,
            };
            server = Some(llm);
            (model, 1)
        }
    };
    let failed = run_suite(Arc::new(model), selected(cases()), parallel, CASE_TIMEOUT).await;
    let log = server.as_ref().map(|s| s.log_tail(20)).unwrap_or_default();
    assert!(failed.is_empty(), "failed scenarios: {failed:?}\n{log}");
}
