//! De-duplication against the real Gitea MCP server: the same report twice and a retry pod
//! of the same PipelineRun give one issue with one comment per new occurrence; another run
//! with another failure gets its own issue.

use failure_analysis::scenario::{FailureReport, load_case};
use serde_json::Value;

use super::world::{Model, World};
use super::{post, scenarios_dir};
use crate::support::bounded;

async fn comments(world: &World, number: u64) -> Vec<Value> {
    let url = format!(
        "{}/api/v1/repos/user57/mcp/issues/{number}/comments",
        world.gitea_url
    );
    let response = reqwest::Client::new()
        .get(url)
        .header("Authorization", format!("token {}", world.gitea_token))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

async fn report(world: &World, report: &FailureReport) -> Value {
    let (status, text) = post(&reqwest::Client::new(), world, report).await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A copy of `pod` named `name` in PipelineRun `run` (TaskRun `run-build`).
fn pod_copy(pod: &Value, name: &str, run: Option<&str>) -> Value {
    let mut pod = pod.clone();
    pod["metadata"]["name"] = name.into();
    pod["metadata"]["uid"] = format!("uid-{name}").into();
    if let Some(run) = run {
        pod["metadata"]["labels"]["tekton.dev/pipelineRun"] = run.into();
        pod["metadata"]["labels"]["tekton.dev/taskRun"] = format!("{run}-build").into();
    }
    pod
}

#[tokio::test]
async fn repeats_and_retries_comment_the_existing_issue_other_runs_get_their_own() {
    bounded(async {
        let case = load_case(&scenarios_dir().join("lab-broken-branch-copy-requirements")).unwrap();
        let world = World::build(&case, &Model::Scripted).await.unwrap();
        let ns = case.request.namespace.clone();
        let first = report(&world, &case.request).await;
        let number = first["issue_number"].as_u64().unwrap();
        assert_eq!(first["analysis"]["source"], "llm", "{first}");

        // The same report again: the existing issue, a comment, no LLM call.
        let calls = world.llm.as_ref().unwrap().requests().len();
        let again = report(&world, &case.request).await;
        assert_eq!(again["issue_number"].as_u64(), Some(number), "{again}");
        assert_eq!(again["analysis"]["duplicate"]["kind"], "same_run", "{again}");
        assert_eq!(world.llm.as_ref().unwrap().requests().len(), calls);

        // A retry pod of the same run.
        let pod = &case.cluster.pods[0];
        let retry = "build-agent-mtkhb0-build-pod-retry3";
        world.kube.apply_object(pod_copy(pod, retry, None)).unwrap();
        let log = case.log(&case.request.pod_name.clone().unwrap(), "step-build", false).unwrap().unwrap();
        world.kube.set_logs(&ns, retry, "step-build", &log, false);
        let retried = FailureReport { pod_name: Some(retry.into()), ..case.request.clone() };
        let answer = report(&world, &retried).await;
        assert_eq!(answer["issue_number"].as_u64(), Some(number), "{answer}");
        assert_eq!(comments(&world, number).await.len(), 2);

        // Another run with another failure: a new issue (the fallback, the script is used up).
        let other = "build-agent-zz9other-build-pod";
        world.kube.apply_object(pod_copy(pod, other, Some("build-agent-zz9other"))).unwrap();
        let other_log = "STEP 5/7: RUN python -m compileall .\nError: building at STEP \"RUN python -m compileall .\": exit status 1\n";
        world.kube.set_logs(&ns, other, "step-build", other_log, false);
        let other_report = FailureReport { pod_name: Some(other.into()), ..case.request.clone() };
        let answer = report(&world, &other_report).await;
        let new = answer["issue_number"].as_u64().unwrap();
        assert_ne!(new, number, "{answer}");
        assert_eq!(world.gitea.issues("user57", "mcp").len(), 2);
        assert!(comments(&world, new).await.is_empty());
    })
    .await
}

/// A model that asks for another namespace's pod and for a Secret: the namespace and pod
/// are pinned to the report, the Secret read is refused, the issue is still filed.
#[tokio::test]
async fn cluster_reads_are_pinned_to_the_reported_pod() {
    bounded(async {
        let mut case = load_case(&scenarios_dir().join("lab-broken-branch-copy-requirements")).unwrap();
        let issue_turn = case.llm.turns[1].clone();
        let script = serde_json::json!([
            {"tool_calls": [{"name": "pods_log", "arguments": {"namespace": "kube-system", "name": "etcd-0", "container": "step-build"}}]},
            {"tool_calls": [{"name": "resources_get", "arguments": {"apiVersion": "v1", "kind": "Secret", "namespace": "kube-system", "name": "admin"}}]},
        ]);
        case.llm.turns = serde_json::from_value(script).unwrap();
        case.llm.turns.push(issue_turn);
        let world = World::build(&case, &Model::Scripted).await.unwrap();
        let answer = report(&world, &case.request).await;
        assert_eq!(answer["analysis"]["source"], "llm", "{answer}");
        let paths: Vec<String> = world.kube.requests().into_iter().map(|r| r.path).collect();
        assert!(paths.iter().all(|p| !p.contains("kube-system") && !p.contains("secrets")), "{paths:?}");
        assert!(paths.iter().any(|p| p.ends_with("/pods/build-agent-mtkhb0-build-pod-retry2/log")), "{paths:?}");
        let requests = world.llm.as_ref().unwrap().requests();
        let refused = requests[2].messages.last().unwrap()["content"].as_str().unwrap().to_string();
        assert!(refused.contains("Tekton"), "{refused}");
    })
    .await
}

/// A model slower than the run deadline: the fallback issue is filed anyway (never silent).
#[tokio::test]
async fn deadline_still_files_the_fallback_issue() {
    bounded(async {
        let case = load_case(&scenarios_dir().join("lab-broken-branch-copy-requirements")).unwrap();
        let world = World::build_with(&case, &Model::Scripted, &[("RUN_DEADLINE_SECONDS", "1")])
            .await
            .unwrap();
        let slow = r#"{"turns": [{"text": "thinking", "delay_ms": 5000, "repeat": true}]}"#;
        world
            .llm
            .as_ref()
            .unwrap()
            .set_script(llm_emulator::Script::from_json(slow).unwrap());
        let started = std::time::Instant::now();
        let answer = report(&world, &case.request).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(4));
        assert_eq!(answer["analysis"]["source"], "fallback", "{answer}");
        assert_eq!(answer["fallback"], true);
        let issues = world.gitea.issues("user57", "mcp");
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0]["title"]
                .as_str()
                .unwrap()
                .contains("requirements.txt"),
            "{issues:?}"
        );
    })
    .await
}

