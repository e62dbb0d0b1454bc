//! Credentials for the cluster, Gitea, LiteLLM and Keycloak, read once from the environment (or
//! from files named by `*_FILE` variables), never from arguments and never logged.
//!
//! The variable names are the ones AgnosticD sets (`K8S_AUTH_*`) and the ones the
//! testbed's env file writes (`GITEA_*`, `LLM_URL`, `LITELLM_*`), so sourcing that file
//! and running the provisioner works against the local stack.

use std::collections::HashMap;

use crate::error::{Error, Result};

pub use serve_common::Secret;

/// Keycloak admin access: where and as whom.
#[derive(Debug, Clone)]
pub struct KeycloakAccess {
    /// Root URL (`https://sso.<domain>`, without `/realms`).
    pub url: String,
    /// The master realm admin's username.
    pub admin_user: String,
    /// Its password.
    pub admin_password: Secret,
}

/// Where settings come from: the process environment in `main`, a map in tests.
pub trait EnvSource {
    /// The value of `key`, if set and not empty.
    fn var(&self, key: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.is_empty()).cloned()
    }
}

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub enum KubeAccess {
    /// `K8S_AUTH_HOST` + `K8S_AUTH_API_KEY` (+ `K8S_AUTH_VERIFY_SSL`, default true).
    Token {
        /// API server URL.
        host: String,
        /// Bearer token.
        token: Secret,
        /// Verify the server certificate.
        verify_ssl: bool,
    },
    /// The kubeconfig file `KUBECONFIG` names (read through the [`EnvSource`], like every
    /// other credential; a list of files is left to [`KubeAccess::Inferred`]).
    Kubeconfig(std::path::PathBuf),
    /// `KUBECONFIG` (a list of files), `~/.kube/config` or the in-cluster service account.
    Inferred,
}

/// Gitea admin access.
#[derive(Debug, Clone)]
pub struct GiteaAccess {
    /// Root URL (without `/api/v1`).
    pub url: String,
    /// Admin login.
    pub admin_user: String,
    /// Admin password (basic auth), preferred when set.
    pub admin_password: Option<Secret>,
    /// Admin token, used when no password is set.
    pub admin_token: Option<Secret>,
}

/// LiteLLM access for virtual keys.
#[derive(Debug, Clone)]
pub struct LlmAccess {
    /// Base URL as given (with or without `/v1`).
    pub url: String,
    /// The master key that may generate and delete keys.
    pub master_key: Secret,
}

/// All credentials; Gitea and LiteLLM are optional until a command needs them.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The cluster.
    pub kube: KubeAccess,
    /// Gitea, if configured.
    pub gitea: Option<GiteaAccess>,
    /// LiteLLM, if configured.
    pub llm: Option<LlmAccess>,
    /// Keycloak admin, if configured (`KEYCLOAK_URL`); else the identity step reads the
    /// Secret `identity.adminSecret` from the cluster.
    pub keycloak: Option<KeycloakAccess>,
}

impl Credentials {
    /// Reads every credential from `env`; an incomplete group is an error naming the
    /// missing variable.
    pub fn from_env(env: &dyn EnvSource) -> Result<Self> {
        Ok(Credentials {
            kube: kube_access(env)?,
            gitea: gitea_access(env)?,
            llm: llm_access(env)?,
            keycloak: keycloak_access(env)?,
        })
    }

    /// Gitea access, or the error naming what is missing.
    pub fn require_gitea(&self) -> Result<&GiteaAccess> {
        self.gitea
            .as_ref()
            .ok_or(Error::MissingCredential("GITEA_URL"))
    }

    /// LiteLLM access, or the error naming what is missing.
    pub fn require_llm(&self) -> Result<&LlmAccess> {
        self.llm.as_ref().ok_or(Error::MissingCredential("LLM_URL"))
    }
}

/// `KEY`, else the contents of the file named by `KEY_FILE` (trailing newline trimmed).
pub fn read_var(env: &dyn EnvSource, key: &str) -> Result<Option<String>> {
    if let Some(v) = env.var(key) {
        return Ok(Some(v));
    }
    let Some(path) = env.var(&format!("{key}_FILE")) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).map_err(|source| Error::File {
        path: path.clone(),
        source,
    })?;
    let text = text.trim_end_matches(['\n', '\r']).to_string();
    Ok(Some(text).filter(|t| !t.is_empty()))
}

