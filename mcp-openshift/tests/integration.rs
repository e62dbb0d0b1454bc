#![allow(unreachable_pub, clippy::unwrap_used)]
//! Integration tests: the server on a loopback port, the Kubernetes emulator behind it, and
//! real MCP clients (rmcp over streamable HTTP and over our test-side legacy SSE client,
//! the TypeScript SDK and the Python `mcp` package).

mod integration {
    mod attacks;
    mod binary;
    mod bounded_lists;
    mod contexts;
    pub mod differential;
    mod exec;
    mod fuzz;
    mod helm;
    mod prompts;
    mod rbac;
    pub mod sse_client;
    mod third_party;
    mod tools_read;
    mod tools_write;
    mod transports;
    pub mod util;
}
