//! Shared setup: a seeded Gitea emulator, our server on `127.0.0.1:0`, an rmcp client.

use std::time::Duration;

use gitea_emulator::{GiteaEmulator, LabGitea, RunningGitea};
use mcp_gitea::config::{Config, Secret, Transport};
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion,
};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Upper bound for any single step of a test.
pub(crate) const STEP: Duration = Duration::from_secs(20);

/// A running pair: emulator + our server.
pub(crate) struct Env {
    pub(crate) gitea: RunningGitea,
    pub(crate) lab: LabGitea,
    pub(crate) url: String,
    pub(crate) cancel: CancellationToken,
}

impl Env {
    /// The emulator behind the server.
    pub(crate) fn emu(&self) -> &GiteaEmulator {
        self.gitea.emulator()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The default server config for tests: HTTP, the lab user's token as static token.
pub(crate) fn config(gitea: &RunningGitea, token: Option<&str>) -> Config {
    Config {
        transport: Transport::Http,
        host: gitea.base_url(),
        bind: Some("127.0.0.1".parse().unwrap()),
        port: 0,
        token: token.map(Secret::new),
        ..Config::default()
    }
}

/// Starts the emulator (seeded for `user1`) and our server; `tweak` adjusts the config.
pub(crate) async fn start(tweak: impl FnOnce(&mut Config)) -> Env {
    let emu = GiteaEmulator::new();
    let lab = emu.seed_lab("user1");
    let gitea = emu.serve(0).await.unwrap();
    let mut cfg = config(&gitea, Some(&lab.user_token));
    tweak(&mut cfg);
    let url = serve(cfg).await;
    Env {
        gitea,
        lab,
        url: url.0,
        cancel: url.1,
    }
}

/// Serves `cfg` on a free loopback port; returns the `/mcp` URL and its stop token.
pub(crate) async fn serve(cfg: Config) -> (String, CancellationToken) {
    let server = mcp_gitea::build_server(&cfg).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move { mcp_gitea::serve_http(listener, server, &cfg, stop).await });
    (format!("http://{addr}/mcp"), cancel)
}

pub(crate) type Client = RunningService<RoleClient, ClientConfig>;

/// An rmcp client over streamable HTTP, optionally with a bearer token.
pub(crate) async fn client(url: &str, token: Option<&str>) -> Client {
    let mut cfg = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    if let Some(t) = token {
        cfg = cfg.auth_header(t.to_string());
    }
    let transport = StreamableHttpClientTransport::from_config(cfg);
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("it", "1.0"),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25);
    tokio::time::timeout(STEP, info.serve(transport))
        .await
        .expect("initialize timed out")
        .unwrap()
}

/// Calls a tool with JSON arguments (must be an object).
pub(crate) async fn call(client: &Client, name: &str, args: Value) -> CallToolResult {
    let Value::Object(obj) = args else {
        panic!("arguments must be an object")
    };
    let params = CallToolRequestParams::new(name.to_string()).with_arguments(obj);
    tokio::time::timeout(STEP, client.call_tool(params))
        .await
        .unwrap_or_else(|_| panic!("{name} timed out"))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The single text content of a result.
pub(crate) fn text(r: &CallToolResult) -> String {
    assert_eq!(r.content.len(), 1, "{r:?}");
    r.content[0].as_text().expect("text content").text.clone()
}

/// A successful call's JSON (fails the test on `isError`).
pub(crate) async fn ok(client: &Client, name: &str, args: Value) -> Value {
    let r = call(client, name, args.clone()).await;
    assert_ne!(r.is_error, Some(true), "{name} {args} failed: {}", text(&r));
    serde_json::from_str(&text(&r)).unwrap()
}

/// A failed call's message (fails the test if it succeeded).
pub(crate) async fn err(client: &Client, name: &str, args: Value) -> String {
    let r = call(client, name, args.clone()).await;
    assert_eq!(
        r.is_error,
        Some(true),
        "{name} {args} should fail: {}",
        text(&r)
    );
    text(&r)
}

/// Arguments for a tool call on the lab repo `user1/mcp`: `owner` and `repo` plus `extra`'s fields.
pub(crate) fn lab_repo_args(extra: Value) -> Value {
    with_fields(serde_json::json!({"owner": "user1", "repo": "mcp"}), extra)
}

/// [`ok`] on the lab repo: `args` gets its `owner` and `repo` (most calls of the tests).
pub(crate) async fn ok_lab(client: &Client, name: &str, args: Value) -> Value {
    ok(client, name, lab_repo_args(args)).await
}

/// [`err`] on the lab repo, as [`ok_lab`].
pub(crate) async fn err_lab(client: &Client, name: &str, args: Value) -> String {
    err(client, name, lab_repo_args(args)).await
}

/// `base` with `extra`'s fields added (both JSON objects).
fn with_fields(mut base: Value, extra: Value) -> Value {
    base.as_object_mut().unwrap().extend(
        extra
            .as_object()
            .expect("extra arguments must be an object")
            .clone(),
    );
    base
}

/// Commits `path` with `content` to a new branch `head` off `main` of the lab repo and opens
/// a pull request from it into `main` (`fields`: title, body, draft, …); returns the pull
/// request. Every pull request test starts this way.
pub(crate) async fn open_pull(
    c: &Client,
    head: &str,
    path: &str,
    content: &str,
    fields: Value,
) -> Value {
    let file = serde_json::json!({"branch_name": "main", "new_branch_name": head,
        "message": format!("add {path}"), "path": path, "content": content});
    ok(c, "create_or_update_file", lab_repo_args(file)).await;
    let create = serde_json::json!({"method": "create", "head": head, "base": "main"});
    ok(
        c,
        "pull_request_write",
        lab_repo_args(with_fields(create, fields)),
    )
    .await
}

/// The keys of a JSON object, sorted (none for anything else).
pub(crate) fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort();
    keys
}
