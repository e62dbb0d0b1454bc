//! Side-by-side benchmark of our `kubernetes-mcp-server` and the upstream Go 0.0.66 binary on
//! the same Kubernetes emulator (HTTPS, lab seeded): startup to `/healthz`, idle RSS, binary
//! size, `tools/list` latency, and `pods_log` / `pods_list` throughput with 1 and 16
//! concurrent sessions over legacy SSE and streamable HTTP. Prints ratios (ours vs upstream).
//!
//! Run: `cargo bench -p mcp-openshift --bench side_by_side` (builds release). Optional env:
//! `BENCH_SECONDS` (per throughput cell, default 3).
#![allow(clippy::unwrap_used, unreachable_pub)]

#[path = "../tests/integration/sse_client.rs"]
mod sse_client;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use testbed::kube::{KubeEmulator, KubeServeOptions};
use testbed::tools::{Tool, require};

type Client = RunningService<RoleClient, ClientConfig>;

struct Server {
    name: &'static str,
    bin: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Running {
    child: tokio::process::Child,
    base: String,
    startup: Duration,
}

async fn launch(s: &Server, kubeconfig: &Path) -> Running {
    let port = free_port();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
    let started = Instant::now();
    let child = tokio::process::Command::new(&s.bin)
        .args(["--port", &port.to_string(), "--bind-address", "127.0.0.1", "--kubeconfig"])
        .arg(kubeconfig)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    loop {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{} did not start", s.name);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Running { child, base, startup: started.elapsed() }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn client_info(v: ProtocolVersion) -> ClientConfig {
    ClientConfig::new(ClientCapabilities::default(), Implementation::new("bench", "1.0")).with_protocol_version(v)
}

async fn connect(base: &str, sse: bool) -> Client {
    if sse {
        client_info(ProtocolVersion::V_2024_11_05).serve(sse_client::connect(base, None).await).await.unwrap()
    } else {
        client_info(ProtocolVersion::V_2025_11_25).serve(StreamableHttpClientTransport::from_uri(format!("{base}/mcp"))).await.unwrap()
    }
}

async fn call(c: &Client, tool: &str, args: &Value) -> bool {
    let p = CallToolRequestParams::new(tool.to_string()).with_arguments(args.as_object().cloned().unwrap_or_default());
    matches!(tokio::time::timeout(Duration::from_secs(30), c.call_tool(p)).await, Ok(Ok(r)) if r.is_error != Some(true))
}

/// Calls per second with `sessions` concurrent sessions, each calling in a loop.
async fn throughput(base: &str, sse: bool, sessions: usize, tool: &str, args: &Value, secs: u64) -> f64 {
    let mut clients = Vec::new();
    for _ in 0..sessions {
        clients.push(Arc::new(connect(base, sse).await));
    }
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in &clients {
        let (c, done, failed, tool, args) = (c.clone(), done.clone(), failed.clone(), tool.to_string(), args.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                if call(&c, &tool, &args).await {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for c in clients {
        if let Ok(c) = Arc::try_unwrap(c) {
            let _ = c.cancel().await;
        }
    }
    let f = failed.load(Ordering::Relaxed);
    if f > 0 {
        eprintln!("  ({f} failed calls)");
    }
    done.load(Ordering::Relaxed) as f64 / secs as f64
}

async fn tools_list_latency(base: &str) -> Duration {
    let c = connect(base, false).await;
    let mut samples = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        c.list_all_tools().await.unwrap();
        samples.push(t.elapsed());
    }
    let _ = c.cancel().await;
    samples.sort();
    samples[samples.len() / 2]
}

#[derive(Default)]
struct Figures {
    rows: Vec<(String, f64, f64, bool)>, // (what, ours, upstream, lower_is_better)
}

impl Figures {
    fn add(&mut self, what: impl Into<String>, ours: f64, upstream: f64, lower_is_better: bool) {
        self.rows.push((what.into(), ours, upstream, lower_is_better));
    }

    fn print(&self) {
        println!("{:<44} {:>12} {:>12} {:>10}", "metric", "ours", "upstream", "ratio");
        for (what, o, u, lower) in &self.rows {
            let ratio = if *lower { o / u } else { o / u.max(f64::MIN_POSITIVE) };
            let note = if *lower { "(ours/upstream, lower is better)" } else { "(ours/upstream, higher is better)" };
            println!("{what:<44} {o:>12.2} {u:>12.2} {ratio:>9.2}x {note}");
        }
    }
}

#[tokio::main]
async fn main() {
    let secs: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let kube = emu.serve(KubeServeOptions::default()).await.unwrap();
    let kubeconfig = kube.kubeconfig_path().to_path_buf();
    let servers = [
        Server { name: "ours", bin: PathBuf::from(env!("CARGO_BIN_EXE_kubernetes-mcp-server")) },
        Server { name: "upstream", bin: require(Tool::UpstreamKubernetesMcpServer) },
    ];
    let mut f = Figures::default();
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len() as f64 / 1_048_576.0).unwrap_or(0.0);
    f.add("binary size (MiB)", size(&servers[0].bin), size(&servers[1].bin), true);

    let mut startup = [Vec::new(), Vec::new()];
    for _ in 0..5 {
        for (i, s) in servers.iter().enumerate() {
            let r = launch(s, &kubeconfig).await;
            startup[i].push(r.startup.as_secs_f64() * 1000.0);
            drop(r.child);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let (s0, s1) = (median(&mut startup[0]), median(&mut startup[1]));
    f.add("startup to /healthz (ms, median of 5)", s0, s1, true);

    let mut running = Vec::new();
    for s in &servers {
        running.push(launch(s, &kubeconfig).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss: Vec<f64> = running.iter().map(|r| rss_kib(r.child.id().unwrap_or(0)) as f64 / 1024.0).collect();
    f.add("idle RSS (MiB, 3 s after start)", rss[0], rss[1], true);
    let l0 = tools_list_latency(&running[0].base).await.as_secs_f64() * 1000.0;
    let l1 = tools_list_latency(&running[1].base).await.as_secs_f64() * 1000.0;
    f.add("tools/list latency (ms, median of 50)", l0, l1, true);

    let log_args = json!({"name": lab.pod, "namespace": lab.namespace, "container": lab.failed_container});
    for (tool, args) in [("pods_log", log_args), ("pods_list", json!({}))] {
        for sse in [true, false] {
            for sessions in [1usize, 16] {
                let o = throughput(&running[0].base, sse, sessions, tool, &args, secs).await;
                let u = throughput(&running[1].base, sse, sessions, tool, &args, secs).await;
                let t = if sse { "SSE" } else { "streamable" };
                f.add(format!("{tool} calls/s, {t}, {sessions} session(s)"), o, u, false);
            }
        }
    }
    let rss: Vec<f64> = running.iter().map(|r| rss_kib(r.child.id().unwrap_or(0)) as f64 / 1024.0).collect();
    f.add("RSS after the load (MiB)", rss[0], rss[1], true);
    f.print();
}
