//! A bare forwarding proxy: the floor of any server that sits between a client and Gitea.
//!
//! It passes each request on with one shared HTTP client and hands back Gitea's status
//! and bytes untouched: no MCP, no JSON, nothing decoded. The Gitea benchmark makes the
//! same REST calls through it, so the table shows how much of an MCP server's added time
//! is the second HTTP exchange itself, which no server in that position can avoid.
//!
//! It runs two ways: [`start`] on threads of its own inside the benchmark's process, and
//! [`spawn_process`] as a process of its own (`testbed forward --to URL`), as a real
//! server sits. The second is the fair floor for a server process: waking another process
//! costs more than waking a thread of one's own, and on a small VM that difference alone is
//! a large part of a fast call.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::serve::{ServerHandle, spawn_http};

/// Requests larger than this are refused (the benchmark's are tiny).
const MAX_BODY: usize = 1 << 20;

struct Target {
    /// Gitea's root URL, without a trailing slash.
    base: String,
    http: reqwest::Client,
}

/// A running forwarder; stops when dropped.
#[derive(Debug)]
pub struct Forwarder {
    /// Its root URL: `{url}/api/v1/…` reaches Gitea's `/api/v1/…`.
    pub url: String,
    _server: ServerHandle,
    _runtime: OwnRuntime,
}

/// Starts a forwarder to `target` (a root URL such as the Gitea emulator's).
pub async fn start(target: &str) -> anyhow::Result<Forwarder> {
    let state = Arc::new(Target {
        base: target.trim_end_matches('/').to_string(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
    });
    let router = axum::Router::new().fallback(forward).with_state(state);
    let runtime = OwnRuntime::new("forwarder")?;
    let server = runtime.run(spawn_http(router, 0)).await??;
    Ok(Forwarder {
        url: format!("http://{}", server.addr()),
        _server: server,
        _runtime: runtime,
    })
}

/// What `testbed forward` prints on stdout before the URL it listens on.
pub const LISTENING: &str = "forwarding on ";

/// `testbed forward --to URL`: a forwarder to `target` in this process, its URL printed
/// on stdout (after [`LISTENING`]), until `stop` resolves (the binary passes its shutdown
/// signal: Ctrl-C or SIGTERM) or the parent closes our stdin.
pub async fn serve_until_stopped(
    target: &str,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let forwarder = start(target).await?;
    println!("{LISTENING}{}", forwarder.url);
    tokio::select! {
        () = stop => {}
        () = stdin_closed() => {}
    }
    drop(forwarder);
    Ok(())
}

/// Resolves when stdin reaches its end (or fails): the parent that holds its other end is
/// gone. Whatever arrives before is read into a small buffer and dropped, so input (a
/// newline typed at a terminal, an endless stream) neither stops us nor piles up.
async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 256];
    while let Ok(1..) = stdin.read(&mut buf).await {}
}

/// A forwarder running as a process of its own; killed when dropped.
#[derive(Debug)]
pub struct ForwarderProcess {
    /// Its root URL, as [`Forwarder::url`].
    pub url: String,
    _child: Child,
}

/// Spawns `testbed forward --to target` (`testbed` being the binary at `testbed`) and
/// waits up to 30 s for the URL it prints.
pub async fn spawn_process(testbed: &Path, target: &str) -> anyhow::Result<ForwarderProcess> {
    let mut child = Command::new(testbed)
        .args(["forward", "--to", target])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("spawning {} forward", testbed.display()))?;
    let stdout = child.stdout.take().context("the forwarder's stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(url) = line.strip_prefix(LISTENING) {
                return Ok(url.trim().to_string());
            }
        }
        bail!("the forwarder exited without printing its URL")
    })
    .await
    .context("the forwarder printed no URL within 30 s")??;
    Ok(ForwarderProcess { url, _child: child })
}

async fn forward(State(target): State<Arc<Target>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut out = target
        .http
        .request(parts.method, format!("{}{path}", target.base))
        .body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT] {
        if let Some(value) = parts.headers.get(&name) {
            out = out.header(name, value);
        }
    }
    let answer = match out.send().await {
        Ok(answer) => answer,
        Err(err) => return (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    match answer.bytes().await {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            if let Some(value) = content_type {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(err) => (StatusCode::BAD_GATEWAY, err.to_string()).into_response(),
    }
}

/// A runtime with threads of its own, standing in for a separate process; shut down
/// without waiting when dropped (a runtime must not be dropped inside another one's task).
#[derive(Debug)]
pub struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl OwnRuntime {
    /// Two worker threads named `name`, with I/O and timers.
    pub fn new(name: &str) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(name)
            .enable_all()
            .build()
            .with_context(|| format!("building the {name} runtime"))?;
        Ok(Self(Some(runtime)))
    }

    /// Runs `task` on this runtime and waits for it.
    pub async fn run<F>(&self, task: F) -> anyhow::Result<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let runtime = self.0.as_ref().context("the runtime is shut down")?;
        runtime
            .spawn(task)
            .await
            .context("a task on its own runtime")
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
