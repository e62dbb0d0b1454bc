//! The local stack behind `testbed up`: starts the chosen emulators on loopback ports,
//! seeds them, and collects the settings (URLs, kubeconfig, tokens, keys) that scripts
//! and other services need, as `KEY=value` pairs.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use testbed::controllers::Controllers;
use testbed::gitea::{ADMIN_PASSWORD, ADMIN_USER, GiteaEmulator, LabGitea, RunningGitea};
use testbed::kube::{KubeEmulator, KubeServeOptions, LabScenario, RunningKube};
use testbed::llm::{LabFacts, LlmConfig, LlmEmulator, RunningLlm, Script, lab_script};
use testbed::stack::{prepare_cluster, provisioner_values, start_controllers};
use testbed::tools::{Tool, workspace_root};

use super::{Component, Seed};

/// What to start.
#[derive(Debug)]
pub(crate) struct StackOptions {
    /// The emulators to start (all when empty).
    pub(crate) only: Vec<Component>,
    /// A scenario to seed.
    pub(crate) seed: Option<Seed>,
    /// The lab user.
    pub(crate) user: String,
    /// kube on `base`, gitea on `base + 1`, llm on `base + 2`; free ports if `None`.
    pub(crate) port_base: Option<u16>,
    /// Where the kubeconfig goes; a temp dir removed on exit if `None`.
    pub(crate) state_dir: Option<PathBuf>,
    /// The models the LLM emulator serves.
    pub(crate) llm_models: Vec<String>,
    /// The script the LLM emulator replays.
    pub(crate) llm_script: Option<Script>,
    /// The LLM emulator's static key.
    pub(crate) llm_api_key: String,
    /// The LLM emulator's master key.
    pub(crate) llm_master_key: String,
    /// Run the simulated Argo CD / ToolHive / Deployment controllers beside the Kubernetes
    /// emulator (so a tenant the provisioner makes on it becomes ready).
    pub(crate) controllers: bool,
}

/// How often the simulated controllers pass (as in the full stack's tenant tests, a
/// fraction of the provisioner's default poll interval).
const CONTROLLER_INTERVAL: Duration = Duration::from_millis(200);

impl StackOptions {
    fn wants(&self, component: Component) -> bool {
        self.only.is_empty() || self.only.contains(&component)
    }

    fn port(&self, offset: u16) -> u16 {
        self.port_base.map_or(0, |base| base.saturating_add(offset))
    }
}

/// The running emulators and their settings.
#[derive(Debug)]
pub(crate) struct Stack {
    kube: Option<RunningKube>,
    gitea: Option<RunningGitea>,
    llm: Option<RunningLlm>,
    controllers: Option<Controllers>,
    env: Vec<(String, String)>,
}

impl Stack {
    /// Starts every wanted emulator; on error, the ones already started stop on drop.
    pub(crate) async fn start(options: &StackOptions) -> anyhow::Result<Self> {
        let mut stack = Self {
            kube: None,
            gitea: None,
            llm: None,
            controllers: None,
            env: Vec::new(),
        };
        let mut lab = None;
        let mut kube = None;
        if options.wants(Component::Kube) {
            let started = stack.start_kube(options).await?;
            lab = started.1;
            kube = Some(started.0);
        }
        let mut gitea = None;
        if options.wants(Component::Gitea) {
            gitea = Some(stack.start_gitea(options).await?);
        }
        if options.wants(Component::Llm) {
            stack.start_llm(options, lab).await?;
        }
        if let (Some(kube), Some(gitea)) = (kube, gitea) {
            stack.ready_for_the_provisioner(options, &kube, &gitea)?;
        }
        Ok(stack)
    }

    /// With the Kubernetes and the Gitea emulator: the cluster's one-time
    /// objects and the lab's source repository, and the provisioner's settings in the env
    /// file (a `--values` file, helm, the charts), so that `provisioner provision` run with
    /// them makes a tenant (that becomes ready when the controllers run).
    fn ready_for_the_provisioner(
        &mut self,
        options: &StackOptions,
        kube: &KubeEmulator,
        gitea: &GiteaEmulator,
    ) -> anyhow::Result<()> {
        prepare_cluster(kube, gitea)?;
        let Some(dir) = self
            .kube
            .as_ref()
            .and_then(|k| k.kubeconfig_path().parent().map(PathBuf::from))
        else {
            return Ok(());
        };
        let gitea_url = self
            .gitea
            .as_ref()
            .map(|g| g.base_url())
            .unwrap_or_default();
        let model = options.llm_models.first().map_or("local", String::as_str);
        let values = dir.join("provisioner-values.yaml");
        std::fs::write(&values, provisioner_values(&gitea_url, model))
            .with_context(|| format!("writing {}", values.display()))?;
        self.set("PROVISIONER_VALUES", values.display().to_string());
        if let Some(helm) = Tool::Helm.find() {
            self.set("HELM_BIN", helm.display().to_string());
        }
        self.set(
            "PROVISIONER_CHARTS_DIR",
            workspace_root().join("charts").display().to_string(),
        );
        Ok(())
    }

