//! The one error type of this crate: only the scenario loader and the conversation budget can
//! fail; everything else is total over its input (bad input degrades to "unknown", never panics).

use std::path::PathBuf;

/// Errors returned by the fallible parts of the crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A scenario `case.yaml` is not valid YAML or does not match the case schema.
    #[error("invalid scenario {path}: {message}")]
    Scenario {
        /// The `case.yaml` that failed.
        path: PathBuf,
        /// What is wrong with it (parser message or the bad field).
        message: String,
    },
    /// The fixed part of a conversation (system and user prompts plus the output reserve)
    /// does not fit the context window, so no truncation of tool results can help.
    #[error(
        "conversation does not fit: fixed prompts need {fixed_tokens} tokens plus {reserve_tokens} reserved for output, window is {window_tokens}"
    )]
    ContextTooSmall {
        /// Tokens of the messages that are never truncated.
        fixed_tokens: usize,
        /// Tokens reserved for the model's answer.
        reserve_tokens: usize,
        /// The configured context window.
        window_tokens: usize,
    },
}
