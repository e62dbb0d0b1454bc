//! Gitea emulator tests over real HTTP (reqwest against a loopback server), one module per
//! topic, plus the swagger conformance test.

// Test helpers may panic: a failed request is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod auth;
pub(crate) mod checker;
pub(crate) mod common;
mod conformance;
mod conformance_extra;
mod conformance_links;
mod conformance_pulls;
mod drift;
mod issues;
mod pagination;
mod repos;
pub(crate) mod spec;
mod third_party;
