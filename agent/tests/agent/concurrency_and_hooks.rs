use std::sync::Arc;

use agent::error::RunError;
use agent::hooks::{Evidence, IssueDraft, RunHooks};
use agent::report::FailureReport;
use serde_json::json;

use crate::support::fake_llm::{FakeLlm, budget_exceeded, messages, tool_calls, tool_messages};
use crate::support::{Harness, LOG, NS, Options, POD, bounded, lab_report, log_call};

#[tokio::test]
async fn fifty_concurrent_reports_are_all_answered_correctly() {
    bounded(async {
        // The scripted model answers from the request: logs for the pod named in the prompt
        // first, then an issue titled after that pod.
        let llm = FakeLlm::with(|req, _| {
            let msgs = messages(req);
            let prompt = msgs[1]["content"].as_str().unwrap();
            let pod = prompt.lines().find_map(|l| l.strip_prefix("- Pod: ")).unwrap().to_string();
            if msgs.iter().any(|m| m["role"] == "tool") {
                tool_calls(&[("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": pod, "body": "b"}))])
            } else {
                tool_calls(&[("pods_log", json!({"namespace": NS, "name": pod}))])
            }
        });
        let h = Arc::new(Harness::start(llm, Options::default()).await);
        for i in 0..50 {
            h.openshift.set_log(&format!("pod-{i}"), &format!("error in pod {i}"));
        }
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { (i, h.report(json!({"namespace": NS, "pod_name": format!("pod-{i}")})).await) })
            })
            .collect();
        for task in tasks {
            let (i, (status, body)) = task.await.unwrap();
            assert_eq!(status, 200, "{body}");
            let n = body["issue_number"].as_u64().unwrap() as usize;
            assert_eq!(h.gitea.issues()[n - 1]["title"], format!("pod-{i}"), "run {i} got another run's issue");
        }
        assert_eq!(h.gitea.issues().len(), 50);
        // Each run saw its own pod's log.
        assert!(h.llm.requests().iter().all(|r| {
            let msgs = messages(r);
            let prompt = msgs[1]["content"].as_str().unwrap().to_string();
            msgs.iter().filter(|m| m["role"] == "tool").all(|m| {
                let pod = prompt.lines().find_map(|l| l.strip_prefix("- Pod: pod-")).unwrap();
                m["content"].as_str().unwrap().contains(&format!("error in pod {pod}\n"))
            })
        }));
    })
    .await
}

struct FallbackHooks;

impl RunHooks for FallbackHooks {
    fn redact(&self, text: String) -> String {
        text.replace("no such file", "[REDACTED]")
    }
    fn fallback_issue(
        &self,
        report: &FailureReport,
        evidence: &Evidence,
        error: &RunError,
    ) -> Option<IssueDraft> {
        Some(IssueDraft {
            title: format!("Pipeline failed in {}", report.pod_name),
            body: format!(
                "LLM unavailable ({}).\n\n{}",
                error.kind(),
                evidence.logs.join("\n")
            ),
        })
    }
}

#[tokio::test]
async fn hooks_redact_tool_output_and_file_a_fallback_issue() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![tool_calls(&[log_call()]), budget_exceeded()]);
        let h = Harness::start(
            llm,
            Options {
                hooks: Arc::new(FallbackHooks),
                ..Default::default()
            },
        )
        .await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["fallback"], true);
        let issue = &h.gitea.issues()[0];
        assert_eq!(issue["title"], format!("Pipeline failed in {POD}"));
        let issue_body = issue["body"].as_str().unwrap();
        assert!(
            issue_body.contains("llm_budget_exceeded") && issue_body.contains("[REDACTED]"),
            "{issue_body}"
        );
        assert!(!issue_body.contains("no such file"));
        assert!(
            !tool_messages(&h.llm, 1)[0].contains("no such file"),
            "the model saw redacted output"
        );
        assert!(LOG.contains("no such file"));
    })
    .await
}

#[tokio::test]
async fn analysis_hooks_redact_secrets_and_render_the_fallback_issue() {
    bounded(async {
        let llm = FakeLlm::scripted(vec![tool_calls(&[log_call()]), budget_exceeded()]);
        let options = Options {
            hooks: Arc::new(agent::analysis_hooks::AnalysisHooks),
            ..Default::default()
        };
        let h = Harness::start(llm, options).await;
        let secret = "GITEA_TOKEN=8c1f6a2b9d3e4f5061728394a5b6c7d8e9f00112";
        h.openshift.set_log(POD, &format!("{LOG}\n{secret}"));
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["fallback"], true);
        assert!(
            !tool_messages(&h.llm, 1)[0].contains("8c1f6a2b"),
            "the model saw a secret"
        );
        let issue = &h.gitea.issues()[0];
        let text = issue["body"].as_str().unwrap();
        assert!(!text.contains("8c1f6a2b"), "{text}");
        assert!(text.contains("### Possible solutions"), "{text}");
        assert!(
            failure_analysis::Fingerprint::parse(text).is_some(),
            "de-duplication marker missing"
        );
    })
    .await
}

#[tokio::test]
async fn analysis_hooks_classify_an_attached_log_tail() {
    bounded(async {
        let create = ("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "t", "body": "b"}));
        let llm = FakeLlm::scripted(vec![tool_calls(&[create])]);
        let options = Options { hooks: Arc::new(agent::analysis_hooks::AnalysisHooks), ..Default::default() };
        let h = Harness::start(llm, options).await;
        let tail = "STEP 4/7: COPY requirements.txt ./\nError: building at STEP \"COPY requirements.txt ./\": checking on sources under \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory";
        let (status, body) = h.report(json!({"namespace": NS, "pod_name": POD, "log_tail": tail})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["analysis"]["category"], "build_copy_missing_file", "{body}");
        // The model-written body got the de-duplication marker.
        let filed = h.gitea.issues()[0]["body"].as_str().unwrap().to_string();
        assert!(filed.starts_with('b') && failure_analysis::Fingerprint::parse(&filed).is_some(), "{filed}");
        let prompt = messages(&h.llm.requests()[0])[1]["content"].as_str().unwrap().to_string();
        assert!(prompt.contains("pre-analysis"), "{prompt}");
    })
    .await
}
