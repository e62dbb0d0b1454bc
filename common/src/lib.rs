//! Plumbing shared by every binary of the platform, so that each concern is written once:
//! the DNS-rebinding guard of the MCP servers ([`http_guard`]), the shutdown signal
//! ([`shutdown`]), logging setup ([`logging`]), a redacting [`Secret`] ([`secret`]) and
//! operators' own MCP prompts ([`prompt_templates`]).
//! Depends on no crate of this workspace.

pub mod http_guard;
pub mod logging;
pub mod prompt_templates;
pub mod secret;
pub mod shutdown;

pub use http_guard::{HostOriginLayer, Refusal, host_allowed, origin_allowed};
pub use logging::{LogFormat, Logging};
pub use secret::Secret;
pub use shutdown::{shutdown_signal, try_shutdown_signal};
