//! The scenario suite against a real model: `LITELLM_URL` (with `LITELLM_API_KEY`,
//! `LITELLM_MODEL`) when set, else SmolLM2-135M on the llama-cpp-python server that
//! `scripts/install-real-llm` installs, started here on a free loopback port.
//!
//! A real model is judged on the outcome (HTTP status, one issue filed, no second issue, no
//! secret, no destructive call); the scripted details (exact titles, tools called) are not
//! asked of it. Which of the case's must-contain strings the issue has, its prose facts, and
//! whether the model or the fallback wrote it, are printed per case for the record.

use std::sync::Arc;
use std::time::Duration;

use failure_analysis::scenario::ScenarioCase;
use llm_emulator::real::{API_KEY, MODEL_ALIAS, RealLlm, RealLlmOptions};
use serde_json::Value;

use super::world::{Model, World};
use super::{PARALLEL, cases, run_suite};

/// The cases run by default on the local model (one server answers one call at a time, a
/// few seconds each): the lab failure, one case per main failure family, the hostile logs.
/// `REAL_MODEL_CASES=all` runs every case, or name them comma-separated.
const DEFAULT_CASES: &[&str] = &[
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
    if wanted.trim() == "all" {
        return all;
    }
    let names: Vec<String> = if wanted.trim().is_empty() {
        DEFAULT_CASES.iter().map(|s| s.to_string()).collect()
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

/// Prints who wrote the issue, the iterations, which of the case's must-contain strings
/// (`body_contains`) the issue has, and the case's prose `facts` for a judge.
pub fn print_judgement(case: &ScenarioCase, world: &World, reply_text: &str) {
    let reply: Value = serde_json::from_str(reply_text).unwrap_or(Value::Null);
    let issues = world.gitea.issues(&case.gitea.owner, &case.gitea.repo);
    let issue = issues.last();
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
