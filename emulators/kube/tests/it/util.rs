//! Shared helpers: a served emulator with the lab seeded, and running kubectl against it
//! with a bounded time and a private discovery cache.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use axum::body::Body;
use emulator_support::tools::{Tool, require};
use http::{Request, StatusCode};
use kube_emulator::{KubeEmulator, KubeServeOptions, LabScenario, RunningKube};
use serde_json::Value;
use tower::ServiceExt;

/// An emulator served over HTTPS with the lab seeded for `user1`.
pub(super) struct Served {
    pub(super) emu: KubeEmulator,
    pub(super) lab: LabScenario,
    pub(super) running: RunningKube,
    pub(super) cache: PathBuf,
}

pub(super) async fn served_lab() -> Served {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let cache = running
        .kubeconfig_path()
        .parent()
        .unwrap()
        .join("kubectl-cache");
    Served {
        emu,
        lab,
        running,
        cache,
    }
}

/// The result of one kubectl run.
pub(super) struct Run {
    pub(super) ok: bool,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

impl Served {
    /// Runs kubectl with the emulator's kubeconfig (and optionally a different token).
    pub(super) async fn kubectl_as(
        &self,
        token: Option<&str>,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Run {
        let mut cmd = tokio::process::Command::new(require(Tool::Kubectl));
        cmd.arg("--kubeconfig")
            .arg(self.running.kubeconfig_path())
            .arg("--cache-dir")
            .arg(&self.cache);
        if let Some(t) = token {
            cmd.arg("--token").arg(t);
        }
        cmd.args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .stdin(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            use tokio::io::AsyncWriteExt;
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).await.unwrap();
            drop(pipe);
        } else {
            drop(child.stdin.take());
        }
        let out: Output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("kubectl timed out")
            .unwrap();
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs kubectl as admin and requires success.
    pub(super) async fn kubectl(&self, args: &[&str]) -> String {
        let run = self.kubectl_as(None, args, None).await;
        assert!(run.ok, "kubectl {args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// Runs kubectl as admin with stdin and requires success.
    pub(super) async fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> String {
        let run = self.kubectl_as(None, args, Some(stdin)).await;
        assert!(run.ok, "kubectl {args:?} failed: {}", run.stderr);
        run.stdout
    }
}

// === raw HTTP against the router in process ===

pub(super) async fn send(
    emu: &KubeEmulator,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = emu
        .router()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub(super) async fn json_of(
    emu: &KubeEmulator,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let (status, text) = send(emu, method, uri, headers, body).await;
    (
        status,
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {uri}: not JSON ({e}): {text}")),
    )
}

pub(super) const JSON: (&str, &str) = ("content-type", "application/json");

pub(super) fn reason(v: &Value) -> (&str, u64) {
    assert_eq!(v["kind"], "Status", "{v}");
    (v["reason"].as_str().unwrap(), v["code"].as_u64().unwrap())
}
