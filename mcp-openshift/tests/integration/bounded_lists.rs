//! Bounded list output (our extension): pages read with `limit`/`continue` add up to the
//! whole list, projections keep only the asked fields, summaries count what the emulator
//! holds, an answer over the byte budget is cut with a note, bad arguments are named; and the
//! server starts without any cluster, saying so on each call.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use super::util::{BOTH, Transport, call, connect, err, free_port, ok, start, wait_healthy};

const BIN: &str = env!("CARGO_BIN_EXE_kubernetes-mcp-server");

/// Seed `n` pods named `web-000…` in `ns`, every third one Failed.
fn seed_pods(emu: &kube_emulator::KubeEmulator, ns: &str, n: usize) {
    emu.apply_object(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
        .unwrap();
    for i in 0..n {
        let phase = if i % 3 == 0 { "Failed" } else { "Running" };
        emu.apply_object(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i:03}"), "namespace": ns, "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            "status": {"phase": phase}
        }))
        .unwrap();
    }
}

fn web_pods(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("web-"))
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn pages_add_up_to_the_whole_list_on_both_transports() {
    let h = start(&[]).await;
    seed_pods(&h.emu, "paged", 11);
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, None).await;
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut args = json!({"namespace": "paged", "limit": 4});
            if let Some(tok) = &token {
                args["continue"] = json!(tok);
            }
            let (is_err, text, structured) = call(&c, "pods_list_in_namespace", args).await;
            assert!(!is_err, "{text}");
            let page = web_pods(&text);
            assert!(page.len() <= 4, "{t:?} page of {}: {text}", page.len());
            seen.extend(page);
            pages += 1;
            assert!(pages <= 5, "{t:?}: paging does not end");
            match structured.as_ref().and_then(|s| s["continue"].as_str()) {
                Some(next) => {
                    assert!(text.contains(&format!("continue={next:?}")), "{text}");
                    token = Some(next.to_string());
                }
                None => break,
            }
        }
        assert_eq!(pages, 3, "{t:?}");
        let expected: Vec<String> = (0..11).map(|i| format!("web-{i:03}")).collect();
        assert_eq!(seen, expected, "{t:?}");
        // Without a limit the answer is upstream's whole table, with no note.
        let all = ok(&c, "pods_list_in_namespace", json!({"namespace": "paged"})).await;
        assert_eq!(web_pods(&all).len(), 11);
        assert!(!all.contains("More items"), "{all}");
    }
}

#[tokio::test]
async fn projection_and_summary_answer_with_less() {
    let h = start(&[]).await;
    seed_pods(&h.emu, "proj", 6);
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let (is_err, text, structured) = call(
        &c,
        "resources_list",
        json!({"apiVersion": "v1", "kind": "Pod", "namespace": "proj",
               "fields": ["metadata.name", "status.phase"]}),
    )
    .await;
    assert!(!is_err, "{text}");
    assert!(
        text.starts_with("# The following pods (YAML, projected) were found:"),
        "{text}"
    );
    let items = structured.unwrap()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 6);
    for i in &items {
        let keys: BTreeSet<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["metadata", "status"]), "{i}");
        assert_eq!(i["metadata"].as_object().unwrap().len(), 1, "{i}");
    }
    assert!(
        !text.contains("busybox"),
        "projection leaked the spec: {text}"
    );

    let (is_err, text, structured) = call(
        &c,
        "pods_list_in_namespace",
        json!({"namespace": "proj", "summary": true}),
    )
    .await;
    assert!(!is_err, "{text}");
    let s = structured.unwrap();
    assert_eq!(s["total"], 6);
    assert_eq!(s["byKind"], json!({"Pod": 6}));
    assert_eq!(s["byPhase"], json!({"Failed": 2, "Running": 4}));
    assert!(text.starts_with("# Summary of 6 pods (counts)"), "{text}");

    // Events and namespaces take the same arguments.
    let ns = ok(&c, "namespaces_list", json!({"fields": ["metadata.name"]})).await;
    assert!(ns.contains("name: proj"), "{ns}");
    assert!(!ns.contains("creationTimestamp"), "{ns}");
    let ev = ok(&c, "events_list", json!({"summary": true})).await;
    assert!(ev.starts_with("# Summary of "), "{ev}");
    assert!(ev.contains("Event:"), "{ev}");
}

