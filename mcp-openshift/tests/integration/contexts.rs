//! Several clusters from one server: a kubeconfig with two contexts, each on its own emulator.
//! Tools take `context`, `configuration_contexts_list` names them, an unknown or disallowed
//! context is refused by name, `allowed_contexts` narrows them, and the tools/list contract in
//! this mode equals upstream's (when its binary is installed).

use std::process::Stdio;
use std::time::Duration;

use emulator_support::tools::Tool as ExternalTool;
use kube_emulator::{KubeEmulator, KubeServeOptions, RunningKube};
use mcp_openshift::{Cluster, Config};
use serde_json::{Value, json};

use super::util::{Transport, call, connect, err, free_port, ok, tool_names, wait_healthy};

/// A kubeconfig (JSON, which is YAML) with context `alpha` on `a` (current) and `beta` on `b`.
fn two_contexts(a: &RunningKube, b: &RunningKube, dir: &std::path::Path) -> std::path::PathBuf {
    let read = |k: &RunningKube| -> Value {
        let text = std::fs::read_to_string(k.kubeconfig_path()).unwrap();
        serde_saphyr::from_str(&text).unwrap()
    };
    let (ka, kb) = (read(a), read(b));
    let entry = |k: &Value, section: &str, name: &str| {
        let mut e = k[section][0].clone();
        e["name"] = json!(name);
        e
    };
    let ctx = |name: &str| json!({"name": name, "context": {"cluster": format!("c-{name}"), "user": format!("u-{name}")}});
    let merged = json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "alpha",
        "clusters": [entry(&ka, "clusters", "c-alpha"), entry(&kb, "clusters", "c-beta")],
        "users": [entry(&ka, "users", "u-alpha"), entry(&kb, "users", "u-beta")],
        "contexts": [ctx("alpha"), ctx("beta")],
    });
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("kubeconfig");
    std::fs::write(&path, serde_json::to_string_pretty(&merged).unwrap()).unwrap();
    path
}

struct Two {
    _a: RunningKube,
    _b: RunningKube,
    kubeconfig: std::path::PathBuf,
    ns_a: String,
    ns_b: String,
}

async fn two_clusters(tag: &str) -> Two {
    let (ea, eb) = (KubeEmulator::new(), KubeEmulator::new());
    let (la, lb) = (ea.seed_lab("alice"), eb.seed_lab("bob"));
    let a = ea.serve(KubeServeOptions::default()).await.unwrap();
    let b = eb.serve(KubeServeOptions::default()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("mcp-os-contexts-{tag}-{}", std::process::id()));
    let kubeconfig = two_contexts(&a, &b, &dir);
    Two {
        _a: a,
        _b: b,
        kubeconfig,
        ns_a: la.namespace,
        ns_b: lb.namespace,
    }
}

async fn ours(two: &Two, extra: &[&str]) -> mcp_openshift::http::RunningHttp {
    let path = two.kubeconfig.to_str().unwrap().to_string();
    let mut args = vec![
        "kubernetes-mcp-server",
        "--port",
        "0",
        "--bind-address",
        "127.0.0.1",
        "--kubeconfig",
        path.as_str(),
    ];
    args.extend_from_slice(extra);
    let config = Config::from_args(args).unwrap();
    let cluster = Cluster::from_config(&config).await.unwrap();
    mcp_openshift::start_http(&config, cluster).await.unwrap()
}

