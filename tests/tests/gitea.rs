//! Gitea emulator tests over real HTTP (reqwest against a loopback server), one module per
//! topic.

// Test helpers may panic: a failed request is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod gitea {
    mod auth;
    pub(crate) mod common;
    mod issues;
}
