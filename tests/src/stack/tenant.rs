//! The tenant of the local stack: the provisioner library run against the emulators (with
//! the lab's source repository in Gitea and the simulated Argo CD rendering the real charts
//! with helm), the credentials it made, and what must be gone after `destroy`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use provisioner::Report;
use provisioner::config::{GiteaAccess, LlmAccess, Secret};
use provisioner::gitea::Gitea;
use provisioner::litellm::LiteLlm;
use provisioner::state::TenantState;
use provisioner::{Cluster, Helm, Mode, Provisioner, Settings, Tenant};
use serde_json::Value;

use super::{GUID, LLM_MASTER_KEY, LLM_MODEL, RunningStack};
use crate::controllers::{AppRenderer, ControllerOptions, Controllers};
use crate::gitea::{ADMIN_PASSWORD, ADMIN_USER, GiteaEmulator};
use crate::kube::KubeEmulator;
use crate::tools::{Tool, workspace_root};

/// The apps domain of the emulated cluster.
pub const DOMAIN: &str = "apps.lab.local";
/// Where the tenant's repository is migrated from (`repoSource`).
const SOURCE_OWNER: &str = "lab-source";
const SOURCE_REPO: &str = "mcp-lab";
/// The control namespace (Argo CD, the provisioner's state).
const CONTROL_NAMESPACE: &str = "openshift-gitops";

/// What the attendee gets (all values secret except the names).
#[derive(Clone)]
pub struct Credentials {
    /// Gitea and cluster user.
    pub user: String,
    /// Gitea password.
    pub gitea_password: String,
    /// The scoped Gitea token the MCP server uses (`gitea-creds`).
    pub gitea_token: String,
    /// The tenant's repository (`mcp`).
    pub repo: String,
    /// The LiteLLM virtual key the agent uses (`agent-llm`).
    pub llm_key: String,
    /// LibreChat password.
    pub librechat_password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}/{}, ***)", self.user, self.repo)
    }
}

/// A provisioned tenant.
pub struct TenantLab {
    /// The provisioner, configured for the stack's emulators.
    pub provisioner: Provisioner,
    /// The tenant.
    pub tenant: Tenant,
    /// What `provision` did, step by step.
    pub report: Report,
    /// Its credentials.
    pub credentials: Credentials,
    /// The Tenant operator, when the tenant was ordered as a `Tenant` resource.
    pub operator: Option<super::operator::OperatorTask>,
}

impl std::fmt::Debug for TenantLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TenantLab({})", self.tenant.username)
    }
}

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

impl TenantLab {
    /// Provisions `user` on the stack's emulators and reads back its credentials.
    pub async fn provision(stack: &RunningStack, user: &str) -> anyhow::Result<Self> {
        Self::provision_with(stack, user, false).await
    }

    /// Like [`Self::provision`]; with `via_operator`, as a `Tenant` resource the Tenant
    /// operator provisions.
    pub async fn provision_with(
        stack: &RunningStack,
        user: &str,
        via_operator: bool,
    ) -> anyhow::Result<Self> {
        prepare_cluster(&stack.kube, &stack.gitea)?;
        let mut provisioner = provisioner_for(stack)?;
        // Namespaces made before the order (the seeded lab, as the Sandbox API makes
        // them) are used as they are: the provisioner never adopts (nor deletes) them.
        let sandbox = stack
            .kube
            .get("v1", "Namespace", None, &format!("agent-{user}"))
            .is_some();
        provisioner.settings.create_namespaces = !sandbox;
        let guid = if user == super::USER {
            GUID.to_string()
        } else {
            format!("g{user}")
        };
        let tenant = Tenant::new(user, &guid)?;
        let (report, operator) = if via_operator {
            let create = provisioner.settings.create_namespaces;
            let (task, report) = super::operator::provision(stack, &tenant, create).await?;
            (report, Some(task))
        } else {
            (provisioner.provision(&tenant).await?, None)
        };
        let credentials = read_credentials(&stack.kube, &tenant)?;
        Ok(Self {
            provisioner,
            tenant,
            report,
            credentials,
            operator,
        })
    }

