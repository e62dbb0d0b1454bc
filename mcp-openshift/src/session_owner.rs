//! Which credential opened a session, so that later requests on the session must carry the
//! same one (legacy SSE `POST /message?sessionId=…` and streamable-HTTP `Mcp-Session-Id`).
//!
//! A session is bound to a keyed hash of the bearer token its opening request carried (or
//! to "no token"); the server keeps no copy of the token for this. The key is random per
//! process, so the hash says nothing outside it.

use std::hash::{BuildHasher, RandomState};

use crate::server::bearer_token;

/// The credential of a request: a keyed hash of its bearer token, `None` without one.
pub type Owner = Option<u64>;

/// Hashes request credentials with a per-process random key.
#[derive(Debug, Clone, Default)]
pub struct OwnerKey(RandomState);

impl OwnerKey {
    /// The credential of a request with these headers (see [`bearer_token`]).
    pub fn of(&self, headers: &http::HeaderMap) -> Owner {
        bearer_token(headers).map(|t| self.0.hash_one(t.as_str()))
    }
}

/// The answer to a request whose credential is not the session's.
pub const FOREIGN_SESSION: &str =
    "Forbidden: this session was opened with another credential; open your own session";
