//! `pods_exec` end to end: rmcp clients (streamable HTTP and legacy SSE) → our server → the
//! Kubernetes emulator served over HTTPS (exec needs a real WebSocket upgrade), with scripted
//! command results.

use kube_emulator::{
    ContainerFixture, ContainerState, ExecResult, KubeEmulator, KubeServeOptions, PodFixture,
    RunningKube,
};
use mcp_openshift::http::RunningHttp;
use serde_json::json;

use super::util::{BOTH, Transport, connect, err, ok, start_with_kubeconfig, tool_names};

struct Exec {
    emu: KubeEmulator,
    _kube: RunningKube,
    server: RunningHttp,
}

/// Namespace `team` with a one-container pod `api-0`, a two-container pod `web-0`, the same
/// with a default-container annotation (`web-1`) and a completed pod `job-0`; our server with
/// `flags` in front of the emulator served on loopback.
async fn start(flags: &[&str]) -> Exec {
    let emu = KubeEmulator::new();
    emu.add_namespace("team").unwrap();
    emu.add_pod(
        &PodFixture::new("team", "api-0")
            .container(ContainerFixture::new("api", "quay.io/x/api:1")),
    )
    .unwrap();
    for (name, annotated) in [("web-0", false), ("web-1", true)] {
        let mut pod = PodFixture::new("team", name)
            .container(ContainerFixture::new("app", "quay.io/x/web:1"))
            .container(ContainerFixture::new("proxy", "quay.io/x/proxy:1"));
        if annotated {
            pod = pod.annotation("kubectl.kubernetes.io/default-container", "proxy");
        }
        emu.add_pod(&pod).unwrap();
    }
    emu.add_pod(&PodFixture::new("team", "job-0").container(
        ContainerFixture::new("job", "quay.io/x/job:1").state(ContainerState::completed()),
    ))
    .unwrap();
    let kube = emu.serve(KubeServeOptions::default()).await.unwrap();
    let server = start_with_kubeconfig(&kube, flags).await;
    Exec {
        emu,
        _kube: kube,
        server,
    }
}

#[tokio::test]
async fn exec_output_and_failures_over_both_transports() {
    let h = start(&[]).await;
    h.emu.set_exec(
        "team",
        "api-0",
        &["cat", "/etc/config"],
        ExecResult::ok("a=b\nc=d\n"),
    );
    h.emu.set_exec(
        "team",
        "api-0",
        &["ls", "/nope"],
        ExecResult {
            stdout: String::new(),
            stderr: "ls: cannot access '/nope': No such file or directory\n".into(),
            exit_code: 2,
        },
    );
    h.emu.set_exec(
        "team",
        "api-0",
        &["sh", "-c", "warn"],
        ExecResult {
            stdout: "done\n".into(),
            stderr: "warning: x\n".into(),
            exit_code: 0,
        },
    );
    for t in BOTH {
        let c = connect(&h.server.base_url(), t, None).await;
        let exec = |name: &str, command: &[&str]| json!({"name": name, "namespace": "team", "command": command});

        // Success: stdout as is (upstream's format).
        let out = ok(&c, "pods_exec", exec("api-0", &["cat", "/etc/config"])).await;
        assert_eq!(out, "a=b\nc=d\n", "{t:?}");
        let out = ok(&c, "pods_exec", exec("api-0", &["echo", "hello", "world"])).await;
        assert_eq!(out, "hello world\n");
        // No output at all: upstream's sentence.
        let out = ok(&c, "pods_exec", exec("api-0", &["true"])).await;
        assert_eq!(
            out,
            "The executed command in pod api-0 in namespace team has not produced any output"
        );
        // Both streams (ours keeps stderr too).
        let out = ok(&c, "pods_exec", exec("api-0", &["sh", "-c", "warn"])).await;
        assert_eq!(out, "done\n\n--- stderr ---\nwarning: x\n");

        // Non-zero exit: an error with upstream's text, then what the command printed.
        let e = err(&c, "pods_exec", exec("api-0", &["ls", "/nope"])).await;
        assert_eq!(
            e,
            "failed to exec in pod api-0 in namespace team: command terminated with exit code 2\n\
             ls: cannot access '/nope': No such file or directory\n"
        );
        let e = err(&c, "pods_exec", exec("api-0", &["false"])).await;
        assert_eq!(
            e,
            "failed to exec in pod api-0 in namespace team: command terminated with exit code 1"
        );
        // A command that does not exist: the API server's Status message.
        let e = err(&c, "pods_exec", exec("api-0", &["nosuch"])).await;
        assert_eq!(
            e,
            "failed to exec in pod api-0 in namespace team: Internal error occurred: error executing \
             command in container: exec: \"nosuch\": executable file not found in $PATH"
        );

        // Missing pod: NotFound from the pod GET.
        let e = err(&c, "pods_exec", exec("ghost", &["true"])).await;
        assert!(
            e.starts_with("failed to exec in pod ghost in namespace team: ")
                && e.contains("pods \"ghost\" not found"),
            "{e}"
        );
        // Completed pod: refused before any exec, as upstream.
        let e = err(&c, "pods_exec", exec("job-0", &["true"])).await;
        assert_eq!(
            e,
            "failed to exec in pod job-0 in namespace team: cannot exec into a container in a \
             completed pod; current phase is Succeeded"
        );
        c.cancel().await.unwrap();
    }
    h.server.shutdown().await;
}

