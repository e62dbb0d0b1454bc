//! `testbed demo` end to end: the same code the command runs (provision, failed build,
//! the chart's trigger script with real kubectl and curl, the agent through both MCP
//! servers, the issue checked, the tenant destroyed with nothing left), then the binary.

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_files_one_correct_issue_and_leaves_nothing() {
    let mut report = Vec::new();
    let outcome = tokio::time::timeout(
        Duration::from_secs(240),
        testbed::demo::run(None, &mut report),
    )
    .await
    .expect("the demo took over 240 s");
    let report = String::from_utf8(report).unwrap();
    let outcome = outcome.unwrap_or_else(|e| panic!("{e:#}\n{report}"));
    assert!(
        outcome.issue_url.ends_with("/user1/mcp/issues/1"),
        "{}",
        outcome.issue_url
    );
    assert_eq!(outcome.agent_response["status"], "success");
    // The model's two turns ran (pods_log over SSE, then issue_write over streamable HTTP);
    // the deterministic fallback did not have to file it.
    assert_eq!(outcome.agent_response["fallback"], false);
    assert_eq!(outcome.agent_response["iterations"], 2);
    assert_eq!(
        outcome.agent_response["issue_url"],
        outcome.issue_url.as_str()
    );
    let body = outcome.issue["body"].as_str().unwrap();
    assert!(body.contains("requirements.txt"), "{body}");
    for step in [
        "1. provisioned",
        "2. PipelineRun",
        "3. trigger-agent.sh",
        "Failed pod:",
        "5. the issue",
        "6. destroyed",
    ] {
        assert!(report.contains(step), "{step} missing from:\n{report}");
    }
}

/// #22: a third, read-only MCP server (ours, `events_list` only) given to the agent over
/// each transport: the run still files one issue, and the issue names the third server's
/// evidence tool (namespaced: the cluster server has an `events_list` too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_server_over_each_transport_feeds_the_issue() {
    for transport in ["sse", "streamable-http"] {
        let mut report = Vec::new();
        let outcome = tokio::time::timeout(
            Duration::from_secs(240),
            testbed::demo::run_with(None, Some(transport.into()), &mut report),
        )
        .await
        .expect("the demo took over 240 s");
        let report = String::from_utf8(report).unwrap();
        let outcome = outcome.unwrap_or_else(|e| panic!("{transport}: {e:#}\n{report}"));
        assert_eq!(outcome.agent_response["status"], "success", "{transport}");
        let body = outcome.issue["body"].as_str().unwrap();
        assert!(
            body.contains("`cluster-events__events_list` (server `cluster-events`)"),
            "{transport}: {body}"
        );
        assert!(report.contains("third MCP server"), "{report}");
    }
}

#[test]
fn the_demo_command_exits_zero_and_ends_with_the_issue_url() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_testbed"))
        .arg("demo")
        .env("RUST_LOG", "warn")
        .env_remove("LITELLM_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(240);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("testbed demo ran over 240 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("http://127.0.0.1:") && last.ends_with("/user1/mcp/issues/1"),
        "{last}"
    );
}
