#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap
//! Proofs that the Kubernetes API emulator behaves like the real API server for the
//! clients we use: kube-rs (in process and over HTTPS), kubectl, and the upstream Go
//! `kubernetes-mcp-server`.

/// Typed and dynamic CRUD, errors, selectors, paging, finalizers, namespaces.
mod crud;
/// Bad input and its Status errors.
mod errors;
/// Events in core/v1 and events.k8s.io/v1.
mod events;
/// pods/exec over WebSocket.
mod exec;
/// pods/log with follow=true.
mod follow;
/// Helm and kubectl's protobuf-posting generators.
mod helm;
/// Request log, faults, simulated controllers.
mod hooks;
/// kube-rs typed, dynamic, SSA, await_condition, watcher.
mod kube_rs;
/// kubectl reads over HTTPS.
mod kubectl;
/// kubectl writes and RBAC over HTTPS.
mod kubectl_write;
/// Discovery, Table/metadata negotiation, SSAR.
mod negotiation;
/// /openapi/v2|v3, kubectl's default validation and explain, schema validation.
mod openapi;
/// Stored objects against the official schemas.
mod schema;
/// The upstream Go kubernetes-mcp-server through an MCP client.
mod upstream_mcp;
/// Shared helpers.
mod util;
/// Watch, defaults, scale.
mod watch;