fn kube_access(env: &dyn EnvSource) -> Result<KubeAccess> {
    let Some(host) = read_var(env, "K8S_AUTH_HOST")? else {
        return Ok(match env.var("KUBECONFIG").filter(|p| !p.is_empty()) {
            Some(path) if !path.contains(':') => KubeAccess::Kubeconfig(path.into()),
            _ => KubeAccess::Inferred,
        });
    };
    let token =
        read_var(env, "K8S_AUTH_API_KEY")?.ok_or(Error::MissingCredential("K8S_AUTH_API_KEY"))?;
    let verify_ssl = match read_var(env, "K8S_AUTH_VERIFY_SSL")?.as_deref() {
        None => true,
        Some(v) => parse_bool(v).ok_or_else(|| {
            Error::invalid("K8S_AUTH_VERIFY_SSL", format!("{v:?} is not true or false"))
        })?,
    };
    Ok(KubeAccess::Token {
        host,
        token: Secret::new(token),
        verify_ssl,
    })
}

fn gitea_access(env: &dyn EnvSource) -> Result<Option<GiteaAccess>> {
    let Some(url) = read_var(env, "GITEA_URL")? else {
        return Ok(None);
    };
    let admin_user = read_var(env, "GITEA_ADMIN_USER")?.unwrap_or_else(|| "gitea-admin".into());
    let admin_password = read_var(env, "GITEA_ADMIN_PASSWORD")?.map(Secret::new);
    let admin_token = read_var(env, "GITEA_ADMIN_TOKEN")?.map(Secret::new);
    if admin_password.is_none() && admin_token.is_none() {
        return Err(Error::MissingCredential("GITEA_ADMIN_PASSWORD"));
    }
    Ok(Some(GiteaAccess {
        url: url.trim_end_matches('/').to_string(),
        admin_user,
        admin_password,
        admin_token,
    }))
}

fn llm_access(env: &dyn EnvSource) -> Result<Option<LlmAccess>> {
    let url = match read_var(env, "LLM_URL")? {
        Some(u) => u,
        None => match read_var(env, "LITELLM_URL")? {
            Some(u) => u,
            None => return Ok(None),
        },
    };
    let master_key = read_var(env, "LITELLM_MASTER_KEY")?
        .ok_or(Error::MissingCredential("LITELLM_MASTER_KEY"))?;
    Ok(Some(LlmAccess {
        url: url.trim_end_matches('/').to_string(),
        master_key: Secret::new(master_key),
    }))
}

fn keycloak_access(env: &dyn EnvSource) -> Result<Option<KeycloakAccess>> {
    let Some(url) = read_var(env, "KEYCLOAK_URL")? else {
        return Ok(None);
    };
    let admin_user = read_var(env, "KEYCLOAK_ADMIN_USER")?.unwrap_or_else(|| "admin".into());
    let admin_password = read_var(env, "KEYCLOAK_ADMIN_PASSWORD")?
        .ok_or(Error::MissingCredential("KEYCLOAK_ADMIN_PASSWORD"))?;
    Ok(Some(KeycloakAccess {
        url: url.trim_end_matches('/').to_string(),
        admin_user,
        admin_password: Secret::new(admin_password),
    }))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Some(true),
        "false" | "no" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// Builds a Kubernetes client from the access settings.
pub async fn kube_client(access: &KubeAccess) -> Result<kube::Client> {
    let config = match access {
        KubeAccess::Token {
            host,
            token,
            verify_ssl,
        } => {
            let uri: http::Uri = host
                .parse()
                .map_err(|e| Error::invalid("K8S_AUTH_HOST", format!("not a URL: {e}")))?;
            let mut config = kube::Config::new(uri);
            // AuthInfo's token type is not re-exported; its serde form is.
            config.auth_info =
                serde_json::from_value(serde_json::json!({ "token": token.expose() }))
                    .map_err(|e| Error::KubeConfig(e.to_string()))?;
            config.accept_invalid_certs = !verify_ssl;
            config
        }
        KubeAccess::Kubeconfig(path) => {
            let file = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| Error::KubeConfig(format!("{}: {e}", path.display())))?;
            kube::Config::from_custom_kubeconfig(file, &Default::default())
                .await
                .map_err(|e| Error::KubeConfig(format!("{}: {e}", path.display())))?
        }
        KubeAccess::Inferred => kube::Config::infer()
            .await
            .map_err(|e| Error::KubeConfig(e.to_string()))?,
    };
    let mut config = config;
    // Every call is a short request (no watches): bound it.
    config.read_timeout = Some(std::time::Duration::from_secs(60));
    kube::Client::try_from(config).map_err(|e| Error::KubeConfig(e.to_string()))
}

#[cfg(test)]
#[path = "config/tests.rs"]
mod tests;
