//! MCP clients: the legacy SSE transport, supervised sessions and the tool registry.

pub mod policy;
pub mod registry;
pub mod session;
pub mod sse_transport;

pub use registry::{ServerStatus, ToolInfo, ToolOutput, ToolRegistry};
pub use session::{McpSession, SessionTiming};
