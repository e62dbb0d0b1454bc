//! Integration tests: the server on a loopback port (or as a spawned binary) against the
//! testbed's Gitea emulator, driven by real MCP clients.

#![allow(clippy::unwrap_used)] // test helpers: a failed setup step should fail the test

mod it {
    mod actions;
    mod attacks;
    mod cli;
    mod common;
    mod dependencies;
    mod fast_path;
    mod filters;
    mod forks;
    mod fuzz;
    mod issues;
    mod notifications_packages;
    mod org_labels;
    mod prompts;
    mod protocol;
    mod pulls;
    mod repos;
    mod review_threads;
    mod stdio;
    mod tokens;
    mod ts_sdk;
    mod wiki_times;
}
