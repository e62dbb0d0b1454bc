//! `pods/exec` over WebSocket with kube-rs (HTTPS): scripted output on stdout/stderr and
//! the exit status, plus the errors for bad containers and missing commands.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use kube_emulator::{ExecResult, KubeEmulator, KubeServeOptions};
use tokio::io::AsyncReadExt;

async fn run(
    pods: &Api<Pod>,
    pod: &str,
    command: &[&str],
    container: Option<&str>,
) -> (
    String,
    String,
    Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>,
) {
    let mut params = AttachParams::default().stdout(true).stderr(true);
    if let Some(c) = container {
        params = params.container(c);
    }
    let mut proc = pods
        .exec(pod, command.iter().copied(), &params)
        .await
        .unwrap();
    let (mut out, mut err) = (String::new(), String::new());
    let mut stdout = proc.stdout().unwrap();
    let mut stderr = proc.stderr().unwrap();
    let status = proc.take_status().unwrap();
    let reads = async {
        stdout.read_to_string(&mut out).await.unwrap();
        stderr.read_to_string(&mut err).await.unwrap();
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), reads)
        .await
        .unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), status)
        .await
        .unwrap();
    (out, err, status)
}

#[tokio::test]
async fn exec_over_websocket_returns_scripted_output_and_status() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    emu.set_exec(
        "gitea-user1",
        "gitea-0",
        &["ls", "/data"],
        ExecResult {
            stdout: "gitea\nssh\n".into(),
            stderr: "warn: slow disk\n".into(),
            exit_code: 0,
        },
    );
    emu.set_exec(
        "gitea-user1",
        "gitea-0",
        &["sh", "-c", "exit 3"],
        ExecResult {
            exit_code: 3,
            ..ExecResult::default()
        },
    );
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let client = running.client().await.unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "gitea-user1");

    let (out, err, status) = run(&pods, "gitea-0", &["ls", "/data"], None).await;
    assert_eq!(
        (out.as_str(), err.as_str()),
        ("gitea\nssh\n", "warn: slow disk\n")
    );
    assert_eq!(status.unwrap().status.as_deref(), Some("Success"));
    let (out, _, _) = run(&pods, "gitea-0", &["echo", "hello", "lab"], Some("gitea")).await;
    assert_eq!(out, "hello lab\n");
    let (_, _, status) = run(&pods, "gitea-0", &["sh", "-c", "exit 3"], None).await;
    let status = status.unwrap();
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    assert_eq!(
        status.details.unwrap().causes.unwrap()[0]
            .message
            .as_deref(),
        Some("3")
    );
    let (_, _, status) = run(&pods, "gitea-0", &["nope"], None).await;
    assert!(
        status
            .unwrap()
            .message
            .unwrap()
            .contains("executable file not found")
    );

    // Errors before the upgrade are Status answers.
    let multi: Api<Pod> = Api::namespaced(client, &lab.namespace);
    let err = multi
        .exec(
            &lab.pod,
            ["ls"],
            &AttachParams::default().stdout(true).stderr(false),
        )
        .await
        .err()
        .unwrap();
    assert!(format!("{err:?}").contains("400"), "{err:?}");
}
