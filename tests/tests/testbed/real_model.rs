//! The demo flow against a real (tiny) model: SmolLM2-135M-Instruct served by the
//! `llama-cpp-python` server (`scripts/install-real-llm`), the agent pointed at it through
//! the stack's `llm` option. The model makes poor choices on purpose; the run must still end
//! with exactly one correct issue in `user1/mcp` (the demo's checks), no crash, no call
//! but reads and the issue creation (from the agent's metrics), in bounded time. Opt-in:
//! `scripts/test-real-llm`.

use std::time::{Duration, Instant};

use testbed::agent_metrics::tools_reached;
use testbed::real_llm::{RealLlm, RealLlmOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs scripts/install-real-llm"]
async fn the_demo_with_a_real_model_files_one_correct_issue() {
    // The agent's per-iteration lines (what the model asked for, what the guardrails did)
    // are the point of this run: shown with --nocapture, kept in the output of a failure.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("REAL_LLM_LOG").unwrap_or_else(|_| "agent=info,warn".into()))
        .with_test_writer()
        .try_init();
    let llm = RealLlm::start(RealLlmOptions::default()).await.unwrap();
    let started = Instant::now();
    let mut report = Vec::new();
    let outcome = tokio::time::timeout(
        Duration::from_secs(300),
        testbed::demo::run(Some(llm.endpoint()), &mut report),
    )
    .await;
    let report = String::from_utf8(report).unwrap();
    let server_log = llm.log_tail(40);
    let outcome = outcome
        .unwrap_or_else(|_| panic!("the demo took over 300 s\n{report}\n{server_log}"))
        .unwrap_or_else(|e| panic!("{e:#}\n{report}\nllama server:\n{server_log}"));
    let response = &outcome.agent_response;
    println!("{report}");
    println!(
        "real model: analysis.source = {}, iterations = {}, fallback = {}, {:.1} s",
        response["analysis"]["source"],
        response["iterations"],
        response["fallback"],
        started.elapsed().as_secs_f64()
    );
    assert_eq!(response["status"], "success");
    assert_eq!(response["issue_url"], outcome.issue_url.as_str());
    assert!(
        outcome.issue_url.ends_with("/user1/mcp/issues/1"),
        "{}",
        outcome.issue_url
    );
    let source = response["analysis"]["source"].as_str().unwrap_or_default();
    assert!(
        source == "llm" || source == "fallback",
        "analysis.source {source:?}"
    );
    assert_eq!(response["fallback"], source == "fallback");
    let iterations = response["iterations"].as_u64().unwrap_or(u64::MAX);
    assert!(iterations <= 10, "{iterations} iterations");
    // Whatever the model asked for, only reads and the one issue creation reached a server.
    let reached = tools_reached(&outcome.agent_metrics);
    println!("tools that reached an MCP server: {reached:?}");
    for tool in &reached {
        assert!(READ_OR_FILE.contains(&tool.as_str()), "{tool} was called");
    }
    assert!(reached.iter().any(|t| t == "issue_write"), "{reached:?}");
}

/// The tools the agent may run: cluster reads, the issue reads of its de-duplication and
/// labels, `get_me` (whose issues count as duplicates), and `issue_write` (create only,
/// enforced by the agent).
const READ_OR_FILE: &[&str] = &[
    "get_me",
    "pods_log",
    "pods_get",
    "events_list",
    "resources_get",
    "resources_list",
    "list_issues",
    "list_repo_issues",
    "issue_read",
    "label_read",
    "issue_write",
];
