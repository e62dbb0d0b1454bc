//! The whole lab with the clients real users have: the MCP conformance suite, the
//! TypeScript and Python SDKs configured as LibreChat does, the upstream Go server as a
//! drop-in swap, and scale and fault runs. Helpers and client scripts live in `lab/`.

mod lab;
