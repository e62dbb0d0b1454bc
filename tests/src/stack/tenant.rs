//! The tenant of the local stack: the provisioner library run against the emulators (with
//! the lab's source repository in Gitea and the simulated Argo CD rendering the real charts
//! with helm), the credentials it made, and what must be gone after `destroy`.

use anyhow::{Context, bail};
use provisioner::Report;
use provisioner::config::{LlmAccess, Secret};
use provisioner::litellm::LiteLlm;
use provisioner::state::TenantState;
use provisioner::{Provisioner, Tenant};

use super::cluster_setup::{CONTROL_NAMESPACE, prepare_cluster, provisioner_for};
use super::{GUID, LLM_MASTER_KEY, RunningStack};
use crate::kube::KubeEmulator;

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
