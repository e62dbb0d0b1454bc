//! What the emulated cluster needs before a tenant is ordered (the control namespace, the
//! cluster Ingress, the lab's source repository, the simulated controllers), and the
//! provisioner library set up against the stack's emulators.

use std::sync::Arc;
use std::time::Duration;

use provisioner::config::{GiteaAccess, LlmAccess, Secret};
use provisioner::gitea::Gitea;
use provisioner::litellm::LiteLlm;
use provisioner::{Cluster, Helm, Mode, Provisioner, Settings};
use serde_json::Value;

use super::{LLM_MASTER_KEY, LLM_MODEL, RunningStack};
use crate::controllers::{AppRenderer, ControllerOptions, Controllers};
use crate::gitea::{ADMIN_PASSWORD, ADMIN_USER, GiteaEmulator};
use crate::kube::KubeEmulator;
use crate::tools::{Tool, workspace_root};

/// The apps domain of the emulated cluster.
pub const DOMAIN: &str = "apps.lab.local";
/// Where the tenant's repository is migrated from (`repoSource`).
pub(crate) const SOURCE_OWNER: &str = "lab-source";
pub(crate) const SOURCE_REPO: &str = "mcp-lab";
/// The control namespace (Argo CD, the provisioner's state).
pub(crate) const CONTROL_NAMESPACE: &str = "openshift-gitops";

/// Starts the simulated Argo CD / ToolHive / Deployment controllers; Applications of our
/// charts are rendered with the real helm when it is installed.
pub fn start_controllers(kube: &KubeEmulator, interval: Duration) -> Controllers {
    let renderer = Tool::Helm.find().map(|binary| {
        let helm = Helm {
            binary,
            charts_dir: workspace_root().join("charts"),
        };
        let render: AppRenderer = Arc::new(move |app: Value| {
            let helm = helm.clone();
            Box::pin(async move {
                let path = app["spec"]["source"]["path"].as_str().unwrap_or_default();
                let Some(chart) = path.strip_prefix("charts/") else {
                    return Ok(vec![]);
                };
                let values = app["spec"]["source"]["helm"]["valuesObject"].clone();
                helm.template(chart, &values)
                    .await
                    .map_err(|e| e.to_string())
            })
        });
        render
    });
    Controllers::start(kube, ControllerOptions { interval, renderer })
}

/// The one-time cluster objects (the control namespace, the `config.openshift.io` Ingress
/// with the apps domain) and the lab's source repository, as the cluster provisioner
/// leaves them: what the provisioner needs before its first tenant.
pub fn prepare_cluster(kube: &KubeEmulator, gitea: &GiteaEmulator) -> anyhow::Result<()> {
    if kube
        .get("v1", "Namespace", None, CONTROL_NAMESPACE)
        .is_some()
    {
        return prepare_source(gitea);
    }
    kube.apply_yaml(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {CONTROL_NAMESPACE}\n---\n\
         apiVersion: config.openshift.io/v1\nkind: Ingress\nmetadata:\n  name: cluster\nspec:\n  domain: {DOMAIN}\n"
    ))
    .map_err(|e| anyhow::anyhow!("cluster objects: {e}"))?;
    prepare_source(gitea)
}

/// A `--values` file for the provisioner CLI on these emulators: the lab's source
/// repository in the Gitea emulator at `gitea_url`, namespaces created, `model` for the
/// agent, and the same short waits as the stack's own tenant.
pub fn provisioner_values(gitea_url: &str, model: &str) -> String {
    let gitea_url = gitea_url.trim_end_matches('/');
    format!(
        "repoSource: {gitea_url}/{SOURCE_OWNER}/{SOURCE_REPO}.git\ncreateNamespaces: true\n\
         models: [{model}]\nagentModel: {model}\nwaitSeconds: 120\npollMillis: 200\n"
    )
}

/// The lab's source repository (once).
fn prepare_source(gitea: &GiteaEmulator) -> anyhow::Result<()> {
    if !gitea.user_exists(SOURCE_OWNER) {
        gitea.create_user(SOURCE_OWNER, "lab-source-password-1234", false);
        gitea.create_repo(SOURCE_OWNER, SOURCE_REPO, false);
        let files: [(&str, &[u8]); 3] = [
            ("agent/requirements.txt", b"fastapi\nuvicorn\n"),
            (
                "agent/Containerfile",
                b"FROM registry.access.redhat.com/ubi9/python-311:latest\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
            ),
            ("README.md", b"# MCP lab\n"),
        ];
        for (path, content) in files {
            gitea.put_file(SOURCE_OWNER, SOURCE_REPO, "main", path, content);
        }
    }
    Ok(())
}

/// The provisioner for `stack`'s emulators.
pub fn provisioner_for(stack: &RunningStack) -> anyhow::Result<Provisioner> {
    let urls = stack.urls();
    let gitea = Gitea::new(GiteaAccess {
        url: urls.gitea.clone(),
        admin_user: ADMIN_USER.into(),
        admin_password: Some(Secret::new(ADMIN_PASSWORD)),
        admin_token: None,
    })?;
    let llm = LiteLlm::new(LlmAccess {
        url: urls.llm.clone(),
        master_key: Secret::new(LLM_MASTER_KEY),
    })?;
    let helm = Helm {
        binary: Tool::Helm.find().unwrap_or_else(|| "helm".into()),
        charts_dir: workspace_root().join("charts"),
    };
    Ok(Provisioner {
        cluster: Cluster::new(stack.kube.client()),
        gitea: Some(gitea),
        llm: Some(llm),
        keycloak: None,
        helm,
        settings: Settings {
            create_namespaces: true,
            repo_source: format!("{}/{SOURCE_OWNER}/{SOURCE_REPO}.git", urls.gitea),
            models: vec![LLM_MODEL.into()],
            agent_model: LLM_MODEL.into(),
            wait_seconds: 120,
            poll_millis: 25,
            ..Settings::default()
        },
        mode: Mode::Bootstrap,
        fail_at: None,
    })
}
