//! The testbed's integration tests, in one test binary (`cargo test -p testbed --test
//! testbed`): one module per area, each once a test binary of its own, so a filter picks an
//! area as `--test <name>` did (`-- up::`, `-- lab_e2e::scale::`, `-- real_model:: --ignored`).
//!
//! - [`up`], [`kube_cli`]: `testbed up --no-platform` / `--only kube` as a user runs it;
//!   [`stack_up`]: the full `testbed up`; [`up_process`]: driving that binary.
//! - [`stack`]: the local stack as a library; [`demo`]: the lab's module 2 end to end.
//! - [`lab_e2e`]: the whole lab with the clients real users have (slow: `scale` provisions
//!   50 tenants).
//! - [`isolation`]: who may reach whom under the tenant charts' NetworkPolicies.
//! - [`bench`], [`forward`]: the benchmark's parts at tiny sizes, and its forwarding proxy.
//! - [`real_model`]: the demo with a real tiny model (`#[ignore]`d; `scripts/test-real-llm`).

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod bench;
mod demo;
mod forward;
mod isolation;
mod kube_cli;
mod lab_e2e;
mod real_model;
mod stack;
mod stack_up;
mod up;
mod up_process;
