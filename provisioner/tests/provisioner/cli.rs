//! The binary's input checks: bad usernames, unknown flags, missing credentials and bad
//! values files are refused with exit code 64 and a message naming the problem, before
//! any cluster object is created; `render` needs no cluster at all.

use std::process::{Command, Output};

use emulator_support::tools::{Tool, require};
use kube_emulator::{KubeEmulator, KubeServeOptions};

fn provisioner(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_provisioner"));
    cmd.env_clear()
        .args(args)
        .env("HELM_BIN", require(Tool::Helm));
    cmd.env(
        "PROVISIONER_CHARTS_DIR",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../charts"),
    );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `provision` for tenant u1/g1 with `extra` flags: the valid command each case spoils once.
fn provision_u1<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [
        &["provision", "--username", "u1", "--guid", "g1"][..],
        extra,
    ]
    .concat()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn bad_input_fails_with_64_before_anything_is_created() {
    let kube = KubeEmulator::new();
    let running = kube
        .serve(KubeServeOptions {
            tls: false,
            ..KubeServeOptions::default()
        })
        .await
        .unwrap();
    let before = kube.list("v1", "Namespace", None).len();
    let url = running.url();
    let token = running.admin_token().to_string();
    let cluster = [
        ("K8S_AUTH_HOST", url.as_str()),
        ("K8S_AUTH_API_KEY", token.as_str()),
    ];
    let full = [
        cluster[0],
        cluster[1],
        ("GITEA_URL", "http://127.0.0.1:9"),
        ("GITEA_ADMIN_PASSWORD", "pw"),
        ("LLM_URL", "http://127.0.0.1:9/v1"),
        ("LITELLM_MASTER_KEY", "sk-master"),
    ];
    let mut short_token = full.to_vec();
    short_token.push(("PROVISIONER_API_TOKEN", "short"));
    type Case<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)], &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![
                "provision",
                "--username",
                "Bad_User",
                "--guid",
                "g1",
                "--create-namespaces",
            ],
            &full,
            "--username",
        ),
        (provision_u1(&["--frobnicate"]), &full, "--frobnicate"),
        (
            provision_u1(&["--create-namespaces"]),
            &cluster,
            "GITEA_URL",
        ),
        (
            vec!["destroy", "--username", "u1", "--guid", "g1"],
            &full[..4],
            "LLM_URL",
        ),
        (
            provision_u1(&["--values", "/nonexistent.yaml"]),
            &full,
            "/nonexistent.yaml",
        ),
        (
            provision_u1(&["--charts-dir", "/tmp"]),
            &full,
            "--charts-dir",
        ),
        (vec!["serve", "--workers", "0"], &full, "--workers"),
        // The API may not listen beyond loopback without a bearer token, nor with a
        // guessable one.
        (
            vec!["serve", "--listen", "0.0.0.0:0"],
            &full,
            "PROVISIONER_API_TOKEN",
        ),
        (
            vec!["serve", "--listen", "127.0.0.1:0"],
            &short_token,
            "at least 16",
        ),
        // Usernames shadowing the cluster's namespaces.
        (
            vec!["provision", "--username", "monitoring", "--guid", "g1"],
            &full,
            "--username",
        ),
    ];
    for (args, env, needle) in cases {
        let out = provisioner(&args, env);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        let text = stderr(&out);
        for (_, secret) in full
            .iter()
            .filter(|(k, _)| k.contains("KEY") || k.contains("PASSWORD"))
        {
            assert!(!text.contains(secret), "{args:?} printed a secret");
        }
    }
    assert_eq!(
        kube.list("v1", "Namespace", None).len(),
        before,
        "something was created"
    );
    assert!(kube.list("v1", "Secret", None).is_empty());
}

#[test]
fn render_needs_no_cluster_and_prints_every_object() {
    let out = provisioner(
        &[
            "render",
            "--username",
            "u1",
            "--guid",
            "g1",
            "--mode",
            "direct",
            "--create-namespaces",
            "--domain",
            "apps.x",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
    for kind in [
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "AppProject",
        "Secret",
        "SecurityContextConstraints",
        "Deployment",
        "MCPServer",
        "Pipeline",
        "NetworkPolicy",
        "ConfigMap",
    ] {
        assert!(kinds.contains(&kind), "render lacks {kind}: {kinds:?}");
    }
    // Secret values are placeholders in render output, never generated secrets.
    for s in docs.iter().filter(|d| d["kind"] == "Secret") {
        for v in s["data"].as_object().unwrap().values() {
            let raw = base64_decode(v.as_str().unwrap());
            assert!(
                raw == "<generated at provision>" || !raw.starts_with("sk-"),
                "{raw}"
            );
        }
    }
    let boot = provisioner(&["render", "--username", "u1", "--guid", "g1"], &[]);
    let text = String::from_utf8(boot.stdout).unwrap();
    // Bootstrap mode: the child Applications, pinned to the tenant's project; no
    // app-of-apps and no rendered workload.
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
    assert!(!text.contains("bootstrap-tenant-u1"));
    assert!(docs.iter().all(|d| d["kind"] != "Deployment"), "{text}");
    let apps: Vec<_> = docs.iter().filter(|d| d["kind"] == "Application").collect();
    assert_eq!(apps.len(), 5, "{text}");
    for app in apps {
        assert_eq!(app["spec"]["project"], "appproject-u1");
    }
}

fn base64_decode(s: &str) -> String {
    use base64::Engine;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(s).unwrap()).unwrap()
}
