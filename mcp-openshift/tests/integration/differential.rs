//! Differential test: the upstream Go server 0.0.66 and ours on the same emulator (HTTPS,
//! same kubeconfig): equal tools/list contract for core+config (minus descriptions and our
//! documented pods_log extensions) and equivalent read outputs.

use std::process::Stdio;
use std::time::Duration;

use emulator_support::tools::{Tool, require};
use kube_emulator::{KubeEmulator, KubeServeOptions};
use serde_json::{Value, json};

use super::util::{
    Client, Transport, call, connect, free_port, start_with_kubeconfig, wait_healthy, yaml_body,
};

/// pods_log parameters we add on purpose (see the README).
const OUR_EXTENSIONS: &[&str] = &["sinceSeconds", "limitBytes", "grep"];
/// The list tools' paging, projection and summary parameters (see the README).
const LIST_EXTENSIONS: &[&str] = &["limit", "continue", "fields", "summary"];
const LIST_TOOLS: &[&str] = &[
    "resources_list",
    "pods_list",
    "pods_list_in_namespace",
    "events_list",
    "namespaces_list",
];

fn strip_descriptions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("description");
            m.values_mut().for_each(strip_descriptions);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_descriptions),
        _ => {}
    }
}

/// name -> {title, annotations, inputSchema without descriptions}
pub async fn contract(c: &Client) -> Vec<(String, Value)> {
    let tools = c.list_all_tools().await.unwrap();
    let mut out: Vec<(String, Value)> = tools
        .iter()
        .map(|t| {
            let mut v = serde_json::to_value(t).unwrap();
            let mut schema = v["inputSchema"].take();
            strip_descriptions(&mut schema);
            let ours: &[&str] = match t.name.as_ref() {
                "pods_log" => OUR_EXTENSIONS,
                n if LIST_TOOLS.contains(&n) => LIST_EXTENSIONS,
                _ => &[],
            };
            for p in ours {
                schema["properties"].as_object_mut().unwrap().remove(*p);
            }
            (t.name.to_string(), json!({"title": v["title"], "annotations": v["annotations"], "inputSchema": schema}))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Table rows with the AGE-like cells (`12s`, `3m`, …) normalised: both servers read the same
/// objects a few milliseconds apart.
fn table_cells(text: &str) -> Vec<Vec<String>> {
    let age = regex::Regex::new(r"^\d+[smhd]$").unwrap();
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .map(|c| {
                    if age.is_match(c) {
                        "<age>".to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn same_contract_and_equivalent_reads_as_upstream_0_0_66() {
    let Some(upstream_bin) = Tool::UpstreamKubernetesMcpServer.find() else {
        // `.ci/run` installs it; without it this comparison cannot run.
        eprintln!("upstream kubernetes-mcp-server not installed; run scripts/install-tools");
        let _ = require(Tool::UpstreamKubernetesMcpServer);
        return;
    };
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let kubeconfig = running.kubeconfig_path().to_str().unwrap().to_string();
    let port = free_port();
    let _child = tokio::process::Command::new(upstream_bin)
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--disable-multi-cluster",
            "--kubeconfig",
            &kubeconfig,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_healthy(port, Duration::from_secs(30), "upstream").await;
    let ours_server = start_with_kubeconfig(&running, &[]).await;
    let theirs = connect(
        &format!("http://127.0.0.1:{port}"),
        Transport::Streamable,
        None,
    )
    .await;
    let ours = connect(&ours_server.base_url(), Transport::Streamable, None).await;

    let (a, b) = (contract(&theirs).await, contract(&ours).await);
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, t), (_, o)) in a.iter().zip(b.iter()) {
        assert_eq!(t, o, "contract of {name} differs");
    }

    let ns = lab.namespace.as_str();
    let both = |name: &'static str, args: Value| {
        let (theirs, ours) = (&theirs, &ours);
        async move {
            let t = call(theirs, name, args.clone()).await;
            let o = call(ours, name, args.clone()).await;
            assert_eq!(
                t.0, o.0,
                "{name} {args}: error flags differ: {} / {}",
                t.1, o.1
            );
            (t.1, o.1)
        }
    };
    for args in [
        json!({"namespace": ns}),
        json!({"namespace": ns, "labelSelector": "tekton.dev/pipelineTask=build"}),
    ] {
        let (t, o) = both("pods_list_in_namespace", args).await;
        assert_eq!(t.lines().next(), o.lines().next(), "table header");
        assert_eq!(table_cells(&t), table_cells(&o));
    }
    let (t, o) = both("pods_list", json!({})).await;
    assert_eq!(table_cells(&t), table_cells(&o));
    let (t, o) = both("namespaces_list", json!({})).await;
    assert_eq!(table_cells(&t), table_cells(&o));
    let (t, o) = both(
        "resources_list",
        json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "namespace": ns}),
    )
    .await;
    assert_eq!(table_cells(&t), table_cells(&o));
    let (t, o) = both("pods_get", json!({"name": lab.pod, "namespace": ns})).await;
    assert_eq!(yaml_body(&t), yaml_body(&o));
    let (t, o) = both("resources_get", json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "name": lab.pipeline_run, "namespace": ns})).await;
    assert_eq!(yaml_body(&t), yaml_body(&o));
    let (t, o) = both(
        "pods_log",
        json!({"name": lab.pod, "namespace": ns, "container": "step-build"}),
    )
    .await;
    assert_eq!(t, o);
    let (t, o) = both("events_list", json!({"namespace": ns})).await;
    assert_eq!(t.lines().next(), o.lines().next());
    let sorted = |s: &str| {
        let mut v = yaml_body(s).as_array().unwrap().clone();
        v.sort_by_key(|e| e.to_string());
        v
    };
    assert_eq!(sorted(&t), sorted(&o));
    let (t, o) = both("pods_get", json!({"name": "missing", "namespace": ns})).await;
    assert_eq!(t, o);
    theirs.cancel().await.unwrap();
    ours.cancel().await.unwrap();

    // Legacy SSE: both announce `/sse?sessionid=…` (asserted by the client) and answer alike.
    let theirs = connect(&format!("http://127.0.0.1:{port}"), Transport::Sse, None).await;
    let ours = connect(&ours_server.base_url(), Transport::Sse, None).await;
    assert_eq!(contract(&theirs).await, contract(&ours).await);
    let args = json!({"name": lab.pod, "namespace": ns, "container": "step-build", "tail": 3});
    assert_eq!(
        call(&theirs, "pods_log", args.clone()).await.1,
        call(&ours, "pods_log", args).await.1
    );
    theirs.cancel().await.unwrap();
    ours.cancel().await.unwrap();
    ours_server.shutdown().await;
}
