//! Errors of the emulator's Rust-side API (fixtures, `apply_yaml`).

/// Why a fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KubeEmuError {
    /// The text is not valid YAML/JSON.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// No registered type has this apiVersion and kind.
    #[error("no resource type for apiVersion {api_version:?} kind {kind:?}")]
    UnknownKind {
        /// The document's apiVersion.
        api_version: String,
        /// The document's kind.
        kind: String,
    },
    /// The API refused the object.
    #[error("the API refused the object: {0}")]
    Api(#[from] super::status::ApiError),
}
