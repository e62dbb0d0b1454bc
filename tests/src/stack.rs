//! The whole lab on one machine, in process: the Kubernetes, Gitea and LLM emulators with
//! the simulated controllers, then (with `platform`) the provisioner's tenant `user1`, our
//! OpenShift MCP server (legacy SSE + streamable HTTP), our Gitea MCP server (streamable
//! HTTP) and the agent, all on loopback ports.
//!
//! Credentials follow the lab: the tenant's Gitea MCP server uses the scoped token the
//! provisioner issued (the `gitea-creds` Secret's value), the agent uses the tenant's
//! LiteLLM virtual key (the `agent-llm` Secret's value). Both are read back from the
//! provisioner's state Secret, so the stack runs on exactly what the provisioner made.
//! The OpenShift MCP server passes a caller's bearer token through to the Kubernetes
//! emulator and otherwise acts with the kubeconfig's identity (as a service account would).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use testbed::stack::{Stack, StackOptions};
//! let stack = Stack::start(StackOptions::default()).await?;
//! println!("{}", stack.urls().agent);
//! stack.shutdown().await;
//! # Ok(()) }
//! ```

mod attendee;
mod cluster_setup;
mod operator;
mod platform;
mod tenant;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

pub use attendee::{librechat_mcp_servers, tekton_curl};
pub use cluster_setup::{
    DOMAIN, prepare_cluster, provisioner_for, provisioner_values, start_controllers,
};
pub(crate) use platform::serve_gitea_mcp;
pub use platform::{EXTRA_SERVER, LlmEndpoint, Platform};
pub use tenant::{Credentials, TenantLab, leftovers};

use crate::controllers::Controllers;
use crate::gitea::{GiteaEmulator, RunningGitea};
use crate::kube::{KubeEmulator, KubeServeOptions, LabScenario, RunningKube};
use crate::llm::{LabFacts, LlmConfig, LlmEmulator, RunningLlm, lab_script};

/// The lab user of the local stack.
pub const USER: &str = "user1";
/// The tenant's guid (the LiteLLM key alias is `virtkey-<guid>`).
pub const GUID: &str = "local";
/// The LLM emulator's static key.
pub const LLM_API_KEY: &str = "sk-testbed";
/// The LLM emulator's LiteLLM master key (the provisioner makes virtual keys with it).
pub const LLM_MASTER_KEY: &str = "sk-master";
/// The model the emulator serves and the provisioner assigns.
pub const LLM_MODEL: &str = "local";

/// What to start.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Seed the lab's failed `build-agent` PipelineRun (module 2) before anything else.
    pub seed_lab: bool,
    /// Provision `user` and start the MCP servers and the agent; emulators only if false.
    pub platform: bool,
    /// The tenant.
    pub user: String,
    /// First port: kube, gitea, llm, OpenShift MCP, Gitea MCP, agent on base..base+5 (the
    /// extra MCP server on base+6); free ports if `None`.
    pub port_base: Option<u16>,
    /// Where the kubeconfig goes; a temp dir removed on shutdown if `None`.
    pub state_dir: Option<PathBuf>,
    /// The agent's model endpoint: the LLM emulator if `None`.
    pub llm: Option<LlmEndpoint>,
    /// How often the simulated controllers pass.
    pub controller_interval: Duration,
    /// Order the tenant as a `Tenant` resource provisioned by the Tenant operator (run in
    /// this process) instead of calling the provisioner library directly.
    pub via_operator: bool,
    /// Start a third, read-only MCP server for the agent (our OpenShift server limited to
    /// `events_list`, named `cluster-events`, an evidence server in `MCP_SERVERS`) over
    /// this transport (`sse` or `streamable-http`); none if `None`.
    pub extra_server: Option<String>,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            seed_lab: true,
            platform: true,
            user: USER.into(),
            port_base: None,
            state_dir: None,
            llm: None,
            controller_interval: Duration::from_millis(25),
            via_operator: false,
            extra_server: None,
        }
    }
}

