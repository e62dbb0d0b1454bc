//! `emulator-support`: what every emulator crate and the testbed share, and nothing else.
//!
//! - [`serve`]: serving an axum router on a loopback port ([`serve::ServerHandle`]).
//! - [`tools`]: where the external test programs (kubectl, helm, upstream servers, SDKs)
//!   are installed, and the workspace root.
//! - [`agent_metrics`]: reading the agent's Prometheus text in tests.
//! - [`forward`]: a bare forwarding proxy (the benchmarks' floor, `testbed forward`).

pub mod agent_metrics;
pub mod forward;
pub mod serve;
pub mod tools;