#[tokio::test]
async fn tools_reach_the_context_they_name() {
    let two = two_clusters("reach").await;
    let server = ours(&two, &[]).await;
    let c = connect(&server.base_url(), Transport::Streamable, None).await;
    let names = tool_names(&c).await;
    assert_eq!(names.len(), 21, "{names:?}");
    assert!(names.iter().any(|n| n == "configuration_contexts_list"));
    let tools = c.list_all_tools().await.unwrap();
    for t in &tools {
        let has = t.input_schema["properties"].get("context").is_some();
        let expected = !t.name.starts_with("configuration_");
        assert_eq!(has, expected, "{}: context parameter", t.name);
    }

    let (is_err, text, structured) = call(&c, "configuration_contexts_list", json!({})).await;
    assert!(!is_err, "{text}");
    assert!(
        text.starts_with("Available Kubernetes contexts (2 total, default: alpha):"),
        "{text}"
    );
    assert!(text.contains("* alpha -> https://127.0.0.1:"), "{text}");
    assert!(text.contains("  beta -> https://127.0.0.1:"), "{text}");
    let s = structured.unwrap();
    assert_eq!(s["defaultContext"], "alpha");
    assert_eq!(s["contexts"].as_array().unwrap().len(), 2);

    let default = ok(&c, "namespaces_list", json!({})).await;
    assert!(
        default.contains(&two.ns_a) && !default.contains(&two.ns_b),
        "{default}"
    );
    let beta = ok(&c, "namespaces_list", json!({"context": "beta"})).await;
    assert!(
        beta.contains(&two.ns_b) && !beta.contains(&two.ns_a),
        "{beta}"
    );
    let alpha = ok(
        &c,
        "pods_list_in_namespace",
        json!({"namespace": two.ns_a, "context": "alpha"}),
    )
    .await;
    assert!(alpha.contains("Pod"), "{alpha}");

    let e = err(&c, "pods_list", json!({"context": "nope"})).await;
    assert_eq!(
        e,
        "failed to pods_list: unknown context \"nope\"; the contexts are: alpha, beta"
    );
    let e = err(&c, "pods_list", json!({"context": 7})).await;
    assert!(e.contains("context parameter must be a string"), "{e}");
}

#[tokio::test]
async fn allowed_contexts_narrows_what_a_caller_can_reach() {
    let two = two_clusters("allow").await;
    let server = ours(&two, &["--allowed-contexts", "alpha"]).await;
    let c = connect(&server.base_url(), Transport::Streamable, None).await;
    // One context left: upstream's single-context catalog, no context parameter.
    let names = tool_names(&c).await;
    assert_eq!(names.len(), 20, "{names:?}");
    // Naming the other context is refused, not silently answered from the default one.
    let e = err(&c, "namespaces_list", json!({"context": "beta"})).await;
    assert!(
        e.contains("unknown context \"beta\"; the contexts are: alpha"),
        "{e}"
    );
    // `--disable-multi-cluster` (upstream's flag) keeps only the current context.
    let single = ours(&two, &["--disable-multi-cluster"]).await;
    let c = connect(&single.base_url(), Transport::Streamable, None).await;
    assert_eq!(tool_names(&c).await.len(), 20);
    let e = err(&c, "namespaces_list", json!({"context": "beta"})).await;
    assert!(e.contains("unknown context \"beta\""), "{e}");
    // A context the kubeconfig lacks, or leaving out the current one, is a start-up error.
    let path = two.kubeconfig.to_str().unwrap().to_string();
    for (allowed, expected) in [
        ("alpha,gamma", "names \"gamma\", which is not a context"),
        ("beta", "does not include the current context \"alpha\""),
    ] {
        let config = Config::from_args([
            "kubernetes-mcp-server",
            "--kubeconfig",
            path.as_str(),
            "--allowed-contexts",
            allowed,
        ])
        .unwrap();
        let e = Cluster::from_config(&config)
            .await
            .err()
            .expect(allowed)
            .to_string();
        assert!(e.contains(expected), "{allowed}: {e}");
    }
}

#[tokio::test]
async fn multi_context_contract_equals_upstream() {
    let Some(upstream_bin) = ExternalTool::UpstreamKubernetesMcpServer.find() else {
        eprintln!("upstream kubernetes-mcp-server not installed; run scripts/install-tools");
        let _ = emulator_support::tools::require(ExternalTool::UpstreamKubernetesMcpServer);
        return;
    };
    let two = two_clusters("upstream").await;
    let port = free_port();
    let _child = tokio::process::Command::new(upstream_bin)
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--kubeconfig",
        ])
        .arg(&two.kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_healthy(port, Duration::from_secs(30), "upstream").await;
    let server = ours(&two, &[]).await;
    let theirs = connect(
        &format!("http://127.0.0.1:{port}"),
        Transport::Streamable,
        None,
    )
    .await;
    let ours = connect(&server.base_url(), Transport::Streamable, None).await;
    let (a, b) = (
        super::differential::contract(&theirs).await,
        super::differential::contract(&ours).await,
    );
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, t), (_, o)) in a.iter().zip(b.iter()) {
        assert_eq!(t, o, "multi-context contract of {name} differs");
    }
    // Both answer the same context the same way.
    let t = call(&theirs, "namespaces_list", json!({"context": "beta"})).await;
    let o = call(&ours, "namespaces_list", json!({"context": "beta"})).await;
    assert!(!t.0 && !o.0, "{t:?} / {o:?}");
    assert!(t.1.contains(&two.ns_b) && o.1.contains(&two.ns_b));
}
