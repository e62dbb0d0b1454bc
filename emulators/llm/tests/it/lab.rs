use kube_emulator::KubeEmulator;
use llm_emulator::{LAB_ISSUE_TITLE, LabFacts, lab_script};
use serde_json::{Value, json};

use crate::support::{Served, chat_body, serve};

fn facts() -> LabFacts {
    let lab = KubeEmulator::new().seed_lab("user1");
    LabFacts {
        user: lab.user,
        namespace: lab.namespace,
        pod: lab.pod,
        container: lab.failed_container,
        failure_line: lab.failure_line,
    }
}

/// Plays the agent side: sends the conversation, appends the assistant message and a
/// tool result for each call; returns the calls made.
async fn step(served: &Served, body: &mut Value, tool_output: &str) -> Vec<(String, Value)> {
    let answer = served.chat(body).await;
    let message = answer["choices"][0]["message"].clone();
    let calls: Vec<(String, Value)> = message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let args = serde_json::from_str(c["function"]["arguments"].as_str().unwrap()).unwrap();
            (c["function"]["name"].as_str().unwrap().to_string(), args)
        })
        .collect();
    let messages = body["messages"].as_array_mut().unwrap();
    messages.push(message.clone());
    for call in message["tool_calls"].as_array().into_iter().flatten() {
        messages.push(json!({"role": "tool", "tool_call_id": call["id"], "content": tool_output}));
    }
    calls
}

#[tokio::test]
async fn lab_script_reads_the_failed_step_then_files_one_issue() {
    let facts = facts();
    let served = serve(lab_script(&facts)).await;
    let mut body = chat_body(&["pods_log", "pods_list", "create_issue"]);
    let calls = step(&served, &mut body, &facts.failure_line).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "pods_log");
    assert_eq!(calls[0].1["namespace"], facts.namespace.as_str());
    assert_eq!(calls[0].1["name"], facts.pod.as_str());
    assert_eq!(calls[0].1["container"], "step-build");

    let calls = step(
        &served,
        &mut body,
        r#"{"number": 1, "html_url": "http://gitea/user1/mcp/issues/1"}"#,
    )
    .await;
    assert_eq!(calls[0].0, "create_issue");
    assert_eq!(calls[0].1["title"], LAB_ISSUE_TITLE);
    assert_eq!(calls[0].1["repo"], "mcp");
    assert!(
        calls[0].1["body"]
            .as_str()
            .unwrap()
            .contains(&facts.failure_line)
    );

    let final_answer = served.chat(&body).await;
    assert_eq!(final_answer["choices"][0]["finish_reason"], "stop");
    assert!(
        final_answer["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .contains("requirements.txt")
    );
}

#[tokio::test]
async fn lab_script_uses_issue_write_when_that_is_the_tool() {
    let facts = facts();
    let served = serve(lab_script(&facts)).await;
    let mut body = chat_body(&["pods_log", "issue_write"]);
    step(&served, &mut body, "log").await;
    let calls = step(&served, &mut body, "{}").await;
    assert_eq!(calls[0].0, "issue_write");
    assert_eq!(calls[0].1["method"], "create");
}

/// The three emulators together, with the test playing the agent: the lab script's
/// `pods_log` names a real pod and container of the seeded cluster, and its
/// `create_issue` lands in the seeded Gitea repository.
#[tokio::test]
async fn lab_script_fits_the_seeded_cluster_and_gitea() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, LogParams};

    let kube = KubeEmulator::new();
    let lab = kube.seed_lab("user1");
    let gitea = gitea_emulator::GiteaEmulator::new();
    let gitea_lab = gitea.seed_lab("user1");
    let gitea_running = gitea.serve(0).await.unwrap();
    let served = serve(lab_script(&facts())).await;

    let mut body = chat_body(&["pods_log", "create_issue"]);
    let answer = served.chat(&body).await;
    let call = &answer["choices"][0]["message"]["tool_calls"][0];
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    let pods: Api<Pod> = Api::namespaced(kube.client(), args["namespace"].as_str().unwrap());
    let params = LogParams {
        container: args["container"].as_str().map(str::to_string),
        tail_lines: args["tail"].as_i64(),
        ..LogParams::default()
    };
    let log = pods
        .logs(args["name"].as_str().unwrap(), &params)
        .await
        .unwrap();
    assert!(log.contains(&lab.failure_line), "{log}");
    let messages = body["messages"].as_array_mut().unwrap();
    messages.push(answer["choices"][0]["message"].clone());
    messages.push(json!({"role": "tool", "tool_call_id": call["id"], "content": log}));

    let answer = served.chat(&body).await;
    let call = &answer["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "create_issue");
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    let created = served
        .http
        .post(format!(
            "{}/repos/{}/{}/issues",
            gitea_running.api_url(),
            args["owner"].as_str().unwrap(),
            args["repo"].as_str().unwrap()
        ))
        .header("authorization", format!("token {}", gitea_lab.user_token))
        .json(&json!({"title": args["title"], "body": args["body"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let issues = gitea.issues(&gitea_lab.user, &gitea_lab.repo);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["title"], LAB_ISSUE_TITLE);
    assert!(
        issues[0]["body"]
            .as_str()
            .unwrap()
            .contains(&lab.failure_line)
    );
}
