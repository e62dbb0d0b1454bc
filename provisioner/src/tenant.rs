//! The tenant being provisioned (username and guid, validated) and the settings that
//! shape it (`--values` file), with the names every object derives from.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{GiteaSettings, IdentitySettings, ShowroomSettings};

/// Components that get a namespace `<component>-<username>`.
pub const COMPONENTS: [&str; 4] = ["agent", "mcp-openshift", "mcp-gitea", "librechat"];

/// Longest username: keeps `mcp-openshift-mcp-openshift-<u>` (a Route host label) ≤ 63.
pub const MAX_USERNAME: usize = 35;

/// A validated tenant identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// DNS label, ≤ 35 characters.
    pub username: String,
    /// The order's guid (DNS label too: it names the LiteLLM key alias and labels).
    pub guid: String,
}

impl Tenant {
    /// The in-cluster URL of the tenant's own Gitea instance (`gitea.mode: perTenant`):
    /// the Service the Gitea operator makes in `gitea-<u>`.
    pub fn gitea_instance_url(&self) -> String {
        format!(
            "http://gitea.{}.svc.cluster.local:3000",
            self.namespace("gitea")
        )
    }

    /// Validates both names before anything is created (the checks that need no cluster:
    /// DNS labels, lengths and the reserved names of [`reserved_username`]).
    pub fn new(username: &str, guid: &str) -> Result<Self> {
        check_label("--username", username, MAX_USERNAME)?;
        check_label("--guid", guid, 40)?;
        if let Some(why) = reserved_username(username) {
            return Err(Error::invalid("--username", format!("{username:?} {why}")));
        }
        Ok(Tenant {
            username: username.to_string(),
            guid: guid.to_string(),
        })
    }

    /// `<component>-<username>`.
    pub fn namespace(&self, component: &str) -> String {
        format!("{component}-{}", self.username)
    }

    /// Every tenant namespace.
    pub fn namespaces(&self) -> Vec<String> {
        COMPONENTS.iter().map(|c| self.namespace(c)).collect()
    }

    /// The Argo CD project.
    pub fn project(&self) -> String {
        format!("appproject-{}", self.username)
    }

    /// The LiteLLM key alias (only this tenant's key is ever deleted).
    pub fn key_alias(&self) -> String {
        format!("virtkey-{}", self.guid)
    }

    /// Name of the app-of-apps earlier versions made (rendered from the tenant's own
    /// repository); removed, without cascade, when such a tenant is provisioned again.
    pub fn legacy_bootstrap_app(&self) -> String {
        format!("bootstrap-tenant-{}", self.username)
    }

    /// Whether `ns` is one of this tenant's namespaces.
    pub fn owns_namespace(&self, ns: &str) -> bool {
        COMPONENTS.iter().any(|c| self.namespace(c) == ns)
    }

    /// The label RHDP reads user info by.
    pub fn userinfo_label(&self) -> String {
        format!("demo.redhat.com/tenant-{}", self.guid)
    }
}

/// Why `username` can never be a tenant, if it cannot: its namespaces would be, or would
/// look like, the cluster's own. Namespaces that merely exist are checked against the
/// cluster before provisioning (`Provisioner::preflight`).
pub fn reserved_username(username: &str) -> Option<&'static str> {
    const SYSTEM_PREFIXES: [&str; 3] = ["openshift", "kube", "default"];
    if SYSTEM_PREFIXES
        .iter()
        .any(|p| username == *p || username.starts_with(&format!("{p}-")))
    {
        return Some("is reserved (openshift-*, kube-*, default)");
    }
    // The tails of the cluster's own namespaces: a `*-<u>` pattern anywhere (a policy, a
    // selector, an older AppProject) would reach `openshift-<u>` / `kube-<u>`.
    const SYSTEM_TAILS: [&str; 12] = [
        "config",
        "monitoring",
        "gitops",
        "system",
        "public",
        "node-lease",
        "apiserver",
        "authentication",
        "ingress",
        "operators",
        "marketplace",
        "console",
    ];
    if SYSTEM_TAILS.contains(&username) {
        return Some("is the name of a cluster namespace (openshift-<name>, kube-<name>)");
    }
    None
}

