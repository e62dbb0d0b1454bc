//! The Tenant operator against the Kubernetes, Gitea and LiteLLM emulators with the
//! testbed's controllers: a Tenant becomes Ready and is destroyed behind its finalizer,
//! bad input is named in status with nothing created, drift is repaired, `expiresAt`
//! destroys, a killed operator's successor converges, and a second replica takes over the
//! Lease when the leader dies.

mod binary;
mod front;
pub(crate) mod harness;
mod leader;
mod lifecycle;
mod rbac;
mod restart;
mod schema;
