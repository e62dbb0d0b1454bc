//! Several clusters from one server: every context of the kubeconfig (or those named by
//! `allowed_contexts`) gets its own [`Cluster`], built at start without touching the network.
//! With more than one, the tools take upstream's optional `context` argument and
//! `configuration_contexts_list` is offered; with one, nothing changes.

use std::collections::BTreeMap;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

use super::Cluster;
use crate::error::{ConfigError, KubeError};

/// One context: its API server URL (as the kubeconfig names it) and its cluster, or why that
/// context cannot be used (a missing credential file, an unknown cluster entry).
#[derive(Clone)]
pub struct ContextEntry {
    /// The server URL, when the kubeconfig names one.
    pub server: Option<String>,
    /// The cluster reached through this context.
    pub cluster: Result<Cluster, String>,
}

/// The contexts a server may use, and which one is the default.
#[derive(Clone)]
pub struct Contexts {
    default: String,
    entries: BTreeMap<String, ContextEntry>,
}

impl Contexts {
    /// Build every allowed context of `kc` except `current` (already built as the default).
    pub async fn load(
        kc: &Kubeconfig,
        current: &str,
        default: &Cluster,
        allowed: &[String],
    ) -> Result<Self, ConfigError> {
        if !allowed.is_empty() && !allowed.iter().any(|a| a == current) {
            return Err(ConfigError::Invalid {
                field: "allowed_contexts",
                reason: format!("does not include the current context {current:?}"),
            });
        }
        let mut entries = BTreeMap::new();
        for named in &kc.contexts {
            let name = &named.name;
            if !allowed.is_empty() && !allowed.iter().any(|a| a == name) {
                continue;
            }
            let server = server_of(kc, name);
            let cluster = if name == current {
                Ok(default.clone())
            } else {
                build(kc, name).await
            };
            entries.insert(name.clone(), ContextEntry { server, cluster });
        }
        for a in allowed {
            if !entries.contains_key(a) {
                return Err(ConfigError::Invalid {
                    field: "allowed_contexts",
                    reason: format!("names {a:?}, which is not a context of the kubeconfig"),
                });
            }
        }
        Ok(Self {
            default: current.to_string(),
            entries,
        })
    }

    /// Whether tools take a `context` argument (more than one context).
    pub fn is_multi(&self) -> bool {
        self.entries.len() > 1
    }

    /// The default context's name.
    pub fn default_name(&self) -> &str {
        &self.default
    }

    /// The cluster of context `name`, or an error naming the contexts there are.
    pub fn get(&self, name: &str) -> Result<&Cluster, KubeError> {
        match self.entries.get(name) {
            Some(ContextEntry { cluster: Ok(c), .. }) => Ok(c),
            Some(ContextEntry {
                cluster: Err(why), ..
            }) => Err(KubeError::msg(format!(
                "context {name:?} cannot be used: {why}"
            ))),
            None => Err(KubeError::msg(format!(
                "unknown context {name:?}; the contexts are: {}",
                self.entries.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// `configuration_contexts_list`'s answer: text and structured content.
    pub fn listing(&self) -> (String, Value) {
        let mut text = format!(
            "Available Kubernetes contexts ({} total, default: {}):\n\nFormat: [*] name -> server (* marks the default context)\n\n",
            self.entries.len(),
            self.default
        );
        let mut items = Vec::new();
        for (name, e) in &self.entries {
            let is_default = *name == self.default;
            let server = e.server.as_deref().unwrap_or("unknown");
            text.push_str(&format!(
                "{} {name} -> {server}\n",
                if is_default { "*" } else { " " }
            ));
            items.push(json!({"name": name, "server": server, "default": is_default}));
        }
        text.push_str(
            "\nTo use another context, pass its name as the context parameter of a tool.\n",
        );
        (
            text,
            json!({"defaultContext": self.default, "contexts": items}),
        )
    }
}

/// The server URL of context `name`'s cluster entry.
fn server_of(kc: &Kubeconfig, name: &str) -> Option<String> {
    let ctx = kc
        .contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()?;
    let cluster = kc.clusters.iter().find(|c| c.name == ctx.cluster)?;
    cluster.cluster.as_ref()?.server.clone()
}

/// The cluster of one named context (no network: the client connects on first use).
async fn build(kc: &Kubeconfig, name: &str) -> Result<Cluster, String> {
    let opts = KubeConfigOptions {
        context: Some(name.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| e.to_string())?;
    let view = serde_json::to_value(kc).map_err(|e| e.to_string())?;
    Cluster::from_kube_config(config, view).map_err(|e| e.to_string())
}
