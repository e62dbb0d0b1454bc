//! From a Tenant to a ready [`Provisioner`]: the Tenant's fields checked (each error names
//! its field: `spec.username`, `spec.guid`, `spec.expiresAt`, `spec.profileRef.name`, …),
//! its `TenantProfile` read (values parsed as the CLI's `--values`, credentials read from
//! the Secrets it names), clients built and cached per profile version for a short while.
//! Nothing here writes to the cluster.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret as KubeSecret;
use kube::{Api, Client, ResourceExt};

use super::crd::{DeployMode, GiteaMode, Tenant, TenantProfile};
use crate::charts::Helm;
use crate::cluster::Cluster;
use crate::config::Credentials;
use crate::error::{Error, Result};
use crate::gitea::Gitea;
use crate::litellm::LiteLlm;
use crate::provisioner::Provisioner;
use crate::tenant::{Mode, Quota, Settings, Tenant as TenantName};

/// How long a profile's clients are reused before its Secrets are read again.
const PROFILE_TTL: Duration = Duration::from_secs(30);

/// Resolves Tenants against their profiles (cheap to share).
pub struct Profiles {
    client: Client,
    helm: Helm,
    cache: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    version: String,
    at: Instant,
    base: Provisioner,
}

/// A Tenant checked and ready to act on.
pub struct Resolved {
    /// The provisioner for this Tenant (its profile's settings and clients, its mode).
    pub provisioner: Provisioner,
    /// Its validated username and guid.
    pub tenant: TenantName,
    /// When it expires.
    pub expires_at: Option<jiff::Timestamp>,
}

impl Profiles {
    /// Profiles read with `client`; charts rendered with `helm`.
    pub fn new(client: Client, helm: Helm) -> Self {
        Profiles {
            client,
            helm,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Checks the Tenant's own fields (no cluster read): what a bad order fails on.
    pub fn check_spec(t: &Tenant) -> Result<(TenantName, Option<jiff::Timestamp>)> {
        let spec = &t.spec;
        if spec.username != t.name_any() {
            return Err(Error::invalid(
                "spec.username",
                format!(
                    "{:?} must equal metadata.name {:?} (one Tenant per username)",
                    spec.username,
                    t.name_any()
                ),
            ));
        }
        let name = TenantName::new(&spec.username, &spec.guid).map_err(|e| match e {
            Error::Invalid { field, reason } => Error::invalid(
                field
                    .replace("--username", "spec.username")
                    .replace("--guid", "spec.guid"),
                reason,
            ),
            other => other,
        })?;
        let expires_at = spec
            .expires_at
            .as_deref()
            .map(|s| {
                s.parse::<jiff::Timestamp>().map_err(|e| {
                    Error::invalid(
                        "spec.expiresAt",
                        format!("{s:?} is not an RFC 3339 time: {e}"),
                    )
                })
            })
            .transpose()?;
        if spec.identity.enabled {
            return Err(unsupported("spec.identity.enabled"));
        }
        if spec.showroom.enabled {
            return Err(unsupported("spec.showroom.enabled"));
        }
        if spec.gitea.mode == GiteaMode::PerTenant {
            return Err(unsupported("spec.gitea.mode"));
        }
        if let Some(q) = &spec.quota {
            for (field, v) in [
                ("cpu", &q.cpu),
                ("memory", &q.memory),
                ("storage", &q.storage),
            ] {
                if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                    return Err(Error::invalid(
                        format!("spec.quota.{field}"),
                        format!("{v:?} is not a quantity"),
                    ));
                }
            }
        }
        Ok((name, expires_at))
    }

    /// The Tenant checked and its provisioner built.
    pub async fn resolve(&self, t: &Tenant) -> Result<Resolved> {
        let (tenant, expires_at) = Self::check_spec(t)?;
        let mut p = self.base(&t.spec.profile_ref.name).await?;
        p.mode = match t.spec.deploy.mode {
            DeployMode::Bootstrap => Mode::Bootstrap,
            DeployMode::Direct => Mode::Direct,
        };
        if let Some(q) = &t.spec.quota {
            p.settings.quota = Quota {
                cpu: q.cpu.clone(),
                memory: q.memory.clone(),
                storage: q.storage.clone(),
            };
        }
        // Waits become requeues: a readiness check is made once, and "not yet" is a
        // timeout the reconcile turns into a requeue instead of a blocked worker.
        p.settings.wait_seconds = 0;
        Ok(Resolved {
            provisioner: p,
            tenant,
            expires_at,
        })
    }

    /// The profile's provisioner, cached for [`PROFILE_TTL`] per profile version.
    async fn base(&self, name: &str) -> Result<Provisioner> {
        let field = "spec.profileRef.name";
        let profile = Api::<TenantProfile>::all(self.client.clone())
            .get_opt(name)
            .await
            .map_err(|source| Error::Kube {
                action: format!("get TenantProfile {name}"),
                source,
            })?
            .ok_or_else(|| Error::invalid(field, format!("no TenantProfile {name:?}")))?;
        let version = profile.resource_version().unwrap_or_default();
        if let Ok(cache) = self.cache.lock()
            && let Some(c) = cache.get(name)
            && c.version == version
            && c.at.elapsed() < PROFILE_TTL
        {
            return Ok(c.base.clone());
        }
        let base = self.build(name, &profile).await?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(
                name.to_string(),
                Cached {
                    version,
                    at: Instant::now(),
                    base: base.clone(),
                },
            );
        }
        Ok(base)
    }

