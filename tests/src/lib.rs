//! `testbed`: the counterparts our services are tested against, since no real
//! Kubernetes, Gitea or LLM endpoint can run on our machines or in CI.
//!
//! - [`kube`]: an in-memory Kubernetes API server (in process or on a loopback port).
//! - [`gitea`]: an in-memory Gitea 1.26 REST API.
//! - [`llm`]: an OpenAI-compatible chat endpoint that replays scripts, plus LiteLLM key
//!   management.
//! - [`stack`]: the whole lab in process (emulators, provisioned tenant, our MCP servers
//!   and the agent) behind `testbed up` and `testbed demo`.
//! - [`netpol`]: a NetworkPolicy checker over rendered charts (may this pod reach that one?).
//! - [`real_llm`]: a real tiny model (llama-cpp-python server) for the opt-in tests.
//! - [`serve`]: loopback serving shared by all of them; [`tools`]: where the external test
//!   programs (kubectl, helm, upstream servers, SDKs) are installed.

pub mod agent_metrics;
pub mod bench;
pub mod controllers;
pub mod demo;
pub mod gitea;
pub mod kube;
pub mod llm;
pub mod netpol;
pub mod real_llm;
pub mod serve;
pub mod stack;
pub mod tools;