#[tokio::test]
async fn an_answer_over_the_budget_is_cut_with_a_note() {
    let dir = std::env::temp_dir().join(format!("mcp-openshift-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("config.toml");
    std::fs::write(&toml, "max_list_output_bytes = 600\n").unwrap();
    let h = start(&["--config", toml.to_str().unwrap()]).await;
    seed_pods(&h.emu, "big", 40);
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let text = ok(&c, "pods_list_in_namespace", json!({"namespace": "big"})).await;
    let (body, note) = text.split_once("# Output cut at ").expect(&text);
    assert!(body.len() <= 600, "{} bytes kept", body.len());
    assert!(body.ends_with('\n'));
    assert!(
        note.contains("limit with continue") && note.contains("summary=true"),
        "{note}"
    );
    let shown = web_pods(body).len();
    assert!(shown > 0 && shown < 40, "{shown} rows shown");
    // Within the budget nothing is cut.
    let small = ok(
        &c,
        "pods_list_in_namespace",
        json!({"namespace": "big", "limit": 2}),
    )
    .await;
    assert!(!small.contains("Output cut"), "{small}");
    // A zero budget is refused at start, naming the key.
    std::fs::write(&toml, "max_list_output_bytes = 0\n").unwrap();
    let e = mcp_openshift::Config::from_args([
        "kubernetes-mcp-server",
        "--config",
        toml.to_str().unwrap(),
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("max_list_output_bytes"), "{e}");
}

#[tokio::test]
async fn bad_paging_arguments_are_named() {
    let h = start(&[]).await;
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    for (tool, args, expected) in [
        (
            "pods_list",
            json!({"limit": 0}),
            "failed to list pods in all namespaces: limit parameter must be between 1 and 5000, got 0",
        ),
        (
            "events_list",
            json!({"limit": "all"}),
            "limit parameter must be an integer: expected integer, got string",
        ),
        (
            "resources_list",
            json!({"apiVersion": "v1", "kind": "Pod", "fields": ["spec..x"]}),
            "fields parameter \"spec..x\" is not a dotted field path",
        ),
        (
            "namespaces_list",
            json!({"summary": 1}),
            "summary parameter must be a boolean",
        ),
        (
            "pods_list_in_namespace",
            json!({"namespace": "x", "fields": "metadata.name"}),
            "fields parameter must be an array of strings",
        ),
    ] {
        let e = err(&c, tool, args.clone()).await;
        assert!(e.contains(expected), "{tool} {args}: {e}");
    }
}

#[tokio::test]
async fn starts_without_a_cluster_and_says_why_on_each_call() {
    let home = std::env::temp_dir().join(format!("mcp-openshift-nohome-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let port = free_port();
    let mut child = tokio::process::Command::new(BIN)
        .args(["--port", &port.to_string(), "--bind-address", "127.0.0.1"])
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("KUBERNETES_SERVICE_PORT")
        .env("HOME", &home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_healthy(port, Duration::from_secs(20), "cluster-less server").await;
    let c = connect(
        &format!("http://127.0.0.1:{port}"),
        Transport::Streamable,
        None,
    )
    .await;
    let tools = c.list_all_tools().await.unwrap();
    assert!(
        tools.iter().any(|t| t.name == "pods_list"),
        "{} tools",
        tools.len()
    );
    for (tool, args) in [
        ("pods_list", json!({})),
        ("pods_get", json!({"name": "x", "namespace": "y"})),
    ] {
        let e = err(&c, tool, args).await;
        assert!(e.contains("no cluster is configured"), "{tool}: {e}");
        assert!(e.contains("--kubeconfig"), "{tool}: {e}");
    }
    drop(c);
    child.start_kill().unwrap();
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("starting without a cluster"), "{stderr}");
}
