#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap
//! Proofs that the Kubernetes API emulator behaves like the real API server for the
//! clients we use: kube-rs (in process and over HTTPS), kubectl, and the upstream Go
//! `kubernetes-mcp-server`.

mod kube {
    /// The `testbed up --only kube` command.
    mod cli;
    /// Typed and dynamic CRUD, errors, selectors, paging, finalizers, namespaces.
    mod crud;
    /// Bad input and its Status errors.
    mod errors;
    /// pods/exec over WebSocket.
    mod exec;
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
    /// Stored objects against the official schemas.
    mod schema;
    /// The upstream Go kubernetes-mcp-server through an MCP client.
    mod upstream_mcp;
    /// Shared helpers.
    mod util;
    /// Watch, defaults, scale.
    mod watch;
}
