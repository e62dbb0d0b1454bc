//! The lab's module 2 end to end on the local stack (`testbed demo`):
//!
//! 1. provision tenant `user1` (timed);
//! 2. a `build-agent` PipelineRun on branch `broken` fails at the buildah `COPY` step (the
//!    lab seed: the pod, TaskRun and step the chart's pipeline produces);
//! 3. the chart's own `trigger-agent.sh` runs as a subprocess with the real `kubectl`
//!    (emulator kubeconfig) and the real `curl`, and POSTs the failed pod to the agent;
//! 4. the agent reads the step's log through our OpenShift MCP server (SSE) and files the
//!    issue through our Gitea MCP server (streamable HTTP);
//! 5. the issue is checked as Gitea stores it, the tenant destroyed, and nothing of it may
//!    be left.
//!
//! Every check is an error, so `demo` succeeds only when all of them held.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::Value;

use crate::stack::{LlmEndpoint, RunningStack, Stack, StackOptions, leftovers};
use crate::tools::workspace_root;

/// What the demo produced.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    /// The issue's URL as Gitea stores it.
    pub issue_url: String,
    /// The issue as Gitea stores it.
    pub issue: Value,
    /// The agent's response to the trigger script.
    pub agent_response: Value,
    /// The agent's `/metrics` right after the report (tool calls by tool and outcome).
    pub agent_metrics: String,
    /// Provisioning time.
    pub provision: Duration,
    /// Destroy time.
    pub destroy: Duration,
}

/// How long the trigger script may run (the agent's whole run included).
const TRIGGER_TIMEOUT: Duration = Duration::from_secs(180);

/// Runs the demo on a fresh stack (the LLM emulator unless `llm` is given), writing its
/// report to `out`; the stack is stopped before returning.
pub async fn run(llm: Option<LlmEndpoint>, out: &mut dyn Write) -> anyhow::Result<DemoOutcome> {
    run_with(llm, None, out).await
}

/// [`run`] with a third, read-only MCP server given to the agent over `extra_server`
/// (`sse` or `streamable-http`): the issue must name its evidence tool.
pub async fn run_with(
    llm: Option<LlmEndpoint>,
    extra_server: Option<String>,
    out: &mut dyn Write,
) -> anyhow::Result<DemoOutcome> {
    let options = StackOptions {
        seed_lab: false,
        llm,
        extra_server,
        ..StackOptions::default()
    };
    let started = Instant::now();
    let stack = Stack::start(options).await?;
    let result = run_on(&stack, started, out).await;
    stack.shutdown().await;
    result
}

async fn run_on(
    stack: &RunningStack,
    started: Instant,
    out: &mut dyn Write,
) -> anyhow::Result<DemoOutcome> {
    let tenant = stack.tenant.as_ref().context("the stack has no tenant")?;
    let creds = &tenant.credentials;
    writeln!(out, "LLM: {}", stack.llm_endpoint.describe())?;
    writeln!(
        out,
        "1. provisioned tenant {} in {} ms ({} steps; stack up in {} ms)",
        creds.user,
        tenant.report.millis,
        tenant.report.steps.len(),
        started.elapsed().as_millis()
    )?;

    // Module 2: the build of branch `broken` fails at the buildah COPY step.
    let lab = simulate_failed_build(stack, &tenant.tenant.namespaces())?;
    writeln!(
        out,
        "2. PipelineRun {}/{} (the chart's build-agent Pipeline, branch broken) failed: TaskRun {}, pod {}, step {}: {}",
        lab.namespace,
        lab.pipeline_run,
        lab.task_run,
        lab.pod,
        lab.failed_container,
        lab.failure_line
    )?;

    let urls = stack.urls();
    let (script_out, agent_response) = trigger(stack, &lab, &urls.agent).await?;
    writeln!(out, "3. trigger-agent.sh:\n{}", indent(&script_out))?;
    writeln!(
        out,
        "4. the agent answered:\n{}",
        indent(&serde_json::to_string_pretty(&agent_response)?)
    )?;

    let agent_metrics = reqwest::get(format!("{}/metrics", urls.agent))
        .await
        .context("reading the agent's metrics")?
        .text()
        .await?;
    let issues = stack.gitea.issues(&creds.user, &creds.repo);
    ensure!(
        issues.len() == 1,
        "expected one issue in {}/{}, found {}",
        creds.user,
        creds.repo,
        issues.len()
    );
    let issue = issues[0].clone();
    let title = issue["title"].as_str().unwrap_or_default();
    let body = issue["body"].as_str().unwrap_or_default();
    let issue_url = issue["html_url"].as_str().unwrap_or_default().to_string();
    writeln!(
        out,
        "5. the issue as Gitea stores it:\n   {issue_url}\n   title: {title}\n{}",
        indent(body)
    )?;
    check_issue(
        stack,
        &issue,
        &lab.pod,
        &lab.failed_container,
        &agent_response,
    )?;
    if !urls.mcp_extra.is_empty() {
        let named = format!(
            "`{0}__events_list` (server `{0}`)",
            crate::stack::EXTRA_SERVER
        );
        ensure!(
            body.contains(&named),
            "the issue does not name the third server's evidence ({named})"
        );
        writeln!(out, "   the third MCP server's evidence is named: {named}")?;
    }
    if stack.llm_endpoint.emulated {
        // The step's log reached the model as a tool result (read over MCP, not made up).
        let log_seen = stack.llm.requests().iter().any(|request| {
            request.messages.iter().any(|m| {
                m["role"] == "tool"
                    && m["content"]
                        .as_str()
                        .is_some_and(|c| c.contains(&lab.failure_line))
            })
        });
        ensure!(
            log_seen,
            "the failed step's log never reached the model through the OpenShift MCP server"
        );
    }
    writeln!(
        out,
        "   checks passed: one issue in {}/{}, names requirements.txt, the pod and the step, four sections, no secrets",
        creds.user, creds.repo
    )?;

    let destroying = Instant::now();
    tenant.destroy().await.context("destroying the tenant")?;
    let left = wait_for_nothing_left(stack).await?;
    let destroy = destroying.elapsed();
    ensure!(left.is_empty(), "left after destroy: {left:?}");
    writeln!(
        out,
        "6. destroyed tenant {} in {} ms: no namespace, Gitea user or token, LiteLLM key or Argo CD object left",
        creds.user,
        destroy.as_millis()
    )?;
    Ok(DemoOutcome {
        issue_url,
        issue,
        agent_response,
        agent_metrics,
        provision: Duration::from_millis(u64::try_from(tenant.report.millis).unwrap_or(u64::MAX)),
        destroy,
    })
}

