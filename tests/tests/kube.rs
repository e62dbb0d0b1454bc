#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap
//! Proofs that the Kubernetes API emulator behaves like the real API server for the
//! clients we use: kube-rs (in process and over HTTPS), kubectl, and the upstream Go
//! `kubernetes-mcp-server`.

mod kube {
    /// The `testbed up --only kube` command.
    mod cli;
    /// Typed and dynamic CRUD, errors, selectors, paging, finalizers, namespaces.
    mod crud;
    /// Raw HTTP: bad input, negotiation, SSAR, watch, scale.
    mod http;
    /// kube-rs typed, dynamic, SSA, await_condition, watcher.
    mod kube_rs;
    /// kubectl over HTTPS.
    mod kubectl;
    /// The upstream Go kubernetes-mcp-server through an MCP client.
    mod upstream_mcp;
    /// Shared helpers.
    mod util;
}
