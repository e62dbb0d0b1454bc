//! The crate's integration tests, in one test binary (`cargo test -p failure-analysis
//! --test analysis`); each module was a test binary of its own, and a filter picks it:
//!
//! - [`scenarios`]: the scenario suite's deterministic half (`-- scenarios::`);
//! - [`robustness`]: no input makes any public function panic (`-- robustness::`).

mod robustness;
mod scenarios;
