//! The scenario suite end to end: every case of `tests/scenarios/` runs against its own
//! in-process world (emulators, our MCP servers, the agent with the production hooks) and is
//! judged on its `expect` section; a pass/fail table is printed. At most 4 cases run at once.

mod check;
/// Repeated reports, retries and other runs against one world.
mod dedup;
/// The suite against a real model (opt-in).
mod real;
mod world;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use failure_analysis::scenario::{FailureReport, ScenarioCase, load_cases};
use serde_json::Value;
use tokio::sync::Semaphore;

use self::check::{Outcome, check};
use self::world::{Model, World};

/// Cases run at once with the LLM emulator.
const PARALLEL: usize = 4;
/// One case's limit with the LLM emulator.
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

pub fn short(text: &str) -> String {
    text.chars().take(300).collect()
}

pub fn scenarios_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

fn cases() -> Vec<ScenarioCase> {
    let dir = scenarios_dir();
    let cases = load_cases(&dir).unwrap_or_else(|e| panic!("loading {}: {e}", dir.display()));
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    cases
}

pub async fn post(
    http: &reqwest::Client,
    world: &World,
    report: &FailureReport,
) -> Result<(u16, String), String> {
    let response = http
        .post(world.agent.url("/report-failure"))
        .json(report)
        .timeout(Duration::from_secs(240))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.map_err(|e| e.to_string())?))
}

async fn run_case(case: &ScenarioCase, model: &Model) -> Result<Vec<String>, String> {
    let world = World::build(case, model).await?;
    let http = reqwest::Client::new();
    let (status, reply_text) = post(&http, &world, &case.request).await?;
    for followup in &case.followups {
        let (status, text) = post(&http, &world, followup).await?;
        if status != 200 {
            return Ok(vec![format!(
                "follow-up answered {status}: {}",
                short(&text)
            )]);
        }
    }
    let metrics = http
        .get(world.agent.url("/metrics"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let reply: Value = serde_json::from_str(&reply_text).unwrap_or(Value::Null);
    let real = matches!(model, Model::Real { .. });
    let mut compared = Vec::new();
    if real {
        real::print_judgement(case, &world, &reply_text);
        if case.expect.issue_filed {
            let issues = world.gitea.issues(&case.gitea.owner, &case.gitea.repo);
            let issue = real::answered(&issues, &reply);
            let text = |i: &Value, k: &str| i[k].as_str().unwrap_or_default().to_string();
            let mine = real::score(case, &text(&issue, "title"), &text(&issue, "body"));
            let (title, body) = real::no_model_issue(case).await?;
            let base = real::score(case, &title, &body);
            let source = reply["analysis"]["source"]
                .as_str()
                .unwrap_or("-")
                .to_string();
            compared = real::compare(case, &mine, &base, &source);
        }
    }
    let outcome = Outcome {
        status,
        reply,
        reply_text,
        metrics,
    };
    let mut fails = check(case, &world, &outcome, real);
    fails.extend(compared);
    Ok(fails)
}

/// Runs `cases` (`parallel` at once, each within `case_timeout`), prints the table, returns
/// the names of the failed cases.
async fn run_suite(
    model: Arc<Model>,
    cases: Vec<ScenarioCase>,
    parallel: usize,
    case_timeout: Duration,
) -> Vec<String> {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(parallel));
    let mut tasks = Vec::new();
    for case in cases {
        let permits = permits.clone();
        let model = model.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let t = Instant::now();
            let result = tokio::time::timeout(case_timeout, run_case(&case, &model)).await;
            let result = result.unwrap_or_else(|_| Err("timed out".into()));
            (case.name, case.description, result, t.elapsed())
        }));
    }
    let mut failed = Vec::new();
    println!("\n{:<4} {:<44} {:>7}  details", "", "scenario", "ms");
    for task in tasks {
        let (name, _description, result, took) = match task.await {
            Ok(r) => r,
            Err(e) => (
                format!("panicked: {e}"),
                String::new(),
                Err("panic".into()),
                Duration::ZERO,
            ),
        };
        let fails = result.unwrap_or_else(|e| vec![format!("setup: {e}")]);
        let mark = if fails.is_empty() { "ok" } else { "FAIL" };
        println!(
            "{mark:<4} {name:<44} {:>7}  {}",
            took.as_millis(),
            fails.join("; ")
        );
        if !fails.is_empty() {
            failed.push(name);
        }
    }
    println!(
        "{} failed, {:.1} s\n",
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scenario_suite_with_llm_emulator() {
    let failed = run_suite(Arc::new(Model::Scripted), cases(), PARALLEL, CASE_TIMEOUT).await;
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
}
