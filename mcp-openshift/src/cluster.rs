//! Which cluster and which identity: in-cluster or kubeconfig setup, and per-caller clients
//! for token passthrough (cached per token, each with its own discovery cache).
//!
//! Like upstream, the server also starts with no cluster at all (no `--kubeconfig`, none
//! under `KUBECONFIG` or `~/.kube/config`, not in a pod): `tools/list` works and every call
//! says why it cannot reach a cluster. An explicit `--kubeconfig` that cannot be read stays a
//! configuration error (exit 64).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

use crate::config::Config;
pub mod contexts;

use crate::error::{ConfigError, KubeError};
use crate::kube_api::Kube;
use contexts::Contexts;

/// Builds a client that authenticates with the given bearer token.
pub type TokenClientFactory = Arc<dyn Fn(&str) -> Result<kube::Client, String> + Send + Sync>;

/// How many passthrough identities keep a cached client before the cache is emptied.
const TOKEN_CACHE_LIMIT: usize = 256;

/// The configured cluster, shared by all sessions.
#[derive(Clone)]
pub struct Cluster {
    /// The server's own identity; `Err` holds why there is no cluster to reach.
    default: Result<Kube, Arc<str>>,
    default_namespace: String,
    token_factory: Option<TokenClientFactory>,
    per_token: Arc<Mutex<HashMap<String, Kube>>>,
    kubeconfig: Arc<Value>,
    /// Every usable context of the kubeconfig, when it has more than one.
    contexts: Option<Arc<Contexts>>,
}

impl Cluster {
    /// A cluster reached through `client` (the server's own identity), without passthrough.
    pub fn from_client(client: kube::Client, default_namespace: &str) -> Self {
        Self {
            default: Ok(Kube::new(client)),
            default_namespace: default_namespace.to_string(),
            token_factory: None,
            per_token: Arc::default(),
            kubeconfig: Arc::new(
                json!({"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [], "users": []}),
            ),
            contexts: None,
        }
    }

    /// No cluster to reach, for `reason`: tools are listed, and each call fails saying why.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self {
            default: Err(Arc::from(reason.into())),
            default_namespace: "default".to_string(),
            token_factory: None,
            per_token: Arc::default(),
            kubeconfig: Arc::new(
                json!({"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [], "users": []}),
            ),
            contexts: None,
        }
    }

    /// Why there is no cluster, when there is none.
    pub fn unavailable_reason(&self) -> Option<&str> {
        self.default.as_ref().err().map(|r| r.as_ref())
    }

    /// Set up from flags as [`Cluster::from_config`], but without an explicit `--kubeconfig`
    /// a missing or unreadable default kubeconfig gives a cluster-less server instead of an
    /// error (upstream starts the same way).
    pub async fn from_config_or_unavailable(config: &Config) -> Result<Self, ConfigError> {
        match Self::from_config(config).await {
            Ok(c) => Ok(c),
            Err(e) if config.kubeconfig.is_none() => Ok(Self::unavailable(format!(
                "no cluster is configured ({e}); start the server with --kubeconfig, set KUBECONFIG, or run it in a pod"
            ))),
            Err(e) => Err(e),
        }
    }

    /// Enable token passthrough with this client factory.
    pub fn with_token_factory(mut self, factory: TokenClientFactory) -> Self {
        self.token_factory = Some(factory);
        self
    }

    /// The kubeconfig document `configuration_view` shows (before redaction).
    pub fn with_kubeconfig(mut self, kubeconfig: Value) -> Self {
        self.kubeconfig = Arc::new(kubeconfig);
        self
    }

    /// Set up from flags: explicit `--kubeconfig`, else in-cluster, else `KUBECONFIG`/`~/.kube/config`.
    pub async fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let err = |e: &dyn std::fmt::Display| ConfigError::Cluster(e.to_string());
        let (kube_config, view) = if let Some(path) = &config.kubeconfig {
            let kc = Kubeconfig::read_from(path).map_err(|e| err(&e))?;
            return Self::from_kubeconfig_contexts(kc, config).await;
        } else if let Ok(c) = kube::Config::incluster() {
            let view = json!({
                "apiVersion": "v1", "kind": "Config", "current-context": "in-cluster",
                "clusters": [{"name": "cluster", "cluster": {"server": c.cluster_url.to_string()}}],
                "contexts": [{"name": "in-cluster", "context": {"cluster": "cluster", "user": "user"}}],
                "users": [{"name": "user", "user": {"token": "service-account-token"}}],
            });
            (c, view)
        } else {
            let kc = Kubeconfig::read().map_err(|e| err(&e))?;
            return Self::from_kubeconfig_contexts(kc, config).await;
        };
        Self::from_kube_config(kube_config, view)
    }

    /// The current context as the default, and every allowed context beside it.
    async fn from_kubeconfig_contexts(
        kc: Kubeconfig,
        config: &Config,
    ) -> Result<Self, ConfigError> {
        let current = kc
            .current_context
            .clone()
            .or_else(|| match kc.contexts.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            });
        let (kube_config, view) = from_kubeconfig(kc.clone()).await?;
        let mut cluster = Self::from_kube_config(kube_config, view)?;
        if let Some(current) = current {
            let allowed = if config.disable_multi_cluster {
                vec![current.clone()]
            } else {
                config.allowed_contexts.clone()
            };
            let contexts = Contexts::load(&kc, &current, &cluster, &allowed).await?;
            cluster.contexts = Some(Arc::new(contexts));
        } else if !config.allowed_contexts.is_empty() {
            return Err(ConfigError::Invalid {
                field: "allowed_contexts",
                reason: "the kubeconfig has no current context".into(),
            });
        }
        Ok(cluster)
    }

