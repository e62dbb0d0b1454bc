//! The agent's cost per `/report-failure`: the release `pipeline-agent` as a process, on our
//! MCP servers (in process: OpenShift over legacy SSE on the world's Kubernetes emulator,
//! Gitea over streamable HTTP on its Gitea emulator) and the LLM emulator scripted to answer
//! at once with the two iterations of a lab report (`pods_log`, then `issue_write`).
//!
//! The Gitea MCP server exposes `issue_write` only, so every report files a new issue (with
//! `list_issues` the agent would find the first report's issue and comment on it instead,
//! skipping the model). A report is thus the agent's investigation, two LLM calls, one
//! `pods_log` and one `issue_write`: the time is the agent's overhead plus our MCP servers
//! and loopback HTTP.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

use super::load::{Budget, closed_loop_until};
use super::process::{free_port, http_ok, spawn_ready};
use super::table::{Better, Row};
use super::world::World;
use crate::llm::{Predicate, Script, Turn};
use crate::stack::{LLM_API_KEY, LLM_MODEL, USER};

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The release `pipeline-agent` binary.
    pub agent: PathBuf,
    /// How long (or how many reports) each load level runs.
    pub budget: Budget,
    /// Concurrent reports per level.
    pub concurrency: Vec<usize>,
}

impl Options {
    /// The defaults for `agent`.
    pub fn new(agent: PathBuf) -> Self {
        Self {
            agent,
            budget: Budget::For(Duration::from_secs(3)),
            concurrency: vec![1, 16, 64],
        }
    }
}

/// One load level.
#[derive(Debug, Clone)]
pub struct Level {
    /// Reports in flight at once.
    pub concurrency: usize,
    /// Completed reports per second.
    pub reports_per_second: f64,
    /// Median report time, ms.
    pub p50_ms: f64,
    /// 99th percentile report time, ms.
    pub p99_ms: f64,
    /// LLM calls per report (2 when every report took the two scripted iterations).
    pub llm_calls_per_report: f64,
}

/// The agent's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// RSS once ready (MCP sessions open), MiB.
    pub idle_rss_mib: f64,
    /// RSS after every level, MiB.
    pub loaded_rss_mib: f64,
    /// The levels, in [`Options::concurrency`] order.
    pub levels: Vec<Level>,
}

impl Report {
    /// The rows of the table (no peer).
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for level in &self.levels {
            let c = level.concurrency;
            rows.push(Row::alone(
                format!("report, {c} concurrent: p50 (ms)"),
                level.p50_ms,
                Better::Lower,
            ));
            rows.push(Row::alone(
                format!("report, {c} concurrent: p99 (ms)"),
                level.p99_ms,
                Better::Lower,
            ));
            rows.push(Row::alone(
                format!("report, {c} concurrent: reports/s"),
                level.reports_per_second,
                Better::Higher,
            ));
        }
        rows.push(Row::alone(
            "idle RSS (MiB)",
            self.idle_rss_mib,
            Better::Lower,
        ));
        rows.push(Row::alone(
            "RSS after the load (MiB)",
            self.loaded_rss_mib,
            Better::Lower,
        ));
        rows
    }
}

/// The model's two iterations, for every report at once (`repeat`): read the failed step's
/// log, then, once a tool result came back, file the issue.
fn two_iterations(world: &World) -> Script {
    let lab = &world.lab;
    let body = format!(
        "### Cluster/namespace location\n{ns}/{pod}\n\n### Summary of the problem\n\
         The build step `{container}` failed: the build context has no `requirements.txt`.\n\n\
         ### Detailed error/code\n```\n{line}\n```\n\n### Possible solutions\n\
         1. Restore `requirements.txt` in the agent directory.",
        ns = lab.namespace,
        pod = lab.pod,
        container = lab.failed_container,
        line = lab.failure_line,
    );
    let after_tool = Predicate::LastRole("tool".into());
    Script::new([
        Turn::tool_calls([(
            "pods_log",
            json!({"namespace": lab.namespace, "name": lab.pod, "container": lab.failed_container}),
        )])
        .when(Predicate::Not(Box::new(after_tool.clone())))
        .repeat(),
        Turn::tool_calls([(
            "issue_write",
            json!({"method": "create", "owner": USER, "repo": "mcp", "title": "Build failed", "body": body}),
        )])
        .when(after_tool)
        .repeat(),
    ])
}

/// Our MCP servers in process, for the agent.
struct McpServers {
    openshift: mcp_openshift::http::RunningHttp,
    gitea: crate::serve::ServerHandle,
    /// Stops the Gitea MCP server's sessions (its router's own token).
    gitea_cancel: CancellationToken,
}