/// The repository is public: another Gitea user pre-files an issue carrying the very marker
/// the agent's issue for this run would carry. It must not count as the agent's issue: a
/// new issue is filed (and a repeat of the report then finds the agent's own one).
#[tokio::test]
async fn an_issue_pre_filed_by_another_user_does_not_silence_the_agent() {
    bounded(async {
        let case = load_case(&scenarios_dir().join("lab-broken-branch-copy-requirements")).unwrap();
        // The body (with its marker) the agent files for this report, from a world of its own.
        let rehearsal = World::build(&case, &Model::Scripted).await.unwrap();
        report(&rehearsal, &case.request).await;
        let issues = rehearsal.gitea.issues("user57", "mcp");
        let body = issues[0]["body"].as_str().unwrap().to_string();
        assert!(body.contains("failure-analysis:fingerprint"), "{body}");
        drop(rehearsal);

        let world = World::build(&case, &Model::Scripted).await.unwrap();
        let mallory = world
            .gitea
            .create_token("mallory", "squat", &["write:issue", "read:user"]);
        let filed = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/repos/user57/mcp/issues",
                world.gitea_url
            ))
            .header("Authorization", format!("token {mallory}"))
            .json(&serde_json::json!({"title": "build failed (already known)", "body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(filed.status().as_u16(), 201);
        let squatted: Value = filed.json().await.unwrap();
        let squatted = squatted["number"].as_u64().unwrap();

        let answer = report(&world, &case.request).await;
        let number = answer["issue_number"].as_u64().unwrap();
        assert_ne!(
            number, squatted,
            "silenced by another user's issue: {answer}"
        );
        assert!(answer["analysis"]["duplicate"].is_null(), "{answer}");
        assert_eq!(world.gitea.issues("user57", "mcp").len(), 2);
        assert!(comments(&world, squatted).await.is_empty());

        // The agent's own issue still de-duplicates.
        let again = report(&world, &case.request).await;
        assert_eq!(again["issue_number"].as_u64(), Some(number), "{again}");
        assert_eq!(
            again["analysis"]["duplicate"]["kind"], "same_run",
            "{again}"
        );
    })
    .await
}