#[tokio::test]
async fn exec_container_choice_in_multi_container_pods() {
    let h = start(&[]).await;
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    // No container and no default-container annotation: an error naming the containers
    // (upstream silently takes the first one; see the README).
    let e = err(
        &c,
        "pods_exec",
        json!({"name": "web-0", "namespace": "team", "command": ["hostname"]}),
    )
    .await;
    assert_eq!(
        e,
        "failed to exec in pod web-0 in namespace team: the pod has 2 containers and none was \
         named; choose one with the container parameter: app, proxy"
    );
    // An explicit container works; an unknown one is the API server's BadRequest.
    let out = ok(
        &c,
        "pods_exec",
        json!({"name": "web-0", "namespace": "team", "command": ["hostname"], "container": "proxy"}),
    )
    .await;
    assert_eq!(out, "web-0\n");
    let e = err(
        &c,
        "pods_exec",
        json!({"name": "web-0", "namespace": "team", "command": ["true"], "container": "db"}),
    )
    .await;
    assert!(
        e.starts_with("failed to exec in pod web-0 in namespace team: ")
            && e.contains("container db is not valid for pod web-0"),
        "{e}"
    );
    // The annotation picks the container (the emulator checks the container exists).
    let out = ok(
        &c,
        "pods_exec",
        json!({"name": "web-1", "namespace": "team", "command": ["hostname"]}),
    )
    .await;
    assert_eq!(out, "web-1\n");
    let execs: Vec<String> = h
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/pods/web-1/exec"))
        .map(|r| r.query)
        .collect();
    assert!(
        execs.iter().any(|r| r.contains("container=proxy")),
        "{execs:?}"
    );
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

/// Upstream (§2, measured): `--read-only` drops pods_exec (no readOnlyHint) and so does
/// `--disable-destructive` (pods_exec carries destructiveHint); a call then is `unknown tool`.
#[tokio::test]
async fn exec_is_filtered_by_read_only_and_disable_destructive() {
    for flag in ["--read-only", "--disable-destructive"] {
        let h = start(&[flag]).await;
        for t in BOTH {
            let c = connect(&h.server.base_url(), t, None).await;
            let names = tool_names(&c).await;
            assert!(
                !names.contains(&"pods_exec".to_string()),
                "{flag}: {names:?}"
            );
            assert!(names.contains(&"pods_log".to_string()), "{flag}: {names:?}");
            let e = c
                .call_tool(
                    rmcp::model::CallToolRequestParams::new("pods_exec").with_arguments(
                        json!({"name": "api-0", "namespace": "team", "command": ["true"]})
                            .as_object()
                            .cloned()
                            .unwrap(),
                    ),
                )
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains("unknown tool \"pods_exec\""), "{flag}: {e}");
            c.cancel().await.unwrap();
        }
        // Nothing reached the exec endpoint.
        assert!(
            !h.emu.requests().iter().any(|r| r.path.ends_with("/exec")),
            "{flag}"
        );
        h.server.shutdown().await;
    }
    // Without the flags it is listed and runs.
    let h = start(&[]).await;
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    assert!(tool_names(&c).await.contains(&"pods_exec".to_string()));
    let out = ok(
        &c,
        "pods_exec",
        json!({"name": "api-0", "namespace": "team", "command": ["echo", "hi"]}),
    )
    .await;
    assert_eq!(out, "hi\n");
    c.cancel().await.unwrap();
    h.server.shutdown().await;
}

/// A command that prints far more than a model can use (or the server should hold) gets
/// its output cut at the cap, with a note saying how much was dropped.
#[tokio::test]
async fn oversized_exec_output_is_cut_while_it_is_read() {
    let h = start(&[]).await;
    let huge = "0123456789abcdef\n".repeat(128 * 1024); // 2 MiB
    h.emu.set_exec(
        "team",
        "api-0",
        &["cat", "/var/log/huge"],
        ExecResult {
            stdout: huge.clone(),
            stderr: "warning\n".into(),
            exit_code: 0,
        },
    );
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let text = ok(
        &c,
        "pods_exec",
        json!({"name": "api-0", "namespace": "team", "command": ["cat", "/var/log/huge"]}),
    )
    .await;
    let cap = mcp_openshift::config::OutputLimits::EXEC_OUTPUT_BYTES;
    let note = format!(
        "# [output truncated: the first {cap} bytes are shown, {} more bytes were dropped]\n",
        huge.len() - cap
    );
    assert!(
        text.contains(&note),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );
    assert!(text.starts_with(&huge[..cap]));
    assert!(text.ends_with("--- stderr ---\nwarning\n"));
    assert!(text.len() < cap + 1024, "{}", text.len());
}
