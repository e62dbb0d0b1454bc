//! Benchmark of the agent's own overhead on `/report-failure`.
//!
//! Runs the real `pipeline-agent` binary as a child process against in-process peers that
//! answer at once: a scripted OpenAI-compatible endpoint (two turns: `pods_log`, then
//! `issue_write`), an OpenShift-like MCP server over legacy SSE and a Gitea-like one over
//! Streamable HTTP. Every run is therefore two LLM calls and two MCP calls; the time per
//! run is the agent's overhead plus loopback HTTP. Prints p50/p99 latency, runs per second
//! at 1, 16 and 64 concurrent reports, and the agent's RSS.
//!
//! Run: `cargo bench -p agent --bench report_failure` (add `-- --runs 2000` for more).

#![allow(clippy::unwrap_used, unreachable_pub)]

// The benchmark uses a subset of the shared test support.
#[allow(dead_code)]
#[path = "../tests/agent/support"]
mod support {
    pub mod fake_llm;
    pub mod fixture;
    pub mod server;
    pub mod transports;
}

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_llm::{FakeLlm, messages, tool_calls};
use support::fixture::Fixture;
use support::server::{Killable, free_port};
use support::transports::{SseControl, sse_router, streamable_router};

fn scripted_llm() -> FakeLlm {
    FakeLlm::with(|req, _| {
        let msgs = messages(req);
        let prompt = msgs
            .get(1)
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default();
        let pod = prompt
            .lines()
            .find_map(|l| l.strip_prefix("- Pod: "))
            .unwrap_or("p")
            .to_string();
        if msgs.iter().any(|m| m["role"] == "tool") {
            tool_calls(&[(
                "issue_write",
                json!({"method": "create", "owner": "user1", "repo": "mcp", "title": pod, "body": "### Summary of the problem\nbuild failed"}),
            )])
        } else {
            tool_calls(&[("pods_log", json!({"namespace": "lab-user1", "name": pod}))])
        }
    })
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

async fn one_run(http: &reqwest::Client, url: &str, i: usize) -> Duration {
    let started = Instant::now();
    let body = json!({"namespace": "lab-user1", "pod_name": format!("pod-{}", i % 100)});
    let r = http.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    let reply: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status} {reply}");
    started.elapsed()
}

async fn load(
    http: &reqwest::Client,
    url: &str,
    runs: usize,
    concurrency: usize,
) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (http, url, next) = (http.clone(), url.to_string(), next.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= runs {
                        return times;
                    }
                    times.push(one_run(&http, &url, i).await);
                }
            })
        })
        .collect();
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await.unwrap());
    }
    let rate = runs as f64 / started.elapsed().as_secs_f64();
    times.sort();
    (rate, times)
}

fn pct(times: &[Duration], p: f64) -> f64 {
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let openshift = Fixture::openshift();
    for i in 0..100 {
        openshift.set_log(
            &format!("pod-{i}"),
            &format!("STEP 3/7: COPY app.py /app/\nError: no such file (pod {i})"),
        );
    }
    let os = Killable::start(sse_router(openshift, SseControl::default()), 0).await;
    let gitea = Killable::start(streamable_router(Fixture::gitea()), 0).await;
    let llm = Killable::start(scripted_llm().router(), 0).await;
    let port = free_port().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pipeline-agent"))
        .env_clear()
        .env("PORT", port.to_string())
        .env("LITELLM_URL", llm.url(""))
        .env("LITELLM_MODEL", "openai/local")
        .env("MCP_OPENSHIFT_URL", os.url("/sse#openshift"))
        .env("MCP_GITEA_URL", gitea.url("/mcp"))
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let ready = async {
        loop {
            if let Ok(r) = http.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), ready)
        .await
        .expect("agent not ready");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss_kib(pid);
    let url = format!("{base}/report-failure");
    // Warm-up (connections, allocator).
    load(&http, &url, 50, 4).await;
    println!(
        "runs per level: {runs}; each run = 2 LLM turns + pods_log (SSE) + issue_write (streamable HTTP)"
    );
    for concurrency in [1, 16, 64] {
        let (rate, times) = load(&http, &url, runs, concurrency).await;
        println!(
            "concurrency {concurrency:>2}: {rate:>7.0} runs/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            pct(&times, 0.5),
            pct(&times, 0.99)
        );
    }
    println!(
        "agent RSS: idle {:.1} MiB, after load {:.1} MiB",
        idle as f64 / 1024.0,
        rss_kib(pid) as f64 / 1024.0
    );
    child.kill().await.ok();
}
