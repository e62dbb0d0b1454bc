//! `testbed up` (the full stack) and `testbed demo`: start [`testbed::stack`], print what
//! a lab attendee gets, and wait for Ctrl-C; or run the demo flow once.

use std::path::PathBuf;

use testbed::stack::{
    LlmEndpoint, RunningStack, Stack, StackOptions, librechat_mcp_servers, tekton_curl,
};

use super::emulators::shell_quote;
use super::{SHUTDOWN_GRACE, UpArgs, wait_for_stop_signal, write_atomically};

/// The agent's model: a real endpoint when `LITELLM_URL`, `LITELLM_API_KEY` and
/// `LITELLM_MODEL` are all set, else the LLM emulator.
fn llm_from_env() -> Option<LlmEndpoint> {
    LlmEndpoint::from_lookup(|key| std::env::var(key).ok())
}

/// Runs the full stack until Ctrl-C (or SIGTERM).
pub(crate) async fn up(args: UpArgs) -> anyhow::Result<()> {
    let options = StackOptions {
        user: args.user.clone(),
        port_base: args.port_base,
        state_dir: args.state_dir.clone(),
        llm: llm_from_env(),
        via_operator: !args.no_operator,
        extra_server: args.extra_server.clone(),
        ..StackOptions::default()
    };
    let stack = Stack::start(options).await?;
    if let Some(path) = &args.env_file {
        write_atomically(path, &dotenv(&stack.env()))?;
        tracing::info!(path = %path.display(), "wrote the env file");
    }
    print_attendee(&stack);
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    stop(stack, args.env_file).await;
    Ok(())
}

async fn stop(stack: RunningStack, env_file: Option<PathBuf>) {
    if tokio::time::timeout(SHUTDOWN_GRACE, stack.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; stopping without waiting");
    }
    if let Some(path) = env_file {
        let _ = std::fs::remove_file(path);
    }
}

fn dotenv(env: &[(String, String)]) -> String {
    env.iter()
        .map(|(key, value)| format!("{key}={}\n", shell_quote(value)))
        .collect()
}

/// What the lab's provisioning e-mail and guide give an attendee, for the local stack.
fn print_attendee(stack: &RunningStack) {
    let urls = stack.urls();
    println!("testbed is up (the whole lab on loopback ports); Ctrl-C stops it.\n");
    println!("LLM: {}", stack.llm_endpoint.describe());
    println!("\nURLs");
    for (name, url) in [
        ("Kubernetes API (kubeconfig below)", &urls.kube),
        ("Gitea", &urls.gitea),
        ("LLM (OpenAI API)", &urls.llm),
        ("OpenShift MCP, SSE", &urls.mcp_openshift_sse),
        ("OpenShift MCP, streamable HTTP", &urls.mcp_openshift_http),
        ("Gitea MCP, streamable HTTP", &urls.mcp_gitea),
        ("Agent", &urls.agent),
    ] {
        println!("  {name:<34} {url}");
    }
    println!(
        "  {:<34} {}",
        "KUBECONFIG",
        stack.kubeconfig_path().display()
    );
    if let Some(creds) = stack.credentials() {
        println!("\nTenant {} (local credentials)", creds.user);
        println!(
            "  Gitea login         {} / {}",
            creds.user, creds.gitea_password
        );
        println!(
            "  Gitea repository    {}/{}/{}",
            urls.gitea, creds.user, creds.repo
        );
        println!("  Gitea token (MCP)   {}", creds.gitea_token);
        println!("  LiteLLM virtual key {}", creds.llm_key);
        println!("  LibreChat password  {}", creds.librechat_password);
    }
    if let Some(tenant) = &stack.tenant {
        println!(
            "  provisioned in {} ms ({} steps)",
            tenant.report.millis,
            tenant.report.steps.len()
        );
    }
    println!(
        "\nLibreChat (librechat.yaml):\n{}",
        librechat_mcp_servers(&urls)
    );
    if let Some(lab) = &stack.lab {
        println!(
            "The trigger-agent Tekton step for the failed run {}:",
            lab.pipeline_run
        );
        println!(
            "{}\n",
            tekton_curl(
                &urls,
                &lab.namespace,
                &lab.pipeline_run,
                &lab.pipeline_run_uid,
                &lab.pod,
                &lab.failed_container,
            )
        );
    }
    println!("Variables (also in --env-file):");
    for (key, value) in stack.env() {
        println!("{key}={}", shell_quote(&value));
    }
}

/// `testbed demo`: the flow of [`testbed::demo`], against the emulator or a real LLM.
pub(crate) async fn demo() -> anyhow::Result<()> {
    let outcome = testbed::demo::run(llm_from_env(), &mut std::io::stdout()).await?;
    println!("{}", outcome.issue_url);
    Ok(())
}