    /// Starts the Kubernetes emulator; returns it and the lab it seeded, if any.
    async fn start_kube(
        &mut self,
        options: &StackOptions,
    ) -> anyhow::Result<(KubeEmulator, Option<LabScenario>)> {
        let emulator = KubeEmulator::new();
        let mut lab = None;
        if options.seed == Some(Seed::Lab) {
            let seeded = emulator.seed_lab(&options.user);
            tracing::info!(namespace = %seeded.namespace, pipeline_run = %seeded.pipeline_run, pod = %seeded.pod, "seeded the lab scenario");
            lab = Some(seeded);
        }
        let serve = KubeServeOptions {
            port: options.port(0),
            dir: options.state_dir.clone(),
            ..KubeServeOptions::default()
        };
        let kube = emulator
            .serve(serve)
            .await
            .context("starting the Kubernetes API emulator")?;
        tracing::info!(url = %kube.url(), "Kubernetes API emulator ready");
        if options.controllers {
            self.controllers = Some(start_controllers(&emulator, CONTROLLER_INTERVAL));
            tracing::info!("simulated Argo CD, ToolHive and Deployment controllers running");
        }
        self.set("KUBECONFIG", kube.kubeconfig_path().display().to_string());
        self.set("KUBE_API_URL", kube.url());
        self.kube = Some(kube);
        Ok((emulator, lab))
    }

    /// Starts the Gitea emulator with the admin and the lab user (and, under
    /// `--seed lab`, the `mcp` repository with branches `main` and `broken`).
    async fn start_gitea(&mut self, options: &StackOptions) -> anyhow::Result<GiteaEmulator> {
        let emulator = GiteaEmulator::new();
        let lab = if options.seed == Some(Seed::Lab) {
            emulator.seed_lab(&options.user)
        } else {
            let password = format!("{}-password", options.user);
            emulator.create_user(&options.user, &password, false);
            LabGitea {
                admin_user: ADMIN_USER.into(),
                admin_password: ADMIN_PASSWORD.into(),
                admin_token: emulator.admin_token(),
                user: options.user.clone(),
                user_password: password,
                user_token: emulator.create_token(
                    &options.user,
                    "testbed",
                    &["write:issue", "write:repository", "read:user"],
                ),
                repo: String::new(),
            }
        };
        let gitea = emulator
            .serve(options.port(1))
            .await
            .context("starting the Gitea emulator")?;
        tracing::info!(url = %gitea.base_url(), "Gitea emulator ready");
        self.set(
            "GITEA_URL",
            gitea.base_url().trim_end_matches('/').to_string(),
        );
        self.set("GITEA_ADMIN_USER", lab.admin_user);
        self.set("GITEA_ADMIN_PASSWORD", lab.admin_password);
        self.set("GITEA_ADMIN_TOKEN", lab.admin_token);
        self.set("GITEA_USER", lab.user);
        self.set("GITEA_USER_PASSWORD", lab.user_password);
        self.set("GITEA_USER_TOKEN", lab.user_token);
        if !lab.repo.is_empty() {
            self.set("GITEA_REPO", lab.repo);
        }
        self.gitea = Some(gitea);
        Ok(emulator)
    }

    /// Starts the LLM emulator with `--llm-script`, or with the lab script under
    /// `--seed lab` (the names come from the seeded cluster, or the same seed in memory).
    async fn start_llm(
        &mut self,
        options: &StackOptions,
        lab: Option<LabScenario>,
    ) -> anyhow::Result<()> {
        let mut config = LlmConfig {
            api_key: options.llm_api_key.clone(),
            master_key: options.llm_master_key.clone(),
            ..LlmConfig::default()
        };
        if !options.llm_models.is_empty() {
            config.models = options.llm_models.clone();
        }
        let emulator = LlmEmulator::new(config.clone());
        if let Some(script) = &options.llm_script {
            emulator.set_script(script.clone());
        } else if options.seed == Some(Seed::Lab) {
            let lab = lab.unwrap_or_else(|| KubeEmulator::new().seed_lab(&options.user));
            emulator.set_script(lab_script(&LabFacts {
                user: lab.user,
                namespace: lab.namespace,
                pod: lab.pod,
                container: lab.failed_container,
                failure_line: lab.failure_line,
            }));
        }
        let llm = emulator
            .serve(options.port(2))
            .await
            .context("starting the LLM emulator")?;
        tracing::info!(url = %llm.base_url(), "LLM emulator ready");
        self.set("LLM_URL", llm.base_url());
        self.set("LLM_API_KEY", config.api_key);
        self.set("LITELLM_URL", llm.root_url());
        self.set("LITELLM_MASTER_KEY", config.master_key);
        self.set(
            "LLM_MODEL",
            config.models.first().cloned().unwrap_or_default(),
        );
        self.llm = Some(llm);
        Ok(())
    }

    fn set(&mut self, key: &str, value: String) {
        self.env.push((key.to_string(), value));
    }

    /// The settings, in start order.
    pub(crate) fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The settings as a dotenv text that a shell can `source`.
    pub(crate) fn dotenv(&self) -> String {
        self.env
            .iter()
            .map(|(key, value)| format!("{key}={}\n", shell_quote(value)))
            .collect()
    }

    /// Stops every emulator and waits for them.
    pub(crate) async fn shutdown(self) {
        drop(self.controllers);
        if let Some(llm) = self.llm {
            llm.shutdown().await;
        }
        if let Some(gitea) = self.gitea {
            gitea.shutdown().await;
        }
        if let Some(kube) = self.kube {
            kube.shutdown().await;
        }
    }
}

/// Leaves plain values bare and single-quotes the rest, so `source` reads them back.
pub(crate) fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@+,=".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting_keeps_urls_bare_and_protects_spaces() {
        assert_eq!(
            shell_quote("http://127.0.0.1:1/v1"),
            "http://127.0.0.1:1/v1"
        );
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
