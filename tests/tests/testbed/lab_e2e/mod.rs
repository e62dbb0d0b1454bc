//! The whole lab with the clients real users have (`cargo test -p testbed --test testbed lab_e2e::`;
//! needs `scripts/install-tools`: Node 22 + the conformance suite, the TypeScript SDK, the
//! Python `mcp` SDK, helm and the upstream Go server, all in `.tools`):
//!
//! - `conformance`: `@modelcontextprotocol/conformance` 0.1.16 generic server scenarios
//!   against both our servers' streamable HTTP endpoints;
//! - `clients`: the TypeScript SDK configured as the LibreChat chart configures it, and the
//!   Python SDK over both transports, running the lab's LibreChat prompts;
//! - `upstream`: the upstream Go `kubernetes-mcp-server` 0.0.66 as a drop-in swap;
//! - `scale`: 50 tenants provisioned, reported on and destroyed concurrently;
//! - `faults`: our OpenShift MCP server killed and restarted during a report.
//!
//! Helpers and client scripts live beside this file.

mod clients;
mod conformance;
mod faults;
mod scale;
mod support;
mod upstream;
