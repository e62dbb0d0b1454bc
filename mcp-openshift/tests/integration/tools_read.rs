//! Every read tool over both transports, against the seeded lab, with exact output checks.

use kube_emulator::build_log;
use serde_json::{Value, json};

use super::util::{
    BOTH, Client, Harness, Transport, call, connect, err, ok, start, without_managed_fields,
    yaml_body,
};

/// Rows of a rendered table: whitespace-split cells of every line after the header.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

fn names_in(emu_items: &[Value]) -> Vec<String> {
    let mut n: Vec<String> = emu_items
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

async fn pods_log_checks(h: &Harness, c: &Client) {
    let ns = &h.lab.namespace;
    let image = format!("image-registry.openshift-image-registry.svc:5000/{ns}/agent:latest");
    let full = build_log(&image);
    let text = ok(
        c,
        "pods_log",
        json!({"name": h.lab.pod, "namespace": ns, "container": "step-build"}),
    )
    .await;
    assert_eq!(text.trim_end(), full.trim_end());
    // The agent's original prompt sends tailLines.
    let text = ok(c, "pods_log", json!({"name": h.lab.pod, "namespace": ns, "container": h.lab.failed_container, "tailLines": 1})).await;
    assert_eq!(text.trim_end(), h.lab.failure_line);
    let text = ok(
        c,
        "pods_log",
        json!({"name": h.lab.pod, "namespace": ns, "container": "step-build", "tail": 2}),
    )
    .await;
    let last2: Vec<&str> = full
        .lines()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(text.trim_end(), last2.join("\n"));
    // Several containers and no choice: the answer names them.
    let e = err(c, "pods_log", json!({"name": h.lab.pod, "namespace": ns})).await;
    assert_eq!(
        e,
        format!(
            "failed to get pod {} log in namespace {ns}: the pod has 2 containers and none was named; choose one with the container parameter: step-build, step-push",
            h.lab.pod
        )
    );
    // grep keeps matches with context.
    let text = ok(
        c,
        "pods_log",
        json!({"name": h.lab.pod, "namespace": ns, "container": "step-build", "grep": "^Error:"}),
    )
    .await;
    let lines: Vec<&str> = full.lines().collect();
    let n = lines.len();
    let expected = format!(
        "# 1 matching lines for /^Error:/ (with 2 lines of context)\n{}\n{}\n{}\n",
        lines[n - 3],
        lines[n - 2],
        lines[n - 1]
    );
    assert_eq!(text, expected);
    // The only container is chosen automatically.
    let mcp_ns = "mcp-openshift-user1";
    let pod = h.emu.list("v1", "Pod", Some(mcp_ns))[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let text = ok(c, "pods_log", json!({"name": pod, "namespace": mcp_ns})).await;
    assert_eq!(
        text.trim_end(),
        "listening on 0.0.0.0:8080\nGET /healthz 200"
    );
    // previous=true reads the terminated instance.
    let lc_ns = "librechat-user1";
    let lc = h.emu.list("v1", "Pod", Some(lc_ns))[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let text = ok(
        c,
        "pods_log",
        json!({"name": lc, "namespace": lc_ns, "previous": true}),
    )
    .await;
    assert!(
        text.trim_end()
            .ends_with("FATAL JavaScript heap out of memory"),
        "{text}"
    );
    // Input errors name the parameter and the types.
    let e = err(c, "pods_log", json!({"name": h.lab.pod, "tail": "ten"})).await;
    assert_eq!(
        e,
        "failed to get pod log: tail parameter must be an integer: expected integer, got string"
    );
    let e = err(c, "pods_log", json!({"namespace": ns})).await;
    assert_eq!(e, "failed to get pod log: name parameter required");
    let e = err(
        c,
        "pods_log",
        json!({"name": h.lab.pod, "namespace": ns, "container": "nope"}),
    )
    .await;
    assert!(
        e.starts_with(&format!(
            "failed to get pod {} log in namespace {ns}: ",
            h.lab.pod
        )),
        "{e}"
    );
    assert!(e.contains("nope"), "{e}");
}

async fn pods_checks(h: &Harness, c: &Client) {
    let ns = &h.lab.namespace;
    let text = ok(c, "pods_get", json!({"name": h.lab.pod, "namespace": ns})).await;
    let expected = without_managed_fields(h.emu.get("v1", "Pod", Some(ns), &h.lab.pod).unwrap());
    assert_eq!(yaml_body(&text), expected);
    assert!(!text.contains("managedFields"));
    let e = err(c, "pods_get", json!({"name": "missing", "namespace": ns})).await;
    assert_eq!(
        e,
        format!("failed to get pod missing in namespace {ns}: pods \"missing\" not found")
    );

    let text = ok(c, "pods_list_in_namespace", json!({"namespace": ns})).await;
    assert!(
        text.starts_with("NAMESPACE     APIVERSION   KIND   NAME "),
        "{text}"
    );
    assert!(
        text.lines().next().unwrap().trim_end().ends_with("LABELS"),
        "{text}"
    );
    let emu_pods = h.emu.list("v1", "Pod", Some(ns));
    let r = rows(&text);
    let mut got: Vec<String> = r.iter().map(|r| r[3].clone()).collect();
    got.sort();
    assert_eq!(got, names_in(&emu_pods));
    for row in &r {
        assert_eq!(&row[..3], &[ns.clone(), "v1".into(), "Pod".into()]);
    }
    let failed_row = r.iter().find(|r| r[3] == h.lab.pod).unwrap();
    assert_eq!(failed_row[4], "0/2");
    assert!(
        failed_row
            .last()
            .unwrap()
            .contains("tekton.dev/pipelineTask=build"),
        "{failed_row:?}"
    );

    let text = ok(c, "pods_list", json!({"labelSelector": "app=librechat"})).await;
    let r = rows(&text);
    assert_eq!(r.len(), 1, "{text}");
    assert_eq!(r[0][0], "librechat-user1");
    let all = ok(c, "pods_list", json!({})).await;
    assert_eq!(rows(&all).len(), h.emu.list("v1", "Pod", None).len());
    let e = err(c, "pods_list_in_namespace", json!({})).await;
    assert_eq!(
        e,
        "failed to list pods in namespace: namespace parameter required"
    );
}

async fn cluster_checks(h: &Harness, c: &Client) {
    let ns = &h.lab.namespace;
    let text = ok(c, "namespaces_list", json!({})).await;
    assert!(text.starts_with("APIVERSION   KIND        NAME"), "{text}");
    let mut got: Vec<String> = rows(&text).iter().map(|r| r[2].clone()).collect();
    got.sort();
    assert_eq!(got, names_in(&h.emu.list("v1", "Namespace", None)));

    let text = ok(c, "events_list", json!({"namespace": ns})).await;
    assert!(
        text.starts_with("# The following events (YAML format) were found:\n"),
        "{text}"
    );
    let events = yaml_body(&text);
    let emu_events = h.emu.list("v1", "Event", Some(ns));
    assert_eq!(events.as_array().unwrap().len(), emu_events.len());
    let warning = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Type"] == "Warning" && e["InvolvedObject"]["Name"] == h.lab.pod.as_str())
        .unwrap();
    assert_eq!(warning["Reason"], "Failed");
    assert_eq!(warning["InvolvedObject"]["Name"], h.lab.pod.as_str());
    assert_eq!(
        warning["Message"],
        "Error: container step-build exited with code 1"
    );
    let text = ok(
        c,
        "events_list",
        json!({"namespace": "mcp-gitea-user1", "fieldSelector": "type=Nothing"}),
    )
    .await;
    assert_eq!(text, "# No events found");

    let text = ok(
        c,
        "resources_list",
        json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "namespace": ns}),
    )
    .await;
    let mut got: Vec<String> = rows(&text).iter().map(|r| r[3].clone()).collect();
    got.sort();
    assert_eq!(
        got,
        names_in(&h.emu.list("tekton.dev/v1", "TaskRun", Some(ns)))
    );
    let (_, _, structured) = call(
        c,
        "resources_list",
        json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "namespace": ns}),
    )
    .await;
    assert_eq!(
        structured.unwrap()["items"].as_array().unwrap().len(),
        got.len()
    );

    let text = ok(c, "resources_get", json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "name": h.lab.pipeline_run, "namespace": ns})).await;
    let expected = without_managed_fields(
        h.emu
            .get(
                "tekton.dev/v1",
                "PipelineRun",
                Some(ns),
                &h.lab.pipeline_run,
            )
            .unwrap(),
    );
    assert_eq!(yaml_body(&text), expected);
    let e = err(
        c,
        "resources_get",
        json!({"apiVersion": "apps/v1", "kind": "Deploymnt", "name": "x"}),
    )
    .await;
    assert_eq!(
        e,
        "failed to get resource: no matches for kind \"Deploymnt\" in version \"apps/v1\""
    );

    let text = ok(c, "projects_list", json!({})).await;
    assert!(text.contains("agent-user1"), "{text}");
    let e = err(c, "pods_top", json!({})).await;
    assert_eq!(e, "failed to get pods top: metrics API is not available");
    let e = err(
        c,
        "nodes_log",
        json!({"name": "no-such-node", "query": "kubelet"}),
    )
    .await;
    assert_eq!(
        e,
        "failed to get node log for no-such-node: nodes \"no-such-node\" not found"
    );
    let e = err(c, "nodes_stats_summary", json!({"name": "no-such-node"})).await;
    assert_eq!(
        e,
        "failed to get node stats summary for no-such-node: nodes \"no-such-node\" not found"
    );
    let e = err(c, "nodes_log", json!({"name": "no-such-node"})).await;
    assert_eq!(
        e,
        "failed to get node log for no-such-node: query parameter required"
    );
    let e = err(c, "nodes_top", json!({})).await;
    assert_eq!(e, "failed to get nodes top: metrics API is not available");
}