impl StackOptions {
    fn port(&self, offset: u16) -> u16 {
        self.port_base.map_or(0, |base| base.saturating_add(offset))
    }
}

/// Every URL of the running stack (no trailing slash).
#[derive(Debug, Clone, Default)]
pub struct Urls {
    /// Kubernetes API emulator (HTTPS).
    pub kube: String,
    /// Gitea emulator (web root).
    pub gitea: String,
    /// LLM emulator, OpenAI base (`…/v1`).
    pub llm: String,
    /// LLM emulator root (LiteLLM key API).
    pub litellm: String,
    /// OpenShift MCP server, legacy SSE (`…/sse`).
    pub mcp_openshift_sse: String,
    /// OpenShift MCP server, streamable HTTP (`…/mcp`).
    pub mcp_openshift_http: String,
    /// Gitea MCP server, streamable HTTP (`…/mcp`).
    pub mcp_gitea: String,
    /// The third, read-only MCP server (`StackOptions::extra_server`) as the agent reaches
    /// it; empty without one.
    pub mcp_extra: String,
    /// The agent's root.
    pub agent: String,
}

/// Entry point.
#[derive(Debug)]
pub struct Stack;

/// A running stack; [`RunningStack::shutdown`] stops everything.
pub struct RunningStack {
    /// The Kubernetes emulator (shared state with the served one).
    pub kube: KubeEmulator,
    /// The Gitea emulator.
    pub gitea: GiteaEmulator,
    /// The LLM emulator.
    pub llm: LlmEmulator,
    /// The seeded failed run, when `seed_lab`.
    pub lab: Option<LabScenario>,
    /// The tenant and its provisioner (with `platform`).
    pub tenant: Option<TenantLab>,
    /// The MCP servers and the agent (with `platform`).
    pub platform: Option<Platform>,
    /// Which model endpoint the agent uses.
    pub llm_endpoint: LlmEndpoint,
    kube_srv: RunningKube,
    gitea_srv: RunningGitea,
    llm_srv: RunningLlm,
    controllers: Controllers,
}

impl std::fmt::Debug for RunningStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningStack")
            .field("urls", &self.urls())
            .finish_non_exhaustive()
    }
}

impl Stack {
    /// Starts the emulators and controllers, then (with `platform`) provisions the tenant
    /// and starts the MCP servers and the agent on its credentials.
    pub async fn start(options: StackOptions) -> anyhow::Result<RunningStack> {
        let kube = KubeEmulator::new();
        let lab = options.seed_lab.then(|| kube.seed_lab(&options.user));
        let kube_srv = kube
            .serve(KubeServeOptions {
                port: options.port(0),
                dir: options.state_dir.clone(),
                ..KubeServeOptions::default()
            })
            .await
            .context("starting the Kubernetes API emulator")?;
        let gitea = GiteaEmulator::new();
        let gitea_srv = gitea
            .serve(options.port(1))
            .await
            .context("starting the Gitea emulator")?;
        let llm = LlmEmulator::new(LlmConfig {
            api_key: LLM_API_KEY.into(),
            master_key: LLM_MASTER_KEY.into(),
            models: vec![LLM_MODEL.into()],
            ..LlmConfig::default()
        });
        // The lab script names the seeded run; the same seed in memory when not seeded.
        let facts = lab
            .clone()
            .unwrap_or_else(|| KubeEmulator::new().seed_lab(&options.user));
        llm.set_script(lab_script(&LabFacts {
            user: facts.user,
            namespace: facts.namespace,
            pod: facts.pod,
            container: facts.failed_container,
            failure_line: facts.failure_line,
        }));
        let llm_srv = llm
            .serve(options.port(2))
            .await
            .context("starting the LLM emulator")?;
        let controllers = cluster_setup::start_controllers(&kube, options.controller_interval);
        let llm_endpoint = options.llm.clone().unwrap_or_else(|| LlmEndpoint {
            url: llm_srv.base_url(),
            api_key: None,
            model: format!("openai/{LLM_MODEL}"),
            emulated: true,
            agent_env: Vec::new(),
        });
        let mut stack = RunningStack {
            kube,
            gitea,
            llm,
            lab,
            tenant: None,
            platform: None,
            llm_endpoint,
            kube_srv,
            gitea_srv,
            llm_srv,
            controllers,
        };
        if options.platform {
            // On error, everything started so far stops on drop.
            let tenant = TenantLab::provision_with(&stack, &options.user, options.via_operator)
                .await
                .context("provisioning the tenant")?;
            let platform = Platform::start(&stack, &tenant, &options)
                .await
                .context("starting the MCP servers and the agent")?;
            stack.tenant = Some(tenant);
            stack.platform = Some(platform);
        }
        Ok(stack)
    }
}

