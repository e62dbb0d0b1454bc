//! `testbed up --only kube --seed lab --env-file F`: the command starts the emulator,
//! writes a dotenv file once ready, and kubectl can use the kubeconfig it names.

use std::process::Stdio;
use std::time::Duration;

use testbed::tools::{Tool, require};

#[tokio::test]
async fn up_writes_an_env_file_kubectl_can_use() {
    let dir = std::env::temp_dir().join(format!("testbed-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let env_file = dir.join("kube.env");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_testbed"))
        .args(["up", "--only", "kube", "--seed", "lab", "--env-file"])
        .arg(&env_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !env_file.exists() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no env file after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = std::fs::read_to_string(&env_file).unwrap();
    let var = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k} missing:\n{text}"))
            .to_string()
    };
    let kubeconfig = var("KUBECONFIG");
    assert!(var("KUBE_API_URL").starts_with("https://127.0.0.1:"));
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(require(Tool::Kubectl))
            .args(["--kubeconfig", &kubeconfig, "--cache-dir"])
            .arg(dir.join("cache"))
            .args(["get", "pipelineruns", "-n", "agent-user1"])
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("build-agent-7xk2p") && stdout.contains("Failed"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Ctrl-C stops it cleanly.
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        !std::path::Path::new(&kubeconfig).exists(),
        "the temporary kubeconfig is removed on exit"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn up_refuses_emulators_it_does_not_have() {
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::process::Command::new(env!("CARGO_BIN_EXE_testbed"))
            .args(["up", "--only", "nope"])
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'nope'"));
}
