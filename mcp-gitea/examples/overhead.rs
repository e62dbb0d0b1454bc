//! Per-call overhead probe: our server and the Gitea emulator in one process on loopback,
//! one plain reqwest client posting JSON-RPC (as the `compare` bench does), sequential calls.
//!
//! It exists to measure before/after ratios and to run under
//! `valgrind --tool=callgrind` (instruction counts are repeatable on a loaded machine,
//! wall-clock numbers are not). Prints calls per second and µs per call for
//! `list_issues` and `issue_write create` through MCP and for the same REST calls made
//! directly against the emulator.
//!
//! `cargo run --release -p mcp-gitea --example overhead -- [--calls N] [--only WHAT]
//! [--no-fast-path] [--sizes]` with WHAT one of `mcp-list`, `hop-list`, `mcp-create`, `rest-list`, `rest-create`;
//! `--no-fast-path` sends every request through rmcp (see `http_transport::fast_path`);
//! `--sizes` prints each reply's size instead of timing.

use std::time::Instant;

use gitea_emulator::GiteaEmulator;
use mcp_gitea::config::{Config, Secret, Transport};
use mcp_gitea::http_transport;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// One kind of call, made `n` times in a row.
struct Probe {
    name: &'static str,
    request: reqwest::RequestBuilder,
}

async fn run(p: &Probe, n: usize) -> Res<f64> {
    let t = Instant::now();
    for _ in 0..n {
        let req = p.request.try_clone().ok_or("request is not clonable")?;
        let resp = req.send().await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        let tool_error =
            p.name.starts_with("mcp") && body.windows(11).any(|w| w == b"\"isError\":t");
        if !status.is_success() || tool_error {
            return Err(format!("{}: {status}: {}", p.name, String::from_utf8_lossy(&body)).into());
        }
    }
    Ok(t.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let calls: usize = opt("--calls").and_then(|s| s.parse().ok()).unwrap_or(2000);
    let only = opt("--only");

    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await?;
    let http = reqwest::Client::new();
    let auth = format!("token {}", lab.user_token);
    for i in 0..30 {
        http.post(format!("{}/repos/user1/mcp/issues", gitea.api_url()))
            .header("authorization", &auth)
            .json(&json!({"title": format!("seed {i}"), "body": "Build failed: COPY requirements.txt"}))
            .send()
            .await?
            .error_for_status()?;
    }

    let cfg = Config {
        transport: Transport::Http,
        host: gitea.base_url(),
        bind: Some("127.0.0.1".parse()?),
        port: 0,
        token: Some(Secret::new(lab.user_token.clone())),
        ..Config::default()
    };
    let server = mcp_gitea::build_server(&cfg)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    let cancel = CancellationToken::new();
    let opts = http_transport::HttpOptions {
        bind: cfg.bind,
        ..Default::default()
    };
    let fast_path = !args.iter().any(|a| a == "--no-fast-path");
    let app = http_transport::router_with(server, &opts, cancel.child_token(), fast_path);
    let served = tokio::spawn(http_transport::serve(listener, app, cancel.clone()));

    let rpc = |tool: &str, arguments: Value| {
        http.post(&url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                          "params": {"name": tool, "arguments": arguments}}))
    };
    let issues = format!("{}/repos/user1/mcp/issues", gitea.api_url());
    // The floor of any proxy: the same REST call through a bare forwarder (Gitea's bytes
    // passed back untouched, on threads of its own); `hop-list` shows what the second HTTP
    // exchange alone costs.
    let forwarder = emulator_support::forward::start(&gitea.base_url()).await?;
    let probes = [
        Probe {
            name: "mcp-list",
            request: rpc(
                "list_issues",
                json!({"owner": "user1", "repo": "mcp", "state": "open"}),
            ),
        },
        Probe {
            name: "rest-list",
            request: http
                .get(format!("{issues}?state=open&limit=30"))
                .header("authorization", &auth),
        },
        Probe {
            name: "hop-list",
            request: http
                .get(format!(
                    "{}/api/v1/repos/user1/mcp/issues?state=open&limit=30",
                    forwarder.url
                ))
                .header("authorization", &auth),
        },
        Probe {
            name: "mcp-create",
            request: rpc(
                "issue_write",
                json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "probe", "body": "x"}),
            ),
        },
        Probe {
            name: "rest-create",
            request: http
                .post(&issues)
                .header("authorization", &auth)
                .json(&json!({"title": "probe", "body": "x"})),
        },
    ];
    for p in probes
        .iter()
        .filter(|p| only.as_deref().is_none_or(|o| o == p.name))
    {
        if args.iter().any(|a| a == "--sizes") {
            let req = p.request.try_clone().ok_or("request is not clonable")?;
            let body = req.send().await?.bytes().await?;
            println!("{:<12} {:>8} bytes per reply", p.name, body.len());
            continue;
        }
        run(p, calls.div_ceil(10)).await?; // warm-up: connections, allocator
        let secs = run(p, calls).await?;
        println!(
            "{:<12} {:>8.0} calls/s {:>8.1} µs/call",
            p.name,
            calls as f64 / secs,
            secs * 1e6 / calls as f64
        );
    }
    cancel.cancel();
    served.await??;
    Ok(())
}