fn check_label(field: &str, value: &str, max: usize) -> Result<()> {
    let ok_chars = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_ends = !value.starts_with('-') && !value.ends_with('-');
    if value.is_empty() || !ok_chars || !ok_ends {
        return Err(Error::invalid(
            field,
            format!("{value:?} is not a DNS label (lower-case letters, digits, inner '-')"),
        ));
    }
    if value.len() > max {
        return Err(Error::invalid(
            field,
            format!(
                "{value:?} has {} characters, at most {max} allowed",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// How the components reach the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One bootstrap Argo CD Application (app-of-apps).
    #[default]
    Bootstrap,
    /// The rendered charts applied directly (clusters without Argo CD).
    Direct,
}

/// Per-deployment settings (`--values file`, YAML); every field has a lab default.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Apps domain; discovered from the cluster Ingress when empty.
    pub domain: Option<String>,
    /// Where AppProjects, Applications, state Secrets and user info live.
    pub control_namespace: String,
    /// Create the tenant namespaces (else they must exist, as the Sandbox API makes them).
    pub create_namespaces: bool,
    /// Source repository migrated into Gitea as `<u>/<repo_name>`.
    pub repo_source: String,
    /// Name of the tenant repository.
    pub repo_name: String,
    /// File removed on the `broken` branch when the source has no such branch.
    pub broken_file: String,
    /// Gitea URL as seen from inside the cluster.
    pub gitea_internal_url: String,
    /// The upstream LibreChat chart repository: with the tenant's own repository, the only
    /// source the tenant's AppProject admits.
    pub librechat_repo: String,
    /// LiteMaaS base URL given to the tenant (with `/v1`); the LLM_URL when empty.
    pub litemaas_url: Option<String>,
    /// Models the virtual key may use.
    pub models: Vec<String>,
    /// Model the agent uses.
    pub agent_model: String,
    /// Virtual key lifetime (`3d`).
    pub key_duration: String,
    /// `toolhive` or `plain` for the MCP charts.
    pub mcp_mode: String,
    /// Readiness deadline, seconds.
    pub wait_seconds: u64,
    /// Poll interval of readiness waits, milliseconds.
    pub poll_millis: u64,
    /// ResourceQuota per tenant namespace.
    pub quota: Quota,
    /// The attendee's Keycloak user and OpenShift login (off by default).
    pub identity: IdentitySettings,
    /// The lab guide (off by default).
    pub showroom: ShowroomSettings,
    /// Shared Gitea (default) or one per tenant.
    pub gitea: GiteaSettings,
}

/// Hard limits of each tenant namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// CPU (requests and limits).
    pub cpu: String,
    /// Memory (requests and limits).
    pub memory: String,
    /// Storage requests.
    pub storage: String,
}

impl Default for Quota {
    fn default() -> Self {
        Quota {
            cpu: "4".into(),
            memory: "8Gi".into(),
            storage: "50Gi".into(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            domain: None,
            control_namespace: "openshift-gitops".into(),
            create_namespaces: false,
            repo_source: "https://github.com/rhpds/ocpsandbox-mcp-with-openshift-gitops".into(),
            repo_name: "mcp".into(),
            broken_file: "agent/requirements.txt".into(),
            gitea_internal_url: "http://gitea.gitea.svc.cluster.local:3000".into(),
            librechat_repo: "https://github.com/danny-avila/LibreChat".into(),
            litemaas_url: None,
            models: vec!["llama-scout-17b".into()],
            agent_model: "openai/llama-scout-17b".into(),
            key_duration: "3d".into(),
            mcp_mode: "toolhive".into(),
            wait_seconds: 300,
            poll_millis: 2000,
            quota: Quota::default(),
            identity: IdentitySettings::default(),
            showroom: ShowroomSettings::default(),
            gitea: GiteaSettings::default(),
        }
    }
}

impl Settings {
    /// Parses a `--values` file's text; unknown keys are errors.
    pub fn from_yaml(text: &str) -> Result<Self> {
        let s: Settings =
            serde_saphyr::from_str(text).map_err(|e| Error::invalid("--values", e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks values that would otherwise fail late.
    pub fn validate(&self) -> Result<()> {
        if self.mcp_mode != "toolhive" && self.mcp_mode != "plain" {
            return Err(Error::invalid("mcpMode", "must be toolhive or plain"));
        }
        check_label("controlNamespace", &self.control_namespace, 63)?;
        check_label("repoName", &self.repo_name, 100)?;
        if self.models.is_empty() {
            return Err(Error::invalid("models", "at least one model"));
        }
        if self.wait_seconds == 0 || self.poll_millis == 0 {
            return Err(Error::invalid("waitSeconds/pollMillis", "must be positive"));
        }
        crate::features::validate(&self.identity, &self.gitea)
    }

    /// The in-cluster URL of the tenant's Gitea: the shared one's, or (`gitea.mode:
    /// perTenant`) the tenant's own instance's Service.
    pub fn gitea_internal_url_for(&self, tenant: &Tenant) -> String {
        match self.gitea.mode {
            crate::features::GiteaMode::Shared => {
                self.gitea_internal_url.trim_end_matches('/').to_string()
            }
            crate::features::GiteaMode::PerTenant => tenant.gitea_instance_url(),
        }
    }

    /// The in-cluster URL of the tenant's repository.
    pub fn repo_url(&self, tenant: &Tenant) -> String {
        format!(
            "{}/{}/{}.git",
            self.gitea_internal_url_for(tenant),
            tenant.username,
            self.repo_name
        )
    }
}

#[cfg(test)]
#[path = "tenant/tests.rs"]
mod tests;
