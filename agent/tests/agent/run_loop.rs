use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fake_llm::{
    FakeLlm, Reply, budget_exceeded, error, issue_body, messages, rate_limited, text, tool_calls,
    tool_messages, with_finish,
};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report, log_call};

fn create_call() -> (&'static str, Value) {
    (
        "issue_write",
        json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)}),
    )
}

#[tokio::test]
async fn lab_happy_path_files_the_issue_with_the_expected_sections() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[log_call()]),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        let issue = &h.gitea.issues()[0];
        for section in agent::prompt::BODY_SECTIONS {
            assert!(
                issue["body"].as_str().unwrap().contains(section),
                "{section}"
            );
        }
        assert_eq!(body["issue_url"], issue["html_url"]);
        // The log reached the model as wrapped tool output, and the assistant message echoed
        // the tool calls with an empty-string content (never null).
        let second = messages(&h.llm.requests()[1]);
        let assistant = second.iter().find(|m| m["role"] == "assistant").unwrap();
        assert_eq!(assistant["content"], "");
        assert_eq!(assistant["tool_calls"][0]["function"]["name"], "pods_log");
        assert!(tool_messages(&h.llm, 1)[0].contains("no such file or directory"));
        // Tools offered: allowlisted only, the destructive one never.
        let offered: Vec<String> = h.llm.requests()[0]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap().to_string())
            .collect();
        assert!(
            offered.contains(&"pods_log".to_string())
                && offered.contains(&"issue_write".to_string())
        );
        assert!(!offered.contains(&"pods_delete".to_string()));
        // The model name lost its LiteLLM routing prefix.
        assert_eq!(h.llm.requests()[0]["model"], "local");
    })
    .await
}

#[tokio::test]
async fn text_form_json_call_with_legacy_create_issue() {
    bounded(async {
        let issue = json!({"name": "create_issue", "arguments": {"owner": "user1", "repo": "mcp", "title": "Build failed", "body": "### Summary of the problem\nCOPY failed"}});
        let llm = FakeLlm::scripted(vec![
            text(&format!("First the logs:\n```json\n{}\n```", json!({"name": "pods_log", "parameters": {"namespace": NS, "name": POD, "tailLines": 10}}))),
            text(&format!("The build failed because app.py is missing.\n{issue}")),
        ]);
        let h = Harness::start(llm, Options { legacy_gitea: true, ..Default::default() }).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["issue_number"], 1, "legacy {{\"Result\":…}} was read");
        assert_eq!(body["issue_url"], "http://gitea.test/user1/mcp/issues/1");
        // tailLines was renamed to tail before reaching the server.
        let calls = h.openshift.calls();
        assert_eq!(calls[0].1["tail"], 10);
        assert!(calls[0].1.get("tailLines").is_none());
        // The text path fed the result back as a user message.
        let second = messages(&h.llm.requests()[1]);
        assert!(second.last().unwrap()["content"].as_str().unwrap().contains("Tool result"));
    })
    .await
}

#[tokio::test]
async fn pythonic_calls_are_executed() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            text(&format!("[pods_log(namespace=\"{NS}\", name=\"{POD}\", tail=50)]")),
            text("[issue_write(method=\"create\", owner=\"user1\", repo=\"mcp\", title=\"Build failed\", body=\"### Summary of the problem\\nmissing file\")]"),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(h.gitea.issues()[0]["body"], "### Summary of the problem\nmissing file");
    })
    .await
}

#[tokio::test]
async fn rate_limit_is_retried_after_the_requested_delay() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            rate_limited(1),
            tool_calls(&[log_call()]),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let started = Instant::now();
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "retry-after was not honoured"
        );
        assert_eq!(h.llm.requests().len(), 3);
    })
    .await
}

#[tokio::test]
async fn budget_exceeded_is_not_retried_and_is_502() {
    bounded(async {
        let h = Harness::start(
            FakeLlm::scripted(vec![budget_exceeded(), text("never")]),
            Options::default(),
        )
        .await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 502);
        assert_eq!(body["error"]["kind"], "llm_budget_exceeded");
        assert_eq!(h.llm.requests().len(), 1);
        // Auth errors are final too, even with a 429-looking type.
        let h = Harness::start(
            FakeLlm::scripted(vec![error(401, "auth_error", "bad key"), text("never")]),
            Options::default(),
        )
        .await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(
            (status, body["error"]["kind"].as_str()),
            (502, Some("llm_auth"))
        );
        assert_eq!(h.llm.requests().len(), 1);
    })
    .await
}

#[tokio::test]
async fn server_errors_exhaust_retries_then_502() {
    bounded(async {
        let llm = FakeLlm::with(|_, _| error(503, "service_unavailable", "upstream down"));
        let h = Harness::start(
            llm,
            Options {
                env: vec![("LLM_MAX_RETRIES", "2".into())],
                ..Default::default()
            },
        )
        .await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(
            (status, body["error"]["kind"].as_str()),
            (502, Some("llm_error"))
        );
        assert_eq!(h.llm.requests().len(), 3);
    })
    .await
}