    /// The contexts of the kubeconfig this server may use (none in-cluster).
    pub fn contexts(&self) -> Option<&Contexts> {
        self.contexts.as_deref()
    }

    /// The cluster a call's `context` argument names: this one when none is named or the
    /// server runs without a kubeconfig; an error for a context that is not allowed.
    pub fn for_context(&self, name: Option<&str>) -> Result<&Cluster, KubeError> {
        match (name, &self.contexts) {
            (Some(name), Some(contexts)) => contexts.get(name),
            _ => Ok(self),
        }
    }

    /// Build from a `kube::Config`; passthrough clients reuse its server, CA and TLS settings.
    pub fn from_kube_config(mut base: kube::Config, view: Value) -> Result<Self, ConfigError> {
        base.connect_timeout = Some(Duration::from_secs(10));
        base.read_timeout = Some(crate::kube_api::CALL_TIMEOUT);
        let ns = base.default_namespace.clone();
        let client = kube::Client::try_from(base.clone())
            .map_err(|e| ConfigError::Cluster(e.to_string()))?;
        let factory: TokenClientFactory = Arc::new(move |token: &str| {
            let mut c = base.clone();
            c.auth_info = Default::default();
            let mut value = http::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| "the bearer token contains invalid characters".to_string())?;
            value.set_sensitive(true);
            c.headers.push((http::header::AUTHORIZATION, value));
            kube::Client::try_from(c).map_err(|e| e.to_string())
        });
        Ok(Self::from_client(client, &ns)
            .with_token_factory(factory)
            .with_kubeconfig(view))
    }

    /// The namespace used when a tool gets none.
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }

    /// Raw kubeconfig view (redaction is the caller's job).
    pub fn kubeconfig(&self) -> &Value {
        &self.kubeconfig
    }

    /// The client to use: the caller's token when given (passthrough), else the server's identity.
    pub fn for_token(&self, token: Option<&str>) -> Result<Kube, KubeError> {
        let (Some(token), Some(factory)) = (token, &self.token_factory) else {
            return self
                .default
                .clone()
                .map_err(|reason| KubeError::msg(reason.to_string()));
        };
        let mut cache = self
            .per_token
            .lock()
            .map_err(|_| KubeError::msg("client cache poisoned"))?;
        if let Some(k) = cache.get(token) {
            return Ok(k.clone());
        }
        let client = factory(token).map_err(|e| {
            KubeError::msg(format!("cannot build a client for the caller's token: {e}"))
        })?;
        if cache.len() >= TOKEN_CACHE_LIMIT {
            cache.clear();
        }
        let k = Kube::new(client);
        cache.insert(token.to_string(), k.clone());
        Ok(k)
    }
}

async fn from_kubeconfig(kc: Kubeconfig) -> Result<(kube::Config, Value), ConfigError> {
    let view = serde_json::to_value(&kc).map_err(|e| ConfigError::Cluster(e.to_string()))?;
    let c = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .map_err(|e| ConfigError::Cluster(e.to_string()))?;
    Ok((c, view))
}