async fn tekton_checks(h: &Harness, c: &Client) {
    let ns = &h.lab.namespace;
    let text = ok(
        c,
        "tekton_taskrun_logs",
        json!({"name": h.lab.task_run, "namespace": ns}),
    )
    .await;
    let tr = &h.lab.task_run;
    assert!(
        text.starts_with(&format!("==> {tr}/step-build <==\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("==> {tr}/step-push <==\n")),
        "{text}"
    );
    assert!(text.contains(&h.lab.failure_line), "{text}");
    let text = ok(
        c,
        "tekton_taskrun_logs",
        json!({"name": tr, "namespace": ns, "step": "build", "tail": 1}),
    )
    .await;
    assert_eq!(
        text,
        format!("==> {tr}/step-build <==\n{}\n", h.lab.failure_line)
    );
    let e = err(
        c,
        "tekton_taskrun_logs",
        json!({"name": tr, "namespace": ns, "step": "deploy"}),
    )
    .await;
    assert!(
        e.contains("has no step \"deploy\" (steps: build, push)"),
        "{e}"
    );

    let text = ok(
        c,
        "tekton_pipelinerun_logs",
        json!({"name": h.lab.pipeline_run, "namespace": ns}),
    )
    .await;
    assert!(
        text.contains(&format!(
            "==> {}-fetch-repository/step-clone <==",
            h.lab.pipeline_run
        )),
        "{text}"
    );
    assert!(text.contains(&h.lab.failure_line), "{text}");
    let text = ok(c, "tekton_pipelinerun_logs", json!({"name": h.lab.pipeline_run, "namespace": ns, "task": "build", "step": "build", "tail": 1})).await;
    assert_eq!(
        text,
        format!("==> {tr}/step-build <==\n{}\n", h.lab.failure_line)
    );
    let e = err(
        c,
        "tekton_pipelinerun_logs",
        json!({"name": "nope", "namespace": ns}),
    )
    .await;
    assert!(
        e.starts_with(&format!(
            "failed to get logs of PipelineRun nope in namespace {ns}: "
        )),
        "{e}"
    );
}

#[tokio::test]
async fn read_tools_over_both_transports() {
    let h = start(&["--toolsets", "core,config,tekton"]).await;
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, None).await;
        pods_log_checks(&h, &c).await;
        pods_checks(&h, &c).await;
        cluster_checks(&h, &c).await;
        tekton_checks(&h, &c).await;
        c.cancel().await.unwrap();
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn yaml_list_output() {
    let h = start(&["--list-output", "yaml"]).await;
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let text = ok(
        &c,
        "pods_list_in_namespace",
        json!({"namespace": h.lab.namespace}),
    )
    .await;
    let items = yaml_body(&text);
    let expected: Vec<Value> = h
        .emu
        .list("v1", "Pod", Some(&h.lab.namespace))
        .into_iter()
        .map(without_managed_fields)
        .collect();
    let mut got = items.as_array().unwrap().clone();
    got.sort_by_key(|v| v["metadata"]["name"].as_str().unwrap().to_string());
    let mut exp = expected;
    exp.sort_by_key(|v| v["metadata"]["name"].as_str().unwrap().to_string());
    assert_eq!(got, exp);
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}