    /// Destroys the tenant (everything the provisioner made): by deleting its `Tenant`
    /// when the operator made it.
    pub async fn destroy(&self) -> anyhow::Result<Report> {
        match &self.operator {
            Some(op) => super::operator::destroy(op, &self.tenant).await,
            None => Ok(self.provisioner.destroy(&self.tenant).await?),
        }
    }
}

/// The credentials in the provisioner's state Secret.
fn read_credentials(kube: &KubeEmulator, tenant: &Tenant) -> anyhow::Result<Credentials> {
    let name = format!("tenant-{}-state", tenant.username);
    let secret = kube
        .get("v1", "Secret", Some(CONTROL_NAMESPACE), &name)
        .with_context(|| format!("the provisioner's state Secret {CONTROL_NAMESPACE}/{name}"))?;
    let state = TenantState::from_secret(&secret);
    if state.gitea_token.is_empty() || state.llm_key.is_empty() {
        bail!("the tenant has no Gitea token or LiteLLM key after provisioning");
    }
    Ok(Credentials {
        user: tenant.username.clone(),
        gitea_password: state.gitea_password,
        gitea_token: state.gitea_token,
        repo: "mcp".into(),
        llm_key: state.llm_key,
        librechat_password: state.librechat_password,
    })
}

/// What is left of a destroyed tenant: namespaces the provisioner made (those made before
/// the order stay, as the Sandbox API's), objects labelled as the tenant's,
/// Argo CD objects, the Gitea user, a working Gitea token, LiteLLM keys of its alias.
/// Empty when nothing is left.
pub async fn leftovers(stack: &RunningStack, tenant: &TenantLab) -> anyhow::Result<Vec<String>> {
    let user = &tenant.tenant.username;
    let mut left = Vec::new();
    for ns in tenant.tenant.namespaces() {
        if let Some(obj) = stack.kube.get("v1", "Namespace", None, &ns)
            && obj["metadata"]["labels"][provisioner::desired::CREATED_BY_LABEL]
                == provisioner::desired::FIELD_MANAGER
        {
            left.push(format!("Namespace {ns}"));
        }
    }
    let kinds = [
        ("v1", "Namespace"),
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("security.openshift.io/v1", "SecurityContextConstraints"),
        ("argoproj.io/v1alpha1", "Application"),
        ("argoproj.io/v1alpha1", "AppProject"),
        ("toolhive.stacklok.dev/v1alpha1", "MCPServer"),
    ];
    for (api_version, kind) in kinds {
        for obj in stack.kube.list(api_version, kind, None) {
            let meta = &obj["metadata"];
            let name = meta["name"].as_str().unwrap_or_default();
            let labelled = meta["labels"]["lab.mcp/tenant"] == user.as_str()
                || meta["labels"]["tenant"] == user.as_str();
            let argo = kind.starts_with("App") && name.contains(user.as_str());
            if labelled || argo {
                let ns = meta["namespace"].as_str().unwrap_or("-");
                left.push(format!("{kind} {ns}/{name}"));
            }
        }
    }
    for name in [format!("tenant-{user}-state"), format!("userinfo-{user}")] {
        for kind in ["Secret", "ConfigMap"] {
            if stack
                .kube
                .get("v1", kind, Some(CONTROL_NAMESPACE), &name)
                .is_some()
            {
                left.push(format!("{kind} {CONTROL_NAMESPACE}/{name}"));
            }
        }
    }
    if stack.gitea.user_exists(user) {
        left.push(format!("Gitea user {user}"));
    }
    let urls = stack.urls();
    let status = reqwest::Client::new()
        .get(format!("{}/api/v1/user", urls.gitea))
        .header(
            "Authorization",
            format!("token {}", tenant.credentials.gitea_token),
        )
        .send()
        .await
        .context("checking the Gitea token")?
        .status();
    if status.is_success() {
        left.push("a working Gitea token".into());
    }
    let llm = LiteLlm::new(LlmAccess {
        url: urls.llm,
        master_key: Secret::new(LLM_MASTER_KEY),
    })?;
    let keys = llm
        .keys_with_alias(&tenant.tenant.key_alias(), user)
        .await?;
    if !keys.is_empty() {
        left.push(format!(
            "{} LiteLLM key(s) aliased {}",
            keys.len(),
            tenant.tenant.key_alias()
        ));
    }
    Ok(left)
}