    async fn build(&self, name: &str, profile: &TenantProfile) -> Result<Provisioner> {
        let values = match &profile.spec.values {
            serde_json::Value::Null => serde_json::json!({}),
            v => v.clone(),
        };
        let settings: Settings = serde_json::from_value(values).map_err(|e| {
            Error::invalid(format!("TenantProfile {name} spec.values"), e.to_string())
        })?;
        settings.validate().map_err(|e| match e {
            Error::Invalid { field, reason } => {
                Error::invalid(format!("TenantProfile {name} spec.values.{field}"), reason)
            }
            other => other,
        })?;
        let mut env: HashMap<String, String> = HashMap::new();
        for r in &profile.spec.credentials_secrets {
            let secret = Api::<KubeSecret>::namespaced(self.client.clone(), &r.namespace)
                .get_opt(&r.name)
                .await
                .map_err(|source| Error::Kube {
                    action: format!("get Secret {}/{}", r.namespace, r.name),
                    source,
                })?
                .ok_or_else(|| {
                    Error::invalid(
                        format!("TenantProfile {name} spec.credentialsSecrets"),
                        format!("no Secret {}/{}", r.namespace, r.name),
                    )
                })?;
            env.extend(secret_pairs(&secret));
        }
        let creds_field = format!("TenantProfile {name} spec.credentialsSecrets");
        let creds =
            Credentials::from_env(&env).map_err(|e| Error::invalid(&creds_field, e.to_string()))?;
        let gitea = Gitea::new(
            creds
                .require_gitea()
                .map_err(|e| Error::invalid(&creds_field, e.to_string()))?
                .clone(),
        )?;
        let llm = LiteLlm::new(
            creds
                .require_llm()
                .map_err(|e| Error::invalid(&creds_field, e.to_string()))?
                .clone(),
        )?;
        Ok(Provisioner {
            cluster: Cluster::new(self.client.clone()),
            gitea: Some(gitea),
            llm: Some(llm),
            keycloak: None,
            helm: self.helm.clone(),
            settings,
            mode: Mode::Bootstrap,
            fail_at: None,
        })
    }
}

fn unsupported(field: &str) -> Error {
    Error::invalid(
        field,
        "not supported by this operator build (the step is not part of it)",
    )
}

/// A Secret's keys and values (`data` decoded, `stringData` as is).
fn secret_pairs(s: &KubeSecret) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in s.data.iter().flatten() {
        if let Ok(text) = String::from_utf8(v.0.clone()) {
            out.push((k.clone(), text));
        }
    }
    for (k, v) in s.string_data.iter().flatten() {
        out.push((k.clone(), v.clone()));
    }
    out
}
