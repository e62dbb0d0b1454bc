//! N Tenants at once through the operator, and the same N orders through the old
//! in-process worker pool (`serve --worker-pool`), side by side against the emulators:
//! time to all Ready, p50/p95 per tenant, the process's peak RSS and CPU time, Kubernetes
//! API calls per tenant, then N deleted at once: time to nothing left.
//!
//! `cargo bench -p provisioner --bench operator` (N = `BENCH_TENANTS`, default 10;
//! `BENCH_TENANTS=200` for the documented figures). Both run as child processes of the
//! real binary, so RSS and CPU are theirs alone; the emulators run in this process.
#![allow(clippy::unwrap_used)] // a bench: a failure aborts the run

#[allow(dead_code)]
#[path = "../tests/provisioner/operator/harness.rs"]
mod harness;
#[path = "operator_tenants.rs"]
mod tenants;
#[allow(unused_imports)]
use tenants::lab;

use std::process::Stdio;
use std::time::{Duration, Instant};

use emulator_support::tools::{Tool, require};
use kube_emulator::KubeServeOptions;
use serde_json::json;

use harness::{OpLab, phase_of};

struct Figures {
    all_ready: Duration,
    per_tenant: Vec<Duration>,
    all_gone: Duration,
    rss_kib: u64,
    cpu: Duration,
    calls: usize,
    errors: usize,
}

fn proc_stats(pid: u32) -> (u64, Duration) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    (hwm, Duration::from_millis(ticks * 10))
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn env_for(op: &OpLab, kube_url: &str, token: &str) -> Vec<(String, String)> {
    [
        ("K8S_AUTH_HOST", kube_url.to_string()),
        ("K8S_AUTH_API_KEY", token.to_string()),
        ("K8S_AUTH_VERIFY_SSL", "false".into()),
        ("HELM_BIN", require(Tool::Helm).display().to_string()),
        (
            "PROVISIONER_CHARTS_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../charts").into(),
        ),
        ("GITEA_URL", op.lab.gitea_srv.base_url()),
        ("GITEA_ADMIN_USER", gitea_emulator::ADMIN_USER.into()),
        (
            "GITEA_ADMIN_PASSWORD",
            gitea_emulator::ADMIN_PASSWORD.into(),
        ),
        ("LLM_URL", op.lab.llm_srv.base_url()),
        ("LITELLM_MASTER_KEY", "sk-master".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("b{i:03}")).collect()
}

