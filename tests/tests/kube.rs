#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap
//! Proofs that the Kubernetes API emulator behaves like the real API server for the
//! clients we use: kube-rs (in process and over HTTPS), kubectl, and the upstream Go
//! `kubernetes-mcp-server`.

mod kube {
    /// Typed and dynamic CRUD, errors, selectors, paging, finalizers, namespaces.
    mod crud;
}
