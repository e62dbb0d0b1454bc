use llm_emulator::{
    Fault, LAB_ISSUE_TITLE, LabFacts, LlmConfig, LlmEmulator, RunningLlm, Script, TextForm, Turn,
    lab_script,
};
use serde_json::json;

use crate::support::fake_llm::{FakeLlm, issue_body};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

async fn with_emulator(script: Script, legacy_gitea: bool) -> (Harness, LlmEmulator, RunningLlm) {
    let emulator = LlmEmulator::new(LlmConfig::default());
    emulator.set_script(script);
    let running = emulator.serve(0).await.unwrap();
    let options = Options {
        legacy_gitea,
        llm: Some((running.base_url(), emulator.config().api_key.clone())),
        ..Default::default()
    };
    let harness = Harness::start(FakeLlm::scripted(vec![]), options).await;
    (harness, emulator, running)
}

fn issue_write() -> serde_json::Value {
    json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "Build failed", "body": issue_body(NS, POD)})
}

#[tokio::test]
async fn lab_script_files_the_expected_issue() {
    bounded(async {
        for legacy in [false, true] {
            let facts = LabFacts {
                user: "user1".into(),
                namespace: NS.into(),
                pod: POD.into(),
                container: "step-build".into(),
                failure_line: "no such file or directory".into(),
            };
            let (h, emulator, _running) = with_emulator(lab_script(&facts), legacy).await;
            let (status, body) = h.report(lab_report()).await;
            assert_eq!(status, 200, "{body}");
            let issue = &h.gitea.issues()[0];
            assert_eq!(issue["title"], LAB_ISSUE_TITLE);
            for section in agent::prompt::BODY_SECTIONS {
                assert!(issue["body"].as_str().unwrap().contains(section));
            }
            assert_eq!(body["issue_url"], issue["html_url"]);
            let requests = emulator.requests();
            assert_eq!(requests.len(), 2, "the run ends when the issue exists");
            assert_eq!(requests[0].model.as_deref(), Some("local"));
            assert_eq!(h.openshift.calls()[0].1["container"], "step-build");
        }
    })
    .await
}

#[tokio::test]
async fn every_text_form_the_emulator_writes_is_understood() {
    bounded(async {
        for form in [
            TextForm::Json,
            TextForm::JsonParameters,
            TextForm::Fenced,
            TextForm::PythonTag,
            TextForm::Pythonic,
            TextForm::Hermes,
        ] {
            let script = Script::new([
                Turn::text_tool_calls(form, [("pods_log", json!({"namespace": NS, "name": POD}))]),
                Turn::text_tool_calls(form, [("issue_write", issue_write())]),
            ]);
            let (h, _emulator, _running) = with_emulator(script, false).await;
            let (status, body) = h.report(lab_report()).await;
            assert_eq!(status, 200, "{form:?}: {body}");
            assert_eq!(h.gitea.issues().len(), 1, "{form:?}");
        }
    })
    .await
}

#[tokio::test]
async fn emulated_rate_limit_then_success_and_budget_errors() {
    bounded(async {
        let script = Script::new([
            Turn::fault(Fault::RateLimited {
                retry_after_secs: 1,
            }),
            Turn::tool_calls([("pods_log", json!({"namespace": NS, "name": POD}))]),
            Turn::tool_calls([("issue_write", issue_write())]),
        ]);
        let (h, emulator, _running) = with_emulator(script, false).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(emulator.requests().len(), 3);

        for status in [400, 429] {
            let script = Script::new([
                Turn::fault(Fault::BudgetExceeded {
                    status: Some(status),
                }),
                Turn::text("never"),
            ]);
            let (h, emulator, _running) = with_emulator(script, false).await;
            let (code, body) = h.report(lab_report()).await;
            assert_eq!(
                (code, body["error"]["kind"].as_str()),
                (502, Some("llm_budget_exceeded")),
                "{status}"
            );
            assert_eq!(
                emulator.requests().len(),
                1,
                "budget errors are not retried ({status})"
            );
        }
    })
    .await
}
