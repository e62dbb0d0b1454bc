//! `testbed`: the whole lab in process on top of the emulators, and what runs on it.
//!
//! - [`kube`], [`gitea`], [`llm`], [`controllers`]: the emulator crates (`kube-emulator`,
//!   `gitea-emulator`, `llm-emulator`, `simulated-controllers` under `emulators/`),
//!   re-exported under their old names.
//! - [`stack`]: the whole lab in process (emulators, provisioned tenant, our MCP servers
//!   and the agent) behind `testbed up` and `testbed demo`; [`demo`]: module 2 end to end.
//! - [`bench`]: the benchmarks (`testbed bench` and the product crates' bench targets).
//! - [`netpol`]: a NetworkPolicy checker over rendered charts (may this pod reach that one?).
//! - [`real_llm`]: a real tiny model (llama-cpp-python server) for the opt-in tests
//!   (`llm_emulator::real`, re-exported).
//! - [`serve`], [`tools`], [`agent_metrics`]: loopback serving and the external test programs' finder
//!   and the agent's metrics reader (`emulator-support`, re-exported).

pub use emulator_support::{agent_metrics, serve, tools};
pub use gitea_emulator as gitea;
pub use kube_emulator as kube;
pub use llm_emulator as llm;
pub use llm_emulator::real as real_llm;
pub use simulated_controllers as controllers;

pub mod bench;
pub mod demo;
pub mod netpol;
pub mod stack;