#[tokio::test]
async fn malformed_arguments_are_returned_to_the_model_which_corrects_them() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[(
                "pods_log",
                Value::String("{\"namespace\": \"lab-user1\", name: broken".into()),
            )]),
            tool_calls(&[("pods_log", json!({"namespace": NS, "tail": "many"}))]),
            tool_calls(&[log_call()]),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        let first = tool_messages(&h.llm, 1);
        assert!(
            first[0].contains("not valid JSON") && first[0].contains("name (string, required)"),
            "{first:?}"
        );
        let second = tool_messages(&h.llm, 2);
        // `name` is pinned to the reported pod, so leaving it out is not an error.
        assert!(
            !second.last().unwrap().contains("missing required"),
            "{second:?}"
        );
        assert!(
            second.last().unwrap().contains("tail must be integer"),
            "{second:?}"
        );
        assert_eq!(
            h.openshift.calls().len(),
            1,
            "invalid calls never reached the server"
        );
    })
    .await
}

#[tokio::test]
async fn hallucinated_tool_gets_the_list_of_valid_names() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("get_pod_logs", json!({"pod": POD}))]),
            tool_calls(&[("pods_delete", json!({"namespace": NS, "name": POD}))]),
            tool_calls(&[log_call()]),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, _) = h.report(lab_report()).await;
        assert_eq!(status, 200);
        let msg = &tool_messages(&h.llm, 1)[0];
        assert!(
            msg.contains("get_pod_logs") && msg.contains("pods_log") && msg.contains("issue_write"),
            "{msg}"
        );
        let msg = tool_messages(&h.llm, 2).last().unwrap().clone();
        assert!(msg.contains("no tool named \"pods_delete\""), "{msg}");
        assert!(
            h.openshift
                .calls()
                .iter()
                .all(|(name, _)| name != "pods_delete")
        );
    })
    .await
}

#[tokio::test]
async fn repeated_identical_call_is_refused() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[log_call()]),
            tool_calls(&[("pods_log", json!({"name": POD, "namespace": NS}))]),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, _) = h.report(lab_report()).await;
        assert_eq!(status, 200);
        assert_eq!(h.openshift.calls().len(), 1);
        assert!(
            tool_messages(&h.llm, 2)
                .last()
                .unwrap()
                .contains("already called")
        );
    })
    .await
}

#[tokio::test]
async fn issue_write_other_methods_are_refused_and_repo_is_fixed() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("issue_write", json!({"method": "update", "owner": "user1", "repo": "mcp", "issue_number": 1}))]),
            tool_calls(&[("issue_write", json!({"method": "create", "owner": "someone-else", "repo": "other", "title": "t", "body": "b"}))]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert!(tool_messages(&h.llm, 1)[0].contains("only use method \"create\""));
        assert_eq!(body["issue_url"], "http://gitea.test/user1/mcp/issues/1");
    })
    .await
}

#[tokio::test]
async fn max_iterations_withdraws_tools_on_the_last_turn() {
    bounded(async {
        let llm = FakeLlm::with(|_, i| {
            tool_calls(&[(
                "pods_log",
                json!({"namespace": NS, "name": POD, "tail": i + 1}),
            )])
        });
        let h = Harness::start(
            llm,
            Options {
                env: vec![("MAX_ITERATIONS", "3".into())],
                ..Default::default()
            },
        )
        .await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 502);
        assert_eq!(body["error"]["kind"], "no_issue_created", "{body}");
        let requests = h.llm.requests();
        assert_eq!(requests.len(), 3);
        assert!(requests[1]["tools"].is_array());
        assert!(
            requests[2].get("tools").is_none(),
            "tools must be withdrawn on the last iteration"
        );
    })
    .await
}

#[tokio::test]
async fn truncated_output_asks_for_a_shorter_answer() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[log_call()]),
            with_finish("{\"name\": \"issue_write\", \"arguments\": {\"method\": \"create\", \"body\": \"### Summ", "length"),
            tool_calls(&[create_call()]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, _) = h.report(lab_report()).await;
        assert_eq!(status, 200);
        let third = messages(&h.llm.requests()[2]);
        assert!(third.last().unwrap()["content"].as_str().unwrap().contains("cut off"));
    })
    .await
}

#[tokio::test]
async fn run_deadline_gives_504() {
    bounded(async {
        let llm =
            FakeLlm::with(|_, _| Reply::Delayed(Duration::from_secs(5), Box::new(text("late"))));
        let h = Harness::start(
            llm,
            Options {
                env: vec![("RUN_DEADLINE_SECONDS", "1".into())],
                ..Default::default()
            },
        )
        .await;
        let started = Instant::now();
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 504);
        assert_eq!(body["error"]["kind"], "deadline_exceeded");
        assert!(started.elapsed() < Duration::from_secs(4));
    })
    .await
}