impl RunningStack {
    /// Every URL (the platform's are empty without `platform`).
    pub fn urls(&self) -> Urls {
        let mut urls = Urls {
            kube: self.kube_srv.url().trim_end_matches('/').to_string(),
            gitea: self.gitea_srv.base_url().trim_end_matches('/').to_string(),
            llm: self.llm_srv.base_url(),
            litellm: self.llm_srv.root_url(),
            ..Urls::default()
        };
        if let Some(platform) = &self.platform {
            platform.fill_urls(&mut urls);
        }
        urls
    }

    /// The emulator's kubeconfig (admin token user).
    pub fn kubeconfig_path(&self) -> PathBuf {
        self.kube_srv.kubeconfig_path().to_path_buf()
    }

    /// The tenant's credentials (with `platform`).
    pub fn credentials(&self) -> Option<&Credentials> {
        self.tenant.as_ref().map(|t| &t.credentials)
    }

    /// The settings as `KEY=value` pairs: the emulators' variables (as `up --no-platform`
    /// writes them) plus the platform's URLs.
    pub fn env(&self) -> Vec<(String, String)> {
        let urls = self.urls();
        let mut env: Vec<(&str, String)> = vec![
            ("KUBECONFIG", self.kubeconfig_path().display().to_string()),
            ("KUBE_API_URL", urls.kube.clone()),
            ("GITEA_URL", urls.gitea.clone()),
            ("GITEA_ADMIN_USER", crate::gitea::ADMIN_USER.into()),
            ("GITEA_ADMIN_PASSWORD", crate::gitea::ADMIN_PASSWORD.into()),
            ("GITEA_ADMIN_TOKEN", self.gitea.admin_token()),
            ("LLM_URL", urls.llm.clone()),
            ("LLM_API_KEY", LLM_API_KEY.into()),
            ("LITELLM_URL", urls.litellm.clone()),
            ("LITELLM_MASTER_KEY", LLM_MASTER_KEY.into()),
            ("LLM_MODEL", LLM_MODEL.into()),
        ];
        if let Some(tenant) = &self.tenant {
            let c = &tenant.credentials;
            env.push(("GITEA_USER", c.user.clone()));
            env.push(("GITEA_USER_PASSWORD", c.gitea_password.clone()));
            env.push(("GITEA_USER_TOKEN", c.gitea_token.clone()));
            env.push(("GITEA_REPO", c.repo.clone()));
            env.push(("TENANT_LLM_KEY", c.llm_key.clone()));
        }
        if self.platform.is_some() {
            env.push(("MCP_OPENSHIFT_SSE_URL", urls.mcp_openshift_sse));
            env.push(("MCP_OPENSHIFT_HTTP_URL", urls.mcp_openshift_http));
            env.push(("MCP_GITEA_URL", urls.mcp_gitea));
            if !urls.mcp_extra.is_empty() {
                env.push(("MCP_EXTRA_URL", urls.mcp_extra));
            }
            env.push(("AGENT_URL", urls.agent));
        }
        env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// Stops the agent, the MCP servers, the controllers and the emulators, and waits.
    pub async fn shutdown(self) {
        if let Some(platform) = self.platform {
            platform.shutdown().await;
        }
        drop(self.controllers);
        self.llm_srv.shutdown().await;
        self.gitea_srv.shutdown().await;
        self.kube_srv.shutdown().await;
    }
}
