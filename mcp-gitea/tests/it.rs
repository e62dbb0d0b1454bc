//! Integration tests: the server on a loopback port (or as a spawned binary) against the
//! testbed's Gitea emulator, driven by real MCP clients.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup step should fail the test

mod it {
    mod cli;
    mod common;
    mod fast_path;
    mod filters;
    mod issues;
    mod protocol;
    mod pulls;
    mod repos;
    mod stdio;
    mod tokens;
    mod ts_sdk;
}
