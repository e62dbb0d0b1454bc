//! The provisioner's one error type: which input, step or remote call failed, and why.

use std::time::Duration;

/// Everything that can go wrong, named so an operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting or argument is invalid; nothing was created.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The flag, variable or value key.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The order names something that belongs to someone else (another tenant's guid, a
    /// Gitea user, namespace or LiteLLM key this provisioner did not create); nothing of
    /// it was changed.
    #[error("conflict on {field}: {reason}")]
    Conflict {
        /// The input that conflicts (`guid`, `username`).
        field: String,
        /// What it conflicts with.
        reason: String,
    },
    /// A credential the command needs is not set.
    #[error("missing credential: {0} (set it, or {0}_FILE naming a file that holds it)")]
    MissingCredential(&'static str),
    /// A file named by a setting could not be read.
    #[error("cannot read {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The Kubernetes API refused or failed a request.
    #[error("kubernetes {action}: {source}")]
    Kube {
        /// What was being done (`apply Namespace agent-u1`).
        action: String,
        /// The client error.
        #[source]
        source: kube::Error,
    },
    /// Cluster access could not be configured.
    #[error("cluster access: {0}")]
    KubeConfig(String),
    /// `serve` could not listen or stopped with an I/O error.
    #[error("serve on {addr}: {source}")]
    Listen {
        /// The listen address.
        addr: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Gitea or LiteLLM answered with an unexpected status.
    #[error("{service} {action}: HTTP {status}: {body}")]
    Remote {
        /// `gitea` or `litellm`.
        service: &'static str,
        /// The call (`POST /admin/users`).
        action: String,
        /// The HTTP status.
        status: u16,
        /// The start of the answer body (never a secret we sent).
        body: String,
    },
    /// Gitea or LiteLLM could not be reached.
    #[error("{service} {action}: {source}")]
    Http {
        /// `gitea` or `litellm`.
        service: &'static str,
        /// The call.
        action: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// `helm template` failed or printed something that is not YAML.
    #[error("helm: {0}")]
    Helm(String),
    /// A readiness wait ran past its deadline.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was not ready.
        what: String,
        /// How long we waited.
        waited: Duration,
    },
    /// A step of provision or destroy failed; earlier steps are done and stay done.
    #[error("step `{step}` failed: {source}; already done: [{done}]")]
    Step {
        /// The step's name.
        step: &'static str,
        /// Steps completed before it, comma-separated.
        done: String,
        /// The cause.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Conflict {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The error under any [`Error::Step`] wrappers.
    pub fn root(&self) -> &Error {
        match self {
            Error::Step { source, .. } => source.root(),
            other => other,
        }
    }

    /// Whether retrying the same call may succeed (conflicts, throttling, server errors,
    /// transport failures).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Kube { source, .. } => kube_transient(source),
            Error::Remote { status, .. } => *status == 409 || *status == 429 || *status >= 500,
            Error::Http { .. } => true,
            _ => false,
        }
    }

    /// Whether the cause is a Kubernetes 404, or a kind the cluster does not serve at all
    /// (discovery knows no such group, resource or kind: Argo CD's kinds on a cluster without
    /// Argo CD, OpenShift's on plain Kubernetes). Callers treat both as "nothing there".
    pub fn is_not_found(&self) -> bool {
        use kube::error::DiscoveryError as D;
        match self {
            Error::Kube { source, .. } => match source {
                kube::Error::Api(s) => s.code == 404,
                kube::Error::Discovery(
                    D::MissingKind(_) | D::MissingApiGroup(_) | D::MissingResource(_),
                ) => true,
                _ => false,
            },
            _ => false,
        }
    }
}

fn kube_transient(err: &kube::Error) -> bool {
    match err {
        kube::Error::Api(status) => status.code == 409 || status.code == 429 || status.code >= 500,
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
