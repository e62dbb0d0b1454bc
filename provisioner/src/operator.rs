//! `provisioner operator`: the Tenant operator. A `Tenant` resource is one lab order; the
//! controller runs the provisioner's own idempotent steps as its reconcile (so every step
//! of `provision` and `destroy`, including ones added later, is reconciled without being
//! listed here), turns waits into requeues, destroys behind a finalizer, repairs drift on
//! a periodic resync, destroys expired labs, and reports steps as conditions and Events.
//!
//! Modules: [`crd`] (the resources), [`profile`] (Tenant → provisioner), [`reconcile`]
//! (one pass), [`conditions`] (steps → conditions), [`children`] (watched objects →
//! Tenant), [`limits`] (rate limits), [`metrics`], [`leader`] (Lease), [`run`].

pub mod children;
pub mod conditions;
pub mod crd;
pub mod leader;
pub mod limits;
pub mod metrics;
pub mod profile;
pub mod reconcile;
pub mod run;

pub use crd::{Tenant, TenantProfile, TenantSpec, TenantStatus};
pub use leader::LeaseOptions;
pub use reconcile::Timing;
pub use run::{OperatorOptions, run};
