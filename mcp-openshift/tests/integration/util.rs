//! Shared helpers: a lab-seeded emulator, our server in front of it, and MCP clients.

use std::sync::Arc;
use std::time::Duration;

use kube_emulator::{KubeEmulator, LabScenario, RunningKube};
use mcp_openshift::http::RunningHttp;
use mcp_openshift::{Cluster, Config};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

pub type Client = RunningService<RoleClient, ClientConfig>;

/// The two transports every tool is checked over.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    Sse,
    Streamable,
}

pub const BOTH: [Transport; 2] = [Transport::Sse, Transport::Streamable];

pub struct Harness {
    pub emu: KubeEmulator,
    pub lab: LabScenario,
    pub server: RunningHttp,
}

/// Our server (flags as on the command line, port forced to 0 on 127.0.0.1) in front of an
/// in-process emulator seeded with the lab for `user1`; passthrough tokens reach the emulator.
pub async fn start(flags: &[&str]) -> Harness {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let server = start_on(&emu, flags).await;
    Harness { emu, lab, server }
}

pub async fn start_on(emu: &KubeEmulator, flags: &[&str]) -> RunningHttp {
    let config = loopback_config(flags);
    let e = emu.clone();
    let cluster = Cluster::from_client(emu.client(), "default")
        .with_token_factory(Arc::new(move |t: &str| Ok(e.client_with_token(t))));
    mcp_openshift::start_http(&config, cluster).await.unwrap()
}

/// Our server reaching a served emulator the production way, through its kubeconfig (HTTPS,
/// real client), with `flags` after `--kubeconfig`.
pub async fn start_with_kubeconfig(kube: &RunningKube, flags: &[&str]) -> RunningHttp {
    let kubeconfig = kube.kubeconfig_path().to_str().unwrap().to_string();
    let config = loopback_config(&[&["--kubeconfig", kubeconfig.as_str()][..], flags].concat());
    let cluster = Cluster::from_config(&config).await.unwrap();
    mcp_openshift::start_http(&config, cluster).await.unwrap()
}

/// The command line every in-process server starts from (port 0 on 127.0.0.1), then `flags`.
fn loopback_config(flags: &[&str]) -> Config {
    let mut args = vec![
        "kubernetes-mcp-server",
        "--port",
        "0",
        "--bind-address",
        "127.0.0.1",
    ];
    args.extend_from_slice(flags);
    Config::from_args(args).unwrap()
}

fn client_info(version: ProtocolVersion) -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("mcp-openshift-tests", "1.0"),
    )
    .with_protocol_version(version)
}

pub async fn connect(base: &str, transport: Transport, token: Option<&str>) -> Client {
    let fut = async {
        match transport {
            Transport::Sse => {
                let t = super::sse_client::connect(base, token).await;
                client_info(ProtocolVersion::V_2024_11_05)
                    .serve(t)
                    .await
                    .unwrap()
            }
            Transport::Streamable => {
                let mut cfg = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"));
                if let Some(t) = token {
                    cfg = cfg.auth_header(t.to_string());
                }
                client_info(ProtocolVersion::V_2025_11_25)
                    .serve(StreamableHttpClientTransport::from_config(cfg))
                    .await
                    .unwrap()
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("connect timed out")
}

/// Call a tool; returns (isError, text, structuredContent).
pub async fn call(client: &Client, name: &str, args: Value) -> (bool, String, Option<Value>) {
    call_raw(client, name, args).await
}

/// [`call`] for any client handler type.
pub async fn call_raw<H: rmcp::ClientHandler>(
    client: &RunningService<RoleClient, H>,
    name: &str,
    args: Value,
) -> (bool, String, Option<Value>) {
    let params = CallToolRequestParams::new(name.to_string())
        .with_arguments(args.as_object().cloned().unwrap_or_default());
    let r = tokio::time::timeout(Duration::from_secs(30), client.call_tool(params))
        .await
        .expect("call timed out")
        .unwrap();
    let text = r
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n");
    (r.is_error == Some(true), text, r.structured_content.clone())
}

/// Call and require success.
pub async fn ok(client: &Client, name: &str, args: Value) -> String {
    let (err, text, _) = call(client, name, args.clone()).await;
    assert!(!err, "{name} {args} failed: {text}");
    text
}

/// Call and require an error result.
pub async fn err(client: &Client, name: &str, args: Value) -> String {
    let (err, text, _) = call(client, name, args.clone()).await;
    assert!(err, "{name} {args} unexpectedly succeeded: {text}");
    text
}

pub async fn tool_names(client: &Client) -> Vec<String> {
    let tools = tokio::time::timeout(Duration::from_secs(10), client.list_all_tools())
        .await
        .unwrap()
        .unwrap();
    let mut n: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    n.sort();
    n
}

/// Parse the YAML part of a text result (after an optional `# …` first line).
pub fn yaml_body(text: &str) -> Value {
    let body = if text.starts_with('#') {
        text.split_once('\n').map(|x| x.1).unwrap_or_default()
    } else {
        text
    };
    serde_saphyr::from_str(body).unwrap()
}

pub fn without_managed_fields(mut v: Value) -> Value {
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

/// Polls `http://127.0.0.1:<port>/healthz` until it answers 2xx; fails the test with
/// "`what` did not start" after `limit`. For servers started as child processes.
pub async fn wait_healthy(port: u16, limit: Duration, what: &str) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let deadline = tokio::time::Instant::now() + limit;
    while !http
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A free loopback port for a server started as a child process (which binds it itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