impl McpServers {
    async fn start(world: &World, lab_namespace: &str) -> anyhow::Result<Self> {
        let path = world.stack.kubeconfig_path();
        let kubeconfig =
            kube::config::Kubeconfig::read_from(&path).context("reading the kubeconfig")?;
        let view = serde_json::to_value(&kubeconfig).unwrap_or_default();
        let mut base =
            kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?;
        base.default_namespace = lab_namespace.to_string();
        let cluster = mcp_openshift::Cluster::from_kube_config(base, view)?;
        let state = mcp_openshift::state(&mcp_openshift::Config::default(), cluster);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let openshift =
            mcp_openshift::http::serve(addr, state, &mcp_openshift::http::HttpOptions::default())
                .await
                .context("starting the OpenShift MCP server")?;
        let config = mcp_gitea::config::Config {
            host: world.gitea_url(),
            token: Some(mcp_gitea::config::Secret::new(
                world.gitea.user_token.clone(),
            )),
            tools: BTreeSet::from(["issue_write".to_string()]),
            ..Default::default()
        };
        let (gitea, gitea_cancel) = crate::stack::serve_gitea_mcp(config, 0).await?;
        Ok(Self {
            openshift,
            gitea,
            gitea_cancel,
        })
    }

    async fn shutdown(self) {
        self.gitea_cancel.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.gitea.shutdown()).await;
        self.openshift.shutdown().await;
    }
}

/// Runs the agent at each level (after a first, warm-up report). Replaces the world's LLM
/// script with the two-iteration one.
pub async fn run(world: &World, options: &Options) -> anyhow::Result<Report> {
    let lab = world.lab.clone();
    world.stack.llm.set_script(two_iterations(world));
    let servers = McpServers::start(world, &lab.namespace).await?;
    let result = measure(world, &servers, options).await;
    servers.shutdown().await;
    result
}

async fn measure(world: &World, servers: &McpServers, options: &Options) -> anyhow::Result<Report> {
    let port = free_port()?;
    let mut command = Command::new(&options.agent);
    command
        .env_clear()
        .env("PORT", port.to_string())
        .env("LITELLM_URL", world.stack.urls().llm)
        .env("LITELLM_API_KEY", LLM_API_KEY)
        .env("LITELLM_MODEL", format!("openai/{LLM_MODEL}"))
        .env(
            "MCP_OPENSHIFT_URL",
            format!("{}/sse#openshift", servers.openshift.base_url()),
        )
        .env("MCP_GITEA_URL", format!("{}/mcp", servers.gitea.base_url()))
        .env("MCP_GITEA_USER", USER)
        .env("MCP_GITEA_REPO", "mcp")
        .env("RUST_LOG", "warn");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()?;
    let base = format!("http://127.0.0.1:{port}");
    let ready = format!("{base}/readyz");
    let agent = spawn_ready(command, Duration::from_secs(30), async || {
        http_ok(&http, &ready).await
    })
    .await
    .context("starting pipeline-agent")?;
    let idle_rss_mib = agent.rss_mib()?;
    let url = format!("{base}/report-failure");
    let report = json!({"namespace": world.lab.namespace, "pod_name": world.lab.pod});
    let one = |http: reqwest::Client, url: String, body: serde_json::Value| async move {
        let response = http.post(&url).json(&body).send().await?;
        let status = response.status();
        let text = response.text().await?;
        anyhow::ensure!(
            status.is_success(),
            "HTTP {status}: {}",
            super::preview(&text)
        );
        Ok(())
    };
    // Warm-up: connections, the agent's sessions, the allocator.
    one(http.clone(), url.clone(), report.clone())
        .await
        .context("a first report")?;
    let mut levels = Vec::new();
    for &concurrency in &options.concurrency {
        world.stack.llm.clear_requests();
        let (http, url, report) = (http.clone(), url.clone(), report.clone());
        let load = closed_loop_until(vec![(); concurrency], options.budget, move |_, _| {
            one(http.clone(), url.clone(), report.clone())
        })
        .await
        .check(&format!("reports at {concurrency} concurrent"))?;
        let llm_calls = world.stack.llm.requests().len();
        levels.push(Level {
            concurrency,
            reports_per_second: load.per_second(),
            p50_ms: load.quantile_ms(0.5),
            p99_ms: load.quantile_ms(0.99),
            llm_calls_per_report: llm_calls as f64 / (load.done + load.failed) as f64,
        });
    }
    Ok(Report {
        idle_rss_mib,
        loaded_rss_mib: agent.rss_mib()?,
        levels,
    })
}
