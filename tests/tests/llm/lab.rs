use serde_json::{Value, json};
use testbed::kube::KubeEmulator;
use testbed::llm::{LAB_ISSUE_TITLE, LabFacts, lab_script};

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
