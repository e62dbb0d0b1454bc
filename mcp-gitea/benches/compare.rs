//! Benchmark: our `gitea-mcp` against the PyPI `gitea-mcp` 0.5.1 (a peer implementation)
//! and against calling the Gitea emulator's REST API directly, all on loopback.
//!
//! Run: `mcp-gitea/benches/setup-peer.sh` once, then
//! `CARGO_TARGET_DIR=… cargo bench -p mcp-gitea --bench compare -- [--peer PATH] [--secs N]`.
//! Without a peer the peer column is skipped. Prints one table (markdown).

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testbed::gitea::{GiteaEmulator, LabGitea, RunningGitea};
use tokio::process::{Child, Command};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A minimal MCP client over streamable HTTP that copes with sessions and SSE framing.
#[derive(Clone)]
struct Mcp {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
}

impl Mcp {
    async fn connect(url: &str) -> Res<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let mut me = Mcp {
            http,
            url: url.to_string(),
            session: None,
        };
        let init = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}});
        me.rpc("initialize", init).await?;
        me.notify("notifications/initialized").await?;
        Ok(me)
    }

    fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(body);
        if let Some(s) = &self.session {
            req = req.header("mcp-session-id", s);
        }
        req
    }

    async fn notify(&self, method: &str) -> Res<()> {
        self.post(&json!({"jsonrpc": "2.0", "method": method}))
            .send()
            .await?;
        Ok(())
    }

    async fn rpc(&mut self, method: &str, params: Value) -> Res<Value> {
        let resp = self
            .post(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .send()
            .await?;
        if let Some(s) = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            self.session = Some(s.to_string());
        }
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(format!("{method}: HTTP {status}: {text}").into());
        }
        let json_text = if text.trim_start().starts_with('{') {
            text
        } else {
            text.lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .find(|d| d.contains("\"id\""))
                .unwrap_or_default()
                .to_string()
        };
        let v: Value = serde_json::from_str(&json_text)?;
        if v.get("error").is_some() || v.pointer("/result/isError") == Some(&json!(true)) {
            return Err(format!("{method} failed: {v}").into());
        }
        Ok(v)
    }

    async fn call(&mut self, tool: &str, args: Value) -> Res<Value> {
        self.rpc("tools/call", json!({"name": tool, "arguments": args}))
            .await
    }
}

struct Server {
    child: Child,
    startup: Duration,
    url: String,
}

