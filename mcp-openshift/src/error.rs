//! Errors of this crate: configuration problems (exit code 64) and cluster access failures.

use std::path::PathBuf;

/// A configuration that cannot be used; reported before anything is bound.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The command line could not be parsed.
    #[error("{0}")]
    Flags(String),
    /// The TOML file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML file is not valid TOML or has wrong types.
    #[error("invalid config file {path}: {reason}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A setting has a bad value.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The setting's name.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No usable cluster configuration (kubeconfig / in-cluster).
    #[error("cannot configure the Kubernetes client: {0}")]
    Cluster(String),
}

/// A failed Kubernetes call, reduced to what the tool result shows.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct KubeError {
    /// The API server's message (e.g. `pods "x" not found`) or the transport error.
    pub message: String,
    /// The Status reason (`NotFound`, `Forbidden`, ...), when the server sent one.
    pub reason: Option<String>,
    /// The HTTP status code, when the server answered.
    pub code: Option<u16>,
}

impl KubeError {
    /// An error produced locally (bad input, unexpected shape).
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            reason: None,
            code: None,
        }
    }
}

impl From<kube::Error> for KubeError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(status) => Self {
                message: if status.message.is_empty() {
                    format!("{} ({})", status.reason, status.code)
                } else {
                    status.message.clone()
                },
                reason: Some(status.reason.clone()),
                code: Some(status.code),
            },
            other => Self::msg(other.to_string()),
        }
    }
}
