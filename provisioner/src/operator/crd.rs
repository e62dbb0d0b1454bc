//! The operator's resources: `Tenant` (one lab order, cluster-scoped, named after its
//! username) and `TenantProfile` (cluster-scoped: the settings the CLI takes from
//! `--values`, and which Secrets hold the Gitea / LiteLLM credentials). The OpenAPI schemas
//! come from these types ([`crd_yaml`]); `charts/tenant-operator/crds/` holds that YAML,
//! checked against the types by a test. No credential is ever a field of either resource.

use kube::CustomResource;
use kube::core::CustomResourceExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group of both resources.
pub const GROUP: &str = "labs.mcp.dev";
/// Their version.
pub const VERSION: &str = "v1alpha1";
/// The finalizer that runs destroy before a Tenant goes.
pub const FINALIZER: &str = "labs.mcp.dev/destroy";

/// One attendee's lab: what to provision, and (in status) how far it got.
#[derive(CustomResource, Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "labs.mcp.dev",
    version = "v1alpha1",
    kind = "Tenant",
    plural = "tenants",
    shortname = "tn",
    status = "TenantStatus",
    printcolumn = r#"{"name":"Username","type":"string","jsonPath":".spec.username"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Expires","type":"string","jsonPath":".spec.expiresAt"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct TenantSpec {
    /// The attendee's username: a DNS label of at most 35 characters, equal to the
    /// Tenant's name (so one username has at most one Tenant).
    pub username: String,
    /// The order's guid (a DNS label).
    pub guid: String,
    /// The `TenantProfile` with the settings and where the credentials are.
    pub profile_ref: ProfileRef,
    /// The attendee's OpenShift login (Keycloak user).
    #[serde(default)]
    pub identity: IdentitySpec,
    /// Where the attendee's Gitea user lives.
    #[serde(default)]
    pub gitea: GiteaSpec,
    /// The lab guide.
    #[serde(default)]
    pub showroom: ShowroomSpec,
    /// How the components reach the cluster.
    #[serde(default)]
    pub deploy: DeploySpec,
    /// Per-namespace quota; the profile's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaSpec>,
    /// RFC 3339 time at which the lab is destroyed, whether or not anyone asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// A reference to a cluster-scoped `TenantProfile`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProfileRef {
    /// The profile's name.
    pub name: String,
}

/// The Keycloak user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IdentitySpec {
    /// Create the user.
    #[serde(default)]
    pub enabled: bool,
    /// The realm (the profile's when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
}

/// `gitea.mode`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GiteaSpec {
    /// `shared` (one Gitea for every tenant) or `perTenant`.
    #[serde(default)]
    pub mode: GiteaMode,
}

/// Shared or per-tenant Gitea.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum GiteaMode {
    /// The cluster's Gitea.
    #[default]
    Shared,
    /// A Gitea instance of the tenant's own.
    PerTenant,
}

/// The Showroom lab guide.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShowroomSpec {
    /// Deploy the guide.
    #[serde(default)]
    pub enabled: bool,
    /// The guide's content repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Its branch or tag.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
}

/// `deploy.mode`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeploySpec {
    /// `bootstrap` (Argo CD Applications) or `direct` (charts applied).
    #[serde(default)]
    pub mode: DeployMode,
}

/// The deploy modes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeployMode {
    /// Argo CD Applications.
    #[default]
    Bootstrap,
    /// The rendered charts applied directly.
    Direct,
}

/// Hard limits of each tenant namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuotaSpec {
    /// CPU (requests and limits).
    pub cpu: String,
    /// Memory (requests and limits).
    pub memory: String,
    /// Storage requests.
    pub storage: String,
}

/// What the operator last saw and did. Never a secret: credentials are in the Secret
/// `credentialsSecret` names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantStatus {
    /// The generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Pending`, `Provisioning`, `Ready`, `Failed`, `Invalid`, `Deleting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// One per group of steps, and `Ready`.
    #[serde(default)]
    pub conditions: Vec<TenantCondition>,
    /// The user-info ConfigMap RHDP reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_info: Option<ObjectRef>,
    /// The Secret with the attendee's passwords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<ObjectRef>,
    /// When provisioning of this generation started (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When the Tenant first became Ready (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_at: Option<String>,
}

/// A condition: one group of steps (or `Ready`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantCondition {
    /// `Namespaces`, `Identity`, `Gitea`, `LlmKey`, `Secrets`, `Deployed`, `Guide`, `Ready`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// CamelCase reason (`Done`, `Waiting`, `InvalidSpec`, `StepFailed`, …).
    pub reason: String,
    /// What happened (step details; for a bad input, the field).
    #[serde(default)]
    pub message: String,
    /// When the status last changed (RFC 3339).
    pub last_transition_time: String,
    /// How long the group's steps took in the last reconcile, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_millis: Option<u64>,
}

/// A namespaced object's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectRef {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Settings shared by many Tenants: today's `--values`, and where the credentials are.
#[derive(CustomResource, Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "labs.mcp.dev",
    version = "v1alpha1",
    kind = "TenantProfile",
    plural = "tenantprofiles",
    shortname = "tnp"
)]
#[serde(rename_all = "camelCase")]
pub struct TenantProfileSpec {
    /// The provisioner's settings, with the keys of the CLI's `--values` file (unknown
    /// keys are refused when a Tenant uses the profile).
    #[serde(default)]
    #[schemars(schema_with = "free_form")]
    pub values: serde_json::Value,
    /// Secrets whose keys are the CLI's environment variables (`GITEA_URL`,
    /// `GITEA_ADMIN_USER`, `GITEA_ADMIN_PASSWORD` or `GITEA_ADMIN_TOKEN`, `LLM_URL`,
    /// `LITELLM_MASTER_KEY`, …), read in order (a later Secret's key wins).
    #[serde(default)]
    pub credentials_secrets: Vec<ObjectRef>,
}

fn free_form(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true
    })
}

/// The two CustomResourceDefinitions as one YAML document stream (what
/// `charts/tenant-operator/crds/` holds).
pub fn crd_yaml() -> Result<String, String> {
    let crds = [Tenant::crd(), TenantProfile::crd()];
    let mut out = String::new();
    for crd in crds {
        out.push_str("---\n");
        out.push_str(&serde_saphyr::to_string(&crd).map_err(|e| e.to_string())?);
    }
    Ok(out)
}