async fn operator_run(n: usize) -> Figures {
    let op = OpLab::start().await;
    let kube = op
        .lab
        .kube
        .serve(KubeServeOptions {
            port: 0,
            tls: true,
            dir: None,
        })
        .await
        .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_provisioner"))
        .env_clear()
        .envs(env_for(&op, &kube.url(), kube.admin_token()))
        .args([
            "operator",
            "--metrics-listen",
            "off",
            "--poll-seconds",
            "0.2",
            "--retry-seconds",
            "0.5",
        ])
        .args([
            "--concurrency",
            "16",
            "--gitea-rate",
            "0",
            "--llm-rate",
            "0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = op.lab.kube.requests().len();
    let names = names(n);
    let start = Instant::now();
    futures::future::join_all(names.iter().map(|u| op.create(u, json!({})))).await;
    let mut ready: Vec<Option<Duration>> = vec![None; n];
    let mut polls = 0;
    while ready.iter().any(Option::is_none) {
        let list = op.tenants().list(&Default::default()).await.unwrap();
        polls += 1;
        for t in &list.items {
            if let Some(i) = names
                .iter()
                .position(|u| Some(u.as_str()) == t.metadata.name.as_deref())
                && ready[i].is_none()
                && phase_of(Some(t)) == Some("Ready")
            {
                ready[i] = Some(start.elapsed());
            }
        }
        assert!(start.elapsed() < Duration::from_secs(1800), "not all Ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all_ready = start.elapsed();
    let start = Instant::now();
    futures::future::join_all(names.iter().map(|u| op.delete(u))).await;
    loop {
        let list = op.tenants().list(&Default::default()).await.unwrap();
        polls += 1;
        if list.items.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all_gone = start.elapsed();
    // The bench's own creates, deletes and list polls are not the operator's.
    let calls = op.lab.kube.requests().len() - before - polls - 2 * n;
    let (rss_kib, cpu) = proc_stats(pid);
    child.kill().await.unwrap();
    let mut per_tenant: Vec<Duration> = ready.into_iter().flatten().collect();
    per_tenant.sort();
    Figures {
        all_ready,
        per_tenant,
        all_gone,
        rss_kib,
        cpu,
        calls,
        errors: 0,
    }
}

async fn pool_run(n: usize) -> Figures {
    let op = OpLab::start().await;
    let kube = op
        .lab
        .kube
        .serve(KubeServeOptions {
            port: 0,
            tls: true,
            dir: None,
        })
        .await
        .unwrap();
    let values = std::env::temp_dir().join(format!("bench-values-{}.yaml", std::process::id()));
    std::fs::write(
        &values,
        format!(
            "repoSource: {}\ncreateNamespaces: true\nmodels: [local]\nagentModel: local\nwaitSeconds: 600\npollMillis: 200\n",
            op.lab.settings().repo_source
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_provisioner"))
        .env_clear()
        .envs(env_for(&op, &kube.url(), kube.admin_token()))
        .args([
            "serve",
            "--worker-pool",
            "--workers",
            "16",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--values", values.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = op.lab.kube.requests().len();
    let names = names(n);
    let start = Instant::now();
    futures::future::join_all(names.iter().map(|u| {
        http.post(format!("{base}/tenants"))
            .json(&json!({"username": u, "guid": format!("g{u}")}))
            .send()
    }))
    .await;
    let (ready, errors) = wait_pool(&http, &base, &names, "ready", start).await;
    let all_ready = start.elapsed();
    let start = Instant::now();
    futures::future::join_all(
        names
            .iter()
            .map(|u| http.delete(format!("{base}/tenants/{u}?guid=g{u}")).send()),
    )
    .await;
    let (_, _) = wait_pool(&http, &base, &names, "destroyed", start).await;
    let all_gone = start.elapsed();
    let calls = op.lab.kube.requests().len() - before;
    let (rss_kib, cpu) = proc_stats(pid);
    child.kill().await.unwrap();
    let mut per_tenant = ready;
    per_tenant.sort();
    Figures {
        all_ready,
        per_tenant,
        all_gone,
        rss_kib,
        cpu,
        calls,
        errors,
    }
}

async fn wait_pool(
    http: &reqwest::Client,
    base: &str,
    names: &[String],
    phase: &str,
    start: Instant,
) -> (Vec<Duration>, usize) {
    let mut done: Vec<Option<Duration>> = vec![None; names.len()];
    let mut errors = 0;
    while done.iter().any(Option::is_none) {
        for (i, u) in names.iter().enumerate() {
            if done[i].is_some() {
                continue;
            }
            let body: serde_json::Value = http
                .get(format!("{base}/tenants/{u}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if body["phase"] == phase {
                done[i] = Some(start.elapsed());
            } else if body["phase"] == "failed" {
                errors += 1;
                done[i] = Some(start.elapsed());
            }
        }
        assert!(start.elapsed() < Duration::from_secs(1800), "pool not done");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (done.into_iter().flatten().collect(), errors)
}

fn row(name: &str, n: usize, f: &Figures) {
    println!(
        "| {name} | {n} | {:.1} s | {:.2} s | {:.2} s | {:.1} s | {:.1} MiB | {:.1} s | {:.0} | {} |",
        f.all_ready.as_secs_f64(),
        pct(&f.per_tenant, 0.5).as_secs_f64(),
        pct(&f.per_tenant, 0.95).as_secs_f64(),
        f.all_gone.as_secs_f64(),
        f.rss_kib as f64 / 1024.0,
        f.cpu.as_secs_f64(),
        f.calls as f64 / n as f64,
        f.errors
    );
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_TENANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let op = operator_run(n).await;
    let pool = pool_run(n).await;
    println!(
        "| path | tenants | all Ready | p50 | p95 | all deleted | peak RSS | CPU | kube API calls / tenant | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    row("operator (Tenant resources)", n, &op);
    row("worker pool (serve --worker-pool)", n, &pool);
}
