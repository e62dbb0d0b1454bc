//! The provisioner's integration tests, in one test binary (`cargo test -p provisioner
//! --test provisioner`); each module was a test binary of its own, and a filter picks it
//! (`-- charts::`, `-- tenants::many::`):
//!
//! - [`charts`]: the tenant charts linted, rendered, validated, and their isolation facts;
//! - [`cli`]: the binary's input checks (exit 64 before anything is created);
//! - [`operator`]: the Tenant operator's life cycle, restarts, leader election, RBAC, front;
//! - [`tenants`]: provision and destroy against the emulators with the simulated controllers;
//! - [`trigger`]: the agent chart's `trigger-agent` script against the Kubernetes emulator.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod charts;
mod cli;
mod operator;
mod tenants;
mod trigger;