fn free_port() -> Res<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn wait_until(start: Instant, mut probe: impl AsyncFnMut() -> bool) -> Res<Duration> {
    while start.elapsed() < Duration::from_secs(60) {
        if probe().await {
            return Ok(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Err("server did not become ready within 60 s".into())
}

async fn start_ours(gitea: &RunningGitea, lab: &LabGitea) -> Res<Server> {
    let port = free_port()?;
    let t0 = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_gitea-mcp"))
        .args(["-t", "http", "-p", &port.to_string(), "-b", "127.0.0.1"])
        .env("GITEA_HOST", gitea.base_url())
        .env("GITEA_ACCESS_TOKEN", &lab.user_token)
        .env_remove("MCP_MODE")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let http = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let startup = wait_until(
        t0,
        async || matches!(http.get(&health).send().await, Ok(r) if r.status().is_success()),
    )
    .await?;
    Ok(Server {
        child,
        startup,
        url: format!("http://127.0.0.1:{port}/mcp"),
    })
}

async fn start_peer(bin: &str, gitea: &RunningGitea, lab: &LabGitea) -> Res<Server> {
    let port = free_port()?;
    let t0 = Instant::now();
    let child = Command::new(bin)
        .args([
            "serve",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--path",
            "/mcp",
        ])
        .env("GITEA_URL", gitea.base_url())
        .env("GITEA_TOKEN", &lab.user_token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let url = format!("http://127.0.0.1:{port}/mcp");
    // The peer has no /healthz: ready = an MCP initialize succeeds.
    let startup = wait_until(t0, async || Mcp::connect(&url).await.is_ok()).await?;
    Ok(Server {
        child,
        startup,
        url,
    })
}

/// Calls per second with `workers` concurrent clients for `secs` seconds.
async fn throughput<F, Fut>(workers: usize, secs: u64, make: F) -> Res<f64>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<
            Output = Res<
                Box<
                    dyn FnMut() -> std::pin::Pin<
                            Box<dyn std::future::Future<Output = Res<()>> + Send>,
                        > + Send,
                >,
            >,
        >,
{
    let done = Arc::new(AtomicU64::new(0));
    // Connect every worker first, so session setup is not counted.
    let mut ops = Vec::new();
    for w in 0..workers {
        ops.push(make(w).await?);
    }
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for mut op in ops {
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                op().await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Res::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / secs as f64)
}

type Op =
    Box<dyn FnMut() -> std::pin::Pin<Box<dyn std::future::Future<Output = Res<()>> + Send>> + Send>;

fn mcp_op(client: Mcp, tool: &'static str, args: Value) -> Op {
    Box::new(move || {
        let (mut c, a) = (client.clone(), args.clone());
        Box::pin(async move { c.call(tool, a).await.map(|_| ()) })
    })
}

fn rest_op(http: reqwest::Client, url: String, token: String, body: Option<Value>) -> Op {
    Box::new(move || {
        let (h, u, t, b) = (http.clone(), url.clone(), token.clone(), body.clone());
        Box::pin(async move {
            let req = match &b {
                Some(b) => h.post(&u).json(b),
                None => h.get(&u),
            };
            let r = req
                .header("authorization", format!("token {t}"))
                .send()
                .await?;
            if !r.status().is_success() {
                return Err(format!("REST {}", r.status()).into());
            }
            r.bytes().await?;
            Ok(())
        })
    })
}

struct Row {
    name: &'static str,
    values: Vec<String>,
}

/// Calls per second parsed back from a `"123/s"` cell (`None` for `-`).
fn rate(cell: &str) -> Option<f64> {
    cell.strip_suffix("/s")?.parse().ok()
}

fn mib(cell: &str) -> Option<f64> {
    cell.strip_suffix(" MiB")?.parse().ok()
}

/// Ratios the targets are stated in.
fn summary(rows: &[Row]) {
    let find = |n: &str| rows.iter().find(|r| r.name.starts_with(n));
    let (Some(ours), Some(rest)) = (find("gitea-mcp"), find("direct")) else {
        return;
    };
    for (i, what) in [(3, "list_issues c=1"), (5, "create c=1")] {
        if let (Some(o), Some(d)) = (rate(&ours.values[i]), rate(&rest.values[i])) {
            println!(
                "- overhead vs direct REST, {what}: {:.2}x the per-call time",
                d / o
            );
        }
    }
    if let Some(peer) = find("PyPI") {
        for (i, what) in [
            (3, "list_issues c=1"),
            (4, "list_issues c=16"),
            (5, "create c=1"),
            (6, "create c=16"),
        ] {
            if let (Some(o), Some(p)) = (rate(&ours.values[i]), rate(&peer.values[i])) {
                println!("- throughput vs peer, {what}: {:.1}x", o / p);
            }
        }
        if let (Some(o), Some(p)) = (mib(&ours.values[1]), mib(&peer.values[1])) {
            println!("- idle RSS vs peer: {:.2} ({o:.1} vs {p:.1} MiB)", o / p);
        }
    }
}

async fn measure_server(server: &mut Server, peer: bool, secs: u64) -> Res<Vec<String>> {
    let mut c = Mcp::connect(&server.url).await?;
    let mut lat = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        c.rpc("tools/list", json!({})).await?;
        lat.push(t.elapsed());
    }
    lat.sort();
    let rss = server.child.id().and_then(rss_kib).unwrap_or(0);
    let (list_tool, create_tool) = if peer {
        ("list_issues", "create_issue")
    } else {
        ("list_issues", "issue_write")
    };
    let list_args = json!({"owner": "user1", "repo": "mcp", "state": "open"});
    let mut out = vec![
        format!("{:.0} ms", server.startup.as_secs_f64() * 1000.0),
        format!("{:.1} MiB", rss as f64 / 1024.0),
        format!(
            "{:.2} / {:.2} ms",
            lat[25].as_secs_f64() * 1000.0,
            lat[47].as_secs_f64() * 1000.0
        ),
    ];
    for workers in [1usize, 16] {
        let url = server.url.clone();
        let rate = throughput(workers, secs, |_| {
            let (url, a) = (url.clone(), list_args.clone());
            async move { Ok(mcp_op(Mcp::connect(&url).await?, list_tool, a)) }
        })
        .await?;
        out.push(format!("{rate:.0}/s"));
    }
    for workers in [1usize, 16] {
        let url = server.url.clone();
        let rate = throughput(workers, secs, |w| {
            let url = url.clone();
            let mut a = json!({"owner": "user1", "repo": "mcp", "title": format!("bench {w}"), "body": "x"});
            if !peer {
                a["method"] = json!("create");
            }
            async move { Ok(mcp_op(Mcp::connect(&url).await?, create_tool, a)) }
        }).await?;
        out.push(format!("{rate:.0}/s"));
    }
    Ok(out)
}

async fn measure_rest(gitea: &RunningGitea, lab: &LabGitea, secs: u64) -> Res<Vec<String>> {
    let http = reqwest::Client::new();
    let list = format!(
        "{}/repos/user1/mcp/issues?state=open&limit=30",
        gitea.api_url()
    );
    let create = format!("{}/repos/user1/mcp/issues", gitea.api_url());
    let mut out = vec!["-".into(), "-".into(), "-".into()];
    for workers in [1usize, 16] {
        let rate = throughput(workers, secs, |_| {
            let op = rest_op(http.clone(), list.clone(), lab.user_token.clone(), None);
            async move { Ok(op) }
        })
        .await?;
        out.push(format!("{rate:.0}/s"));
    }
    for workers in [1usize, 16] {
        let rate = throughput(workers, secs, |w| {
            let op = rest_op(
                http.clone(),
                create.clone(),
                lab.user_token.clone(),
                Some(json!({"title": format!("bench {w}"), "body": "x"})),
            );
            async move { Ok(op) }
        })
        .await?;
        out.push(format!("{rate:.0}/s"));
    }
    Ok(out)
}

async fn world() -> Res<(RunningGitea, LabGitea)> {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await?;
    // 30 open issues, so list_issues returns a full default page.
    let http = reqwest::Client::new();
    for i in 0..30 {
        http.post(format!("{}/repos/user1/mcp/issues", gitea.api_url()))
            .header("authorization", format!("token {}", lab.user_token))
            .json(&json!({"title": format!("seed {i}"), "body": "Build failed: COPY requirements.txt"}))
            .send().await?.error_for_status()?;
    }
    Ok((gitea, lab))
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let secs: u64 = opt("--secs").and_then(|s| s.parse().ok()).unwrap_or(3);
    let default_peer = format!(
        "{}/peer-venv/bin/gitea-mcp",
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())
    );
    let peer = opt("--peer").unwrap_or(default_peer);
    let mut rows = Vec::new();

    let (gitea, lab) = world().await?;
    let mut ours = start_ours(&gitea, &lab).await?;
    rows.push(Row {
        name: "gitea-mcp (this crate)",
        values: measure_server(&mut ours, false, secs).await?,
    });
    drop(ours);

    let (gitea2, lab2) = world().await?;
    rows.push(Row {
        name: "direct REST (emulator)",
        values: measure_rest(&gitea2, &lab2, secs).await?,
    });

    if std::path::Path::new(&peer).exists() {
        let (gitea3, lab3) = world().await?;
        let mut p = start_peer(&peer, &gitea3, &lab3).await?;
        rows.push(Row {
            name: "PyPI gitea-mcp 0.5.1",
            values: measure_server(&mut p, true, secs).await?,
        });
    } else {
        eprintln!(
            "peer not found at {peer}; run mcp-gitea/benches/setup-peer.sh (skipping the peer)"
        );
    }

    println!(
        "| server | startup | idle RSS | tools/list p50 / p95 | list_issues c=1 | list_issues c=16 | create c=1 | create c=16 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!("| {} | {} |", r.name, r.values.join(" | "));
    }
    println!();
    summary(&rows);
    Ok(())
}
