//! A weak model that answers in prose: the next call forces the issue tool (OpenAI
//! `tool_choice`), the junk it then writes is absorbed, an endpoint that rejects
//! `tool_choice` is asked again without it, and `LLM_FORCE_ISSUE_TOOL=false` never sends it.
//! Against the testbed LLM emulator, with the production hooks.

use std::sync::Arc;

use agent::prompt::BODY_SECTIONS;
use llm_emulator::{Fault, LlmConfig, LlmEmulator, RecordedRequest, RunningLlm, Script, Turn};
use serde_json::{Value, json};

use crate::support::fake_llm::{FakeLlm, issue_body};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

const PROSE: &str = "You can create the issue with the analysis by calling issue_write.";

fn forced() -> Value {
    json!({"type": "function", "function": {"name": "issue_write"}})
}

/// The lab report sent once through the agent, the model played by `script`; every test
/// here expects a 200. The `RunningLlm` must be kept alive: dropping it stops the emulator.
async fn report(
    script: Script,
    env: Vec<(&'static str, String)>,
) -> (Harness, LlmEmulator, Value, RunningLlm) {
    let emulator = LlmEmulator::new(LlmConfig::default());
    emulator.set_script(script);
    let running = emulator.serve(0).await.unwrap();
    let options = Options {
        llm: Some((running.base_url(), emulator.config().api_key.clone())),
        hooks: Arc::new(agent::analysis_hooks::AnalysisHooks),
        env,
        ..Default::default()
    };
    let harness = Harness::start(FakeLlm::scripted(vec![]), options).await;
    let (status, body) = harness.report(lab_report()).await;
    assert_eq!(status, 200, "{body}");
    (harness, emulator, body, running)
}

fn good_issue() -> Value {
    json!({"method": "create", "owner": "user1", "repo": "mcp",
        "title": "build-agent: buildah COPY failed, app.py not found", "body": issue_body(NS, POD)})
}

fn choices(requests: &[RecordedRequest]) -> Vec<Option<Value>> {
    requests.iter().map(|r| r.tool_choice.clone()).collect()
}

#[tokio::test]
async fn prose_then_forced_junk_call_files_one_complete_issue() {
    bounded(async {
        // What SmolLM2-135M wrote under the grammar, plus the wrong repository.
        let junk = json!({"method": "create", "owner": "someone-else", "repo": "other",
            "title": "", "body": "The build failed.", "state": "closed", "label_id": 9,
            "deadline": "2024-01-01T15:32:53Z", "dependency_type": "blocked_by", "milestone": 7});
        let script = Script::new([
            Turn::tool_calls([(
                "pods_log",
                json!({"namespace": "kube-system", "name": "etcd-0"}),
            )]),
            Turn::text(PROSE),
            Turn::tool_calls([("issue_write", junk)]),
        ]);
        let (h, emulator, body, _running) = report(script, vec![]).await;
        let requests = emulator.requests();
        assert_eq!(choices(&requests), vec![None, None, Some(forced())]);
        assert_eq!(
            requests[2].tools, requests[1].tools,
            "the same tools are offered"
        );
        assert_eq!(body["analysis"]["source"], "llm", "{body}");
        assert_eq!(body["iterations"], 3, "{body}");
        let issues = h.gitea.issues();
        assert_eq!(issues.len(), 1);
        let issue = &issues[0];
        assert!(
            issue["html_url"]
                .as_str()
                .unwrap()
                .contains("/user1/mcp/issues/"),
            "{issue}"
        );
        let text = issue["body"].as_str().unwrap();
        assert!(text.starts_with("The build failed."), "{text}");
        for section in BODY_SECTIONS {
            assert_eq!(text.matches(section).count(), 1, "{section}: {text}");
        }
        assert!(
            text.contains("no such file or directory") && text.contains(POD),
            "{text}"
        );
        let title = issue["title"].as_str().unwrap();
        assert!(title.contains("COPY"), "a title about the failure: {title}");
        let (_, sent) = h
            .gitea
            .calls()
            .into_iter()
            .find(|(t, _)| t == "issue_write")
            .unwrap();
        let mut keys: Vec<&str> = sent
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["body", "method", "owner", "repo", "title"],
            "junk fields dropped"
        );
        assert_eq!(
            (sent["owner"].as_str(), sent["repo"].as_str()),
            (Some("user1"), Some("mcp"))
        );
        // The cluster read stayed on the reported pod.
        for (tool, args) in h.openshift.calls() {
            assert_eq!(
                (args["namespace"].as_str(), args["name"].as_str()),
                (Some(NS), Some(POD)),
                "{tool}"
            );
        }
    })
    .await
}

#[tokio::test]
async fn a_good_model_issue_is_filed_as_written() {
    bounded(async {
        let script = Script::new([Turn::tool_calls([("issue_write", good_issue())])]);
        let (h, emulator, _, _running) = report(script, vec![]).await;
        assert_eq!(choices(&emulator.requests()), vec![None]);
        let issue = &h.gitea.issues()[0];
        assert_eq!(issue["title"], good_issue()["title"]);
        let text = issue["body"].as_str().unwrap();
        assert!(text.starts_with(issue_body(NS, POD).trim_end()), "{text}");
        assert!(
            !text.contains("completed from the automatic pre-analysis"),
            "{text}"
        );
    })
    .await
}

#[tokio::test]
async fn an_endpoint_rejecting_tool_choice_is_asked_again_without_it() {
    bounded(async {
        let script = Script::new([
            Turn::text(PROSE),
            Turn::fault(Fault::LiteLlmError {
                status: 400,
                message: "tool_choice of type function is not supported by this model".into(),
                error_type: "invalid_request_error".into(),
                param: Some("tool_choice".into()),
            }),
            Turn::text(PROSE),
            Turn::tool_calls([("issue_write", good_issue())]),
        ]);
        let (h, emulator, body, _running) = report(script, vec![]).await;
        assert_eq!(
            choices(&emulator.requests()),
            vec![None, Some(forced()), None, None],
            "retried once without it, then never sent again in the run"
        );
        assert_eq!(h.gitea.issues().len(), 1);
        assert_eq!(body["analysis"]["source"], "llm", "{body}");
    })
    .await
}

#[tokio::test]
async fn switched_off_no_tool_choice_is_sent() {
    bounded(async {
        let script = Script::new([
            Turn::text(PROSE),
            Turn::text(PROSE),
            Turn::tool_calls([("issue_write", good_issue())]),
        ]);
        let env = vec![("LLM_FORCE_ISSUE_TOOL", "false".to_string())];
        let (h, emulator, _, _running) = report(script, env).await;
        assert_eq!(choices(&emulator.requests()), vec![None, None, None]);
        assert_eq!(h.gitea.issues().len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_refused_issue_call_is_forced_again_and_other_calls_are_not() {
    bounded(async {
        let mut update = good_issue();
        update["method"] = json!("update");
        let script = Script::new([
            Turn::text(PROSE),
            Turn::tool_calls([("issue_write", update)]),
            Turn::tool_calls([(
                "pods_log",
                json!({"namespace": NS, "name": POD, "tail": 50}),
            )]),
            Turn::tool_calls([("issue_write", good_issue())]),
        ]);
        let (h, emulator, _, _running) = report(script, vec![]).await;
        assert_eq!(
            choices(&emulator.requests()),
            vec![None, Some(forced()), Some(forced()), None]
        );
        assert_eq!(h.gitea.issues().len(), 1);
    })
    .await
}
