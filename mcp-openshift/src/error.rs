//! Errors of this crate: configuration problems (exit code 64), cluster access failures, and
//! failed tool calls ([`ToolError`]), whose text is the whole `isError` result in upstream's
//! `failed to <verb> …: <reason>` form (so the variants only structure it; the wording is
//! upstream's, pinned by the tests).

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

/// A failed tool call; its `Display` text is what the client reads in the `isError` result.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// A step of the tool failed; `action` says what was being done (`failed to get pod x in
    /// namespace y`), `cause` why.
    #[error("{action}: {cause}")]
    Failed {
        /// What the tool was doing, upstream's `failed to <verb> …`.
        action: String,
        /// Why it failed.
        #[source]
        cause: Cause,
    },
    /// The client cancelled the call before it finished.
    #[error("tool {tool} was cancelled")]
    Cancelled {
        /// The tool's name.
        tool: String,
    },
}

impl ToolError {
    /// `action` failed because of `cause`.
    pub fn failed(action: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::Failed {
            action: action.into(),
            cause: cause.into(),
        }
    }
}

/// Why a step of a tool failed.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    /// An argument is missing, of the wrong type or out of range.
    #[error(transparent)]
    Argument(#[from] ArgError),
    /// The API server answered 404.
    #[error("{0}")]
    NotFound(KubeError),
    /// The API server answered 403 (the caller's identity may not do this).
    #[error("{0}")]
    Forbidden(KubeError),
    /// Any other failed Kubernetes call (status, transport, unexpected answer).
    #[error("{0}")]
    Kube(KubeError),
    /// A document of a manifest cannot be read.
    #[error("document {document}: {reason}")]
    Manifest {
        /// 1-based number of the document.
        document: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The cluster serves no `metrics.k8s.io` API (the `top` tools need it).
    #[error("metrics API is not available")]
    MetricsApiUnavailable,
    /// `pods_exec` on a pod that has finished.
    #[error("cannot exec into a container in a completed pod; current phase is {phase}")]
    PodCompleted {
        /// The pod's phase (`Succeeded` or `Failed`).
        phase: String,
    },
    /// No container was named and the pod does not say which one is meant.
    #[error(transparent)]
    Container(#[from] ContainerError),
    /// A command run by `pods_exec` failed (its exit status and what it printed).
    #[error("{0}")]
    Command(String),
    /// A command did not finish in time.
    #[error("command did not finish within {secs}s")]
    Timeout {
        /// The limit, in seconds.
        secs: u64,
    },
    /// Reading a command's output stream failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<KubeError> for Cause {
    fn from(e: KubeError) -> Self {
        match e.code {
            Some(404) => Self::NotFound(e),
            Some(403) => Self::Forbidden(e),
            _ => Self::Kube(e),
        }
    }
}

/// A tool argument that cannot be used, worded as upstream
/// (`tail parameter must be an integer: expected integer, got string`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    /// A required argument is absent (or an empty string).
    #[error("{field} parameter required")]
    Missing {
        /// The argument's name.
        field: String,
    },
    /// An argument has the wrong JSON type.
    #[error("{field} parameter must be {must_be}: expected {expected}, got {got}")]
    WrongType {
        /// The argument's name.
        field: String,
        /// What it must be (`an integer`).
        must_be: &'static str,
        /// The JSON type expected (`integer`).
        expected: &'static str,
        /// The JSON type sent.
        got: &'static str,
    },
    /// An argument has the right type but a value the tool cannot use.
    #[error("{field} parameter {reason}")]
    Invalid {
        /// The argument's name.
        field: String,
        /// What is wrong (`must be a non-negative integer`).
        reason: String,
    },
    /// An entry inside an object argument cannot be used (`params.x must not be null`).
    #[error("{path} {reason}")]
    InvalidEntry {
        /// The entry, as `argument.key`.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl ArgError {
    /// The argument `field` has a value the tool cannot use.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

/// Which container of a pod a call means could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// The pod lists no containers.
    #[error("the pod has no containers")]
    NoContainers,
    /// Several containers and no default-container annotation naming one of them.
    #[error(
        "the pod has {} containers and none was named; choose one with the container parameter: {}",
        .names.len(),
        .names.join(", ")
    )]
    Ambiguous {
        /// The pod's containers.
        names: Vec<String>,
    },
}

/// Adds the failed action to an error: `result.context("failed to get pod")?`.
pub trait Context<T> {
    /// Turns the error into a [`ToolError::Failed`] for `action`.
    fn context(self, action: impl Into<String>) -> Result<T, ToolError>;
}

impl<T, E: Into<Cause>> Context<T> for Result<T, E> {
    fn context(self, action: impl Into<String>) -> Result<T, ToolError> {
        self.map_err(|e| ToolError::failed(action, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kube(code: u16, message: &str) -> KubeError {
        KubeError {
            message: message.into(),
            reason: None,
            code: Some(code),
        }
    }

    #[test]
    fn tool_errors_render_upstream_text() {
        let e = ToolError::failed(
            "failed to get pod log",
            ArgError::WrongType {
                field: "tail".into(),
                must_be: "an integer",
                expected: "integer",
                got: "string",
            },
        );
        assert_eq!(
            e.to_string(),
            "failed to get pod log: tail parameter must be an integer: expected integer, got string"
        );
        let e = ToolError::failed(
            "failed to get pod x in namespace y",
            kube(404, "pods \"x\" not found"),
        );
        assert!(matches!(
            &e,
            ToolError::Failed {
                cause: Cause::NotFound(_),
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "failed to get pod x in namespace y: pods \"x\" not found"
        );
        assert!(matches!(
            Cause::from(kube(403, "forbidden")),
            Cause::Forbidden(_)
        ));
        assert!(matches!(Cause::from(kube(500, "boom")), Cause::Kube(_)));
        let e = ToolError::failed(
            "failed to exec in pod p in namespace n",
            ContainerError::Ambiguous {
                names: vec!["a".into(), "b".into()],
            },
        );
        assert_eq!(
            e.to_string(),
            "failed to exec in pod p in namespace n: the pod has 2 containers and none was named; choose one with the container parameter: a, b"
        );
        assert_eq!(
            ToolError::failed(
                "failed to start Task",
                ArgError::InvalidEntry {
                    path: "params.x".into(),
                    reason: "must not be null".into()
                }
            )
            .to_string(),
            "failed to start Task: params.x must not be null"
        );
        assert_eq!(
            ToolError::failed(
                "failed to delete resource",
                ArgError::invalid("gracePeriodSeconds", "must be a non-negative integer")
            )
            .to_string(),
            "failed to delete resource: gracePeriodSeconds parameter must be a non-negative integer"
        );
        assert_eq!(
            ToolError::Cancelled {
                tool: "pods_log".into()
            }
            .to_string(),
            "tool pods_log was cancelled"
        );
    }
}
