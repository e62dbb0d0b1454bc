//! `provisioner`: creates, inspects and destroys one lab tenant - namespaces, Argo CD
//! project and Applications (or the rendered charts directly), Gitea user, repository and
//! token, LiteLLM virtual key, Secrets, SCC and the user info RHDP shows.
//!
//! Main types: [`Provisioner`] (clients + settings; `provision`, `destroy`, `status`,
//! `render`), [`Tenant`] (validated username and guid), [`Settings`] (the `--values`
//! file), [`Credentials`] (from the environment), [`Report`] (steps and durations).
//! Desired objects come from the pure functions in [`desired`].

pub mod charts;
pub mod cli;
pub mod cli_operator;
pub mod cluster;
pub mod config;
pub mod desired;
mod destroy;
pub mod error;
pub mod features;
pub mod front;
pub mod gitea;
pub mod gitea_instance;
pub mod identity;
pub mod journal;
mod json_api;
pub mod keycloak;
pub mod litellm;
pub mod operator;
mod own_namespace;
mod preflight;
mod provision;
mod provisioner;
pub mod retry;
pub mod serve;
pub mod showroom;
pub mod state;
mod status;
pub mod tenant;
pub mod wait;

pub use charts::Helm;
pub use cluster::Cluster;
pub use config::{Credentials, Secret};
pub use error::{Error, Result};
pub use features::{GiteaMode, GiteaSettings, IdentitySettings, ShowroomSettings};
pub use journal::{Report, StepReport};
pub use provisioner::{Provisioner, planned_objects};
pub use tenant::{Mode, Settings, Tenant};
