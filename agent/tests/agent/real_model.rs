//! Regressions found by running the agent against a real small model (SmolLM2-135M on the
//! llama-cpp-python server, `scripts/test-real-llm`), replayed deterministically with the
//! fake endpoint: what the model sent, and what the agent must send to such a server.

use serde_json::json;

use crate::support::fake_llm::{FakeLlm, messages, text, tool_calls, with_finish};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

/// SmolLM2's answer to the lab prompt after a nudge, verbatim: prose that names the tool
/// but is no call, repeated (with growing HTML escapes) on every later turn.
const SMOLLM_PROSE: &str = "You can create the issue with the analysis by calling `issue_write` on a new line:\n\n issue_write tool\n;amp;#34;build-copy-missing-file&amp;amp;#34; --output=/path/to/test.yml build-images.yaml --no-index 1024 --name=issue-356789_v1";

#[tokio::test]
async fn a_model_that_only_writes_prose_is_given_up_on_after_three_turns() {
    bounded(async {
        // Before: ten slow turns of the same prose (one nudge each) until MAX_ITERATIONS.
        let llm = FakeLlm::with(|_, _| text(SMOLLM_PROSE));
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 502, "{body}");
        assert_eq!(body["error"]["kind"], "no_issue_created", "{body}");
        assert_eq!(h.llm.requests().len(), 3, "two nudges, then give up");
        assert!(h.gitea.issues().is_empty());
    })
    .await
}

#[tokio::test]
async fn a_model_cut_off_by_the_answer_cap_every_time_is_given_up_on_too() {
    bounded(async {
        // SmolLM2's first answer without a cap ran to the context's end; with one, every
        // answer stops at `length`.
        let llm = FakeLlm::with(|_, _| with_finish(SMOLLM_PROSE, "length"));
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 502, "{body}");
        assert_eq!(body["error"]["kind"], "no_issue_created", "{body}");
        assert_eq!(h.llm.requests().len(), 3);
    })
    .await
}

/// A call in between resets the prose count; and the issue call without `owner`/`repo` (the
/// arguments the agent pins anyway) is filled in, not refused for them.
#[tokio::test]
async fn a_tool_call_between_prose_answers_resets_the_count() {
    bounded(async {
        let log = ("pods_log", json!({"namespace": NS, "name": POD}));
        let create = (
            "issue_write",
            json!({"method": "create", "title": "Build failed", "body": crate::support::fake_llm::issue_body(NS, POD)}),
        );
        let llm = FakeLlm::scripted(vec![
            text(SMOLLM_PROSE),
            text(SMOLLM_PROSE),
            tool_calls(&[log]),
            text(SMOLLM_PROSE),
            text(SMOLLM_PROSE),
            tool_calls(&[create]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["iterations"], 6, "{body}");
        assert_eq!(h.gitea.issues().len(), 1);
        assert_eq!(body["issue_url"], "http://gitea.test/user1/mcp/issues/1");
    })
    .await
}

#[tokio::test]
async fn every_request_carries_the_answer_cap_and_the_configured_sampling() {
    bounded(async {
        // Before: no max_tokens, so the 135M model wrote until its context was full and one
        // call took minutes.
        let llm = FakeLlm::with(|_, _| text("no"));
        let env = vec![
            ("LLM_MAX_TOKENS", "256".to_string()),
            ("LLM_TEMPERATURE", "0".to_string()),
            ("LLM_SEED", "42".to_string()),
        ];
        let h = Harness::start(
            llm,
            Options {
                env,
                ..Default::default()
            },
        )
        .await;
        let _ = h.report(lab_report()).await;
        for request in h.llm.requests() {
            assert_eq!(request["max_tokens"], 256);
            assert_eq!(request["temperature"], 0.0);
            assert_eq!(request["seed"], 42);
        }

        // Unset: the cap is the context budget's answer reserve (a fifth of the window), and
        // temperature and seed are the server's.
        let h = Harness::start(FakeLlm::with(|_, _| text("no")), Options::default()).await;
        let _ = h.report(lab_report()).await;
        let first = &h.llm.requests()[0];
        assert_eq!(first["max_tokens"], 32_768 / 5);
        assert!(first.get("temperature").is_none() && first.get("seed").is_none());
        // Assistant turns are sent with string content, never null (llama.cpp rejects null).
        for request in h.llm.requests() {
            for m in messages(&request) {
                assert!(!m["content"].is_null(), "{m}");
            }
        }
    })
    .await
}
