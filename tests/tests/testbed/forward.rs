//! `testbed forward --to URL`, the benchmark's bare forwarding proxy as a process of its own
//! (`testbed::bench::forward::spawn_process`): it hands back Gitea's status and bytes
//! untouched, for reads, writes and errors alike, and it stops when its parent goes.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use testbed::bench::forward::{LISTENING, spawn_process};
use testbed::gitea::GiteaEmulator;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const TESTBED: &str = env!("CARGO_BIN_EXE_testbed");

#[tokio::test]
async fn the_forwarder_process_passes_status_and_bytes_through() {
    let emulator = GiteaEmulator::new();
    let lab = emulator.seed_lab("user1");
    let gitea = emulator.serve(0).await.expect("the Gitea emulator serves");
    let forwarder = spawn_process(TESTBED.as_ref(), &gitea.base_url())
        .await
        .expect("the forwarder process starts");
    let http = reqwest::Client::new();
    let auth = format!("token {}", lab.user_token);
    let path = "/api/v1/repos/user1/mcp/issues";

    let created = http
        .post(format!("{}{path}", forwarder.url))
        .header("authorization", &auth)
        .json(&json!({"title": "through the forwarder", "body": "x"}))
        .send()
        .await
        .expect("a create through the forwarder");
    assert_eq!(created.status(), 201);

    let list = |root: String| {
        let request = http
            .get(format!("{root}{path}?state=open&limit=30"))
            .header("authorization", &auth);
        async move {
            let answer = request.send().await.expect("a list");
            (
                answer.status(),
                answer.bytes().await.expect("the list's body"),
            )
        }
    };
    let (direct, forwarded) = (
        list(gitea.base_url()).await,
        list(forwarder.url.clone()).await,
    );
    assert_eq!(direct.0, 200);
    assert_eq!(
        forwarded, direct,
        "the same status and bytes as the direct call"
    );
    assert!(
        String::from_utf8_lossy(&forwarded.1).contains("through the forwarder"),
        "the issue created through the forwarder is in Gitea"
    );

    let missing = http
        .get(format!("{}/api/v1/repos/user1/no-such-repo", forwarder.url))
        .header("authorization", &auth)
        .send()
        .await
        .expect("a request for a missing repository");
    assert_eq!(missing.status(), 404, "Gitea's error status passes through");
}

#[tokio::test]
async fn the_forwarder_stops_when_its_stdin_closes() {
    let mut child = Command::new(TESTBED)
        .args(["forward", "--to", "http://127.0.0.1:9"])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("testbed forward starts");
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .expect("a line on stdout")
        .expect("the URL line");
    assert!(first.starts_with(LISTENING), "{first}");
    // Input is not a stop signal: only the end of stdin is.
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(b"a line\n")
        .await
        .expect("writing to its stdin");
    stdin.flush().await.expect("flushing its stdin");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        child.try_wait().expect("its status").is_none(),
        "a line on stdin stopped the forwarder"
    );
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the forwarder exits once stdin closes")
        .expect("its exit status");
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn a_program_that_prints_no_url_is_an_error() {
    let err = spawn_process("/bin/true".as_ref(), "http://127.0.0.1:9")
        .await
        .expect_err("`true` prints no URL");
    assert!(
        format!("{err:#}").contains("without printing its URL"),
        "{err:#}"
    );
}
