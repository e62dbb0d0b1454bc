//! The provisioner against the testbed's Kubernetes, Gitea and LiteLLM emulators, with
//! emulated Argo CD / ToolHive / Deployment controllers: full life cycle, idempotence,
//! failure and resume, isolation, many tenants at once, render = applied.

mod adopt;
mod attacks;
mod binary;
mod direct;
mod identity;
mod isolation;
pub(crate) mod lab;
mod lifecycle;
mod many;
mod per_tenant_gitea;
mod serve;