/// Seeds the lab's failed run into the provisioned namespaces. The seed (re)creates the
/// tenant namespaces bare and a simplified `build-agent` Pipeline, so the provisioned
/// versions (namespace labels that mark them as the provisioner's, the chart's Pipeline)
/// are put back afterwards.
fn simulate_failed_build(
    stack: &RunningStack,
    namespaces: &[String],
) -> anyhow::Result<crate::kube::LabScenario> {
    let user = stack
        .credentials()
        .map(|c| c.user.clone())
        .unwrap_or_default();
    let mut saved: Vec<Value> = namespaces
        .iter()
        .filter_map(|ns| stack.kube.get("v1", "Namespace", None, ns))
        .collect();
    let agent_ns = format!("agent-{user}");
    saved.extend(
        stack
            .kube
            .get("tekton.dev/v1", "Pipeline", Some(&agent_ns), "build-agent"),
    );
    let lab = stack.kube.seed_lab(&user);
    for mut object in saved {
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.remove("resourceVersion");
        }
        stack
            .kube
            .apply_object(object)
            .map_err(|e| anyhow::anyhow!("restoring a provisioned object: {e}"))?;
    }
    match_the_chart_pipeline(stack, &lab)?;
    Ok(lab)
}

/// Makes the seeded PipelineRun the one the chart's `build-agent` Pipeline (rendered into
/// `agent-<user>` by the emulated Argo CD) runs for branch `broken`, and checks that the
/// failed TaskRun is that Pipeline's buildah task and that its `trigger-agent` finally task
/// is there.
fn match_the_chart_pipeline(
    stack: &RunningStack,
    lab: &crate::kube::LabScenario,
) -> anyhow::Result<()> {
    let ns = lab.namespace.as_str();
    let pipeline = stack
        .kube
        .get("tekton.dev/v1", "Pipeline", Some(ns), "build-agent")
        .context("the chart's build-agent Pipeline is not in the cluster (the emulated Argo CD renders it with helm from scripts/install-tools)")?;
    let mut run = stack
        .kube
        .get("tekton.dev/v1", "PipelineRun", Some(ns), &lab.pipeline_run)
        .context("the seeded PipelineRun")?;
    ensure!(
        run["spec"]["pipelineRef"]["name"] == pipeline["metadata"]["name"],
        "the PipelineRun does not run the chart's Pipeline"
    );
    let declared: Vec<&str> = pipeline["spec"]["params"]
        .as_array()
        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    let user = &lab.user;
    let repo = format!("{}/{user}/mcp.git", stack.urls().gitea);
    let image = format!("image-registry.openshift-image-registry.svc:5000/{ns}/agent:latest");
    let params = [
        ("APP_NAME", "agent".to_string()),
        ("IMAGE_NAME", image),
        ("GIT_REPO", repo),
        ("GIT_REVISION", "broken".to_string()),
        ("PATH_CONTEXT", "agent".to_string()),
    ];
    for (name, _) in &params {
        ensure!(
            declared.contains(name),
            "the chart's Pipeline has no parameter {name}"
        );
    }
    run["spec"]["params"] = params
        .iter()
        .map(|(name, value)| serde_json::json!({"name": name, "value": value}))
        .collect();
    if let Some(meta) = run["metadata"].as_object_mut() {
        meta.remove("resourceVersion");
    }
    stack
        .kube
        .apply_object(run)
        .map_err(|e| anyhow::anyhow!("updating the PipelineRun: {e}"))?;
    let task_run = stack
        .kube
        .get("tekton.dev/v1", "TaskRun", Some(ns), &lab.task_run)
        .context("the failed TaskRun")?;
    let task = task_run["metadata"]["labels"]["tekton.dev/pipelineTask"]
        .as_str()
        .unwrap_or_default();
    let chart_task = pipeline["spec"]["tasks"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == task))
        .with_context(|| format!("the chart's Pipeline has no task {task}"))?;
    ensure!(
        chart_task["taskRef"].to_string().contains("buildah"),
        "the chart's task {task} is not buildah"
    );
    let finally_names = pipeline["spec"]["finally"].to_string();
    ensure!(
        finally_names.contains("trigger-agent"),
        "the chart's Pipeline has no trigger-agent finally task"
    );
    Ok(())
}

