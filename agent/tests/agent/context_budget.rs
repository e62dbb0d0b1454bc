//! The whole conversation stays inside `CONTEXT_WINDOW_TOKENS`: older tool results are cut
//! (with a visible note), the newest one is sent whole, and the run still files its issue.

use failure_analysis::log_hygiene::estimate_tokens;
use serde_json::json;

use crate::support::fake_llm::{FakeLlm, issue_body, messages, text, tool_calls};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

const WINDOW: usize = 8_000;

async fn start_with_window(llm: FakeLlm) -> Harness {
    Harness::start(
        llm,
        Options {
            env: vec![("CONTEXT_WINDOW_TOKENS", WINDOW.to_string())],
            ..Default::default()
        },
    )
    .await
}

/// A build log of about 4× the window.
fn big_log() -> String {
    (0..5_000)
        .map(|i| format!("building layer {i:05}: ok\n"))
        .collect()
}

/// Reports the lab failure; checks one issue was filed after `calls` LLM requests, each
/// inside the window, and returns those requests.
async fn report_within_window(h: &Harness, calls: usize) -> Vec<serde_json::Value> {
    let (status, body) = h.report(lab_report()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.gitea.issues().len(), 1);
    let requests = h.llm.requests();
    assert_eq!(requests.len(), calls);
    for request in &requests {
        let tokens = estimate_tokens(&request.to_string());
        assert!(tokens <= WINDOW, "request of {tokens} tokens over {WINDOW}");
    }
    requests
}

#[tokio::test]
async fn tool_results_over_the_window_are_cut_fairly_and_the_newest_kept() {
    bounded(async {
        let log = |tail: u32| {
            ("pods_log", json!({"namespace": NS, "name": POD, "container": "step-build", "tail": tail}))
        };
        let newest = ("pods_log", json!({"namespace": NS, "name": POD, "container": "step-small"}));
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[log(100)]),
            tool_calls(&[log(200)]),
            tool_calls(&[newest]),
            tool_calls(&[(
                "issue_write",
                json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)}),
            )]),
        ]);
        let h = start_with_window(llm).await;
        // Each big log alone is ~4x the window.
        let big = big_log();
        assert!(estimate_tokens(&big) > 4 * WINDOW);
        h.openshift.set_log(&format!("{POD}/step-build"), &big);
        let small = "Error: COPY requirements.txt: no such file or directory (newest)";
        h.openshift.set_log(&format!("{POD}/step-small"), small);

        let requests = report_within_window(&h, 4).await;
        let tools: Vec<String> = messages(&requests[3])
            .iter()
            .filter(|m| m["role"] == "tool")
            .map(|m| m["content"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(tools.len(), 3);
        // The older results: cut, with the note, still framed, keeping their newest lines.
        for old in &tools[..2] {
            assert!(
                old.starts_with("<tool_output tool=\"pods_log\">\n[truncated: "),
                "{old:.120}"
            );
            assert!(old.contains("building layer 04999: ok"));
            assert!(!old.contains("building layer 00000"));
        }
        // Shared fairly: the two equal results keep about the same size.
        let (a, b) = (tools[0].len() as f64, tools[1].len() as f64);
        assert!((a - b).abs() / a.max(b) < 0.1, "{a} vs {b}");
        // The newest result is intact.
        assert_eq!(tools[2], agent::prompt::wrap_tool_output("pods_log", small));
    })
    .await
}

/// Models without native tool calls write their calls as text and get the results back in
/// user messages; those results are cut the same way, inside their framing.
#[tokio::test]
async fn text_form_tool_results_over_the_window_are_cut_too() {
    bounded(async {
        let log_call = |tail: u32| {
            text(&format!(
                "Reading the logs.\n```json\n{}\n```",
                json!({"name": "pods_log", "arguments": {"namespace": NS, "name": POD, "container": "step-build", "tail": tail}})
            ))
        };
        let issue = json!({"name": "issue_write", "arguments": {"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)}});
        let llm = FakeLlm::scripted(vec![
            log_call(100),
            log_call(200),
            text(&format!("Filing it.\n```json\n{issue}\n```")),
        ]);
        let h = start_with_window(llm).await;
        let big = big_log();
        h.openshift.set_log(&format!("{POD}/step-build"), &big);

        let requests = report_within_window(&h, 3).await;
        let results: Vec<String> = messages(&requests[2])
            .iter()
            .filter(|m| m["role"] == "user")
            .filter_map(|m| m["content"].as_str())
            .filter(|c| c.starts_with("Tool result:"))
            .map(str::to_string)
            .collect();
        assert_eq!(results.len(), 2, "two text-form results were sent back");
        // The older one is cut inside its framing and keeps its newest lines; the text
        // around the block (the instruction to continue) survives.
        let older = &results[0];
        assert!(
            older.contains("<tool_output tool=\"pods_log\">\n[truncated: "),
            "{older:.200}"
        );
        assert!(older.contains("building layer 04999: ok"));
        assert!(!older.contains("building layer 00000"));
        assert!(older.contains("</tool_output>"));
        assert!(older.contains("Continue"));
    })
    .await
}