/// Runs the chart's `trigger-agent.sh` as the finally task would; returns its output and
/// the agent's JSON answer.
async fn trigger(
    stack: &RunningStack,
    lab: &crate::kube::LabScenario,
    agent_url: &str,
) -> anyhow::Result<(String, Value)> {
    let script = workspace_root().join("charts/agent/files/trigger-agent.sh");
    let run = tokio::process::Command::new("sh")
        .arg(&script)
        .env("AGGREGATE_STATUS", "Failed")
        .env("NAMESPACE", &lab.namespace)
        .env("PIPELINE_RUN", &lab.pipeline_run)
        .env("PIPELINE_RUN_UID", &lab.pipeline_run_uid)
        .env("AGENT_ENDPOINT", format!("{agent_url}/report-failure"))
        .env("REPORT_TIMEOUT", "170")
        .env("KUBECTL", "kubectl")
        .env("KUBECONFIG", stack.kubeconfig_path())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(TRIGGER_TIMEOUT, run)
        .await
        .context("trigger-agent.sh did not finish in time")?
        .with_context(|| format!("running {}", script.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!(
            "trigger-agent.sh failed ({}):\n{stdout}{stderr}",
            output.status
        );
    }
    let answer = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Agent answered: "))
        .context("trigger-agent.sh printed no agent answer")?;
    let response: Value = serde_json::from_str(answer).context("the agent's answer is not JSON")?;
    ensure!(
        response["status"] == "success",
        "the agent did not succeed: {response}"
    );
    Ok((stdout, response))
}

/// The issue names the missing file, the pod and the failed step, has the four sections,
/// carries no secret, and is the one the agent reported.
fn check_issue(
    stack: &RunningStack,
    issue: &Value,
    pod: &str,
    container: &str,
    response: &Value,
) -> anyhow::Result<()> {
    let body = issue["body"].as_str().unwrap_or_default();
    let text = format!("{}\n{body}", issue["title"].as_str().unwrap_or_default());
    ensure!(
        text.contains("requirements.txt"),
        "the issue does not name requirements.txt"
    );
    ensure!(text.contains(pod), "the issue does not name the pod {pod}");
    let step = container.strip_prefix("step-").unwrap_or(container);
    ensure!(
        text.contains(container) || text.contains(step),
        "the issue does not name the failed step {container}"
    );
    for section in agent::prompt::BODY_SECTIONS {
        ensure!(
            body.contains(section),
            "the issue lacks the section {section}"
        );
    }
    let mut secrets = vec![
        stack.gitea.admin_token(),
        crate::gitea::ADMIN_PASSWORD.to_string(),
        crate::stack::LLM_MASTER_KEY.to_string(),
        crate::stack::LLM_API_KEY.to_string(),
    ];
    if let Some(creds) = stack.credentials() {
        secrets.extend([
            creds.gitea_token.clone(),
            creds.llm_key.clone(),
            creds.gitea_password.clone(),
            creds.librechat_password.clone(),
        ]);
    }
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        ensure!(
            !text.contains(secret.as_str()),
            "the issue contains a secret"
        );
    }
    ensure!(
        response["issue_url"] == issue["html_url"],
        "the agent reported {} but Gitea stores {}",
        response["issue_url"],
        issue["html_url"]
    );
    Ok(())
}

/// Destroy returns once the provisioner's steps are done; the emulated controllers may
/// still be finishing a cascade, so look again for a bounded time.
async fn wait_for_nothing_left(stack: &RunningStack) -> anyhow::Result<Vec<String>> {
    let tenant = stack.tenant.as_ref().context("the stack has no tenant")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = leftovers(stack, tenant).await?;
        if left.is_empty() || Instant::now() > deadline {
            return Ok(left);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("   | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
