//! Plain stateless `tools/call` and `tools/list` requests, answered without rmcp's
//! per-request machinery.
//!
//! In stateless mode rmcp serves every POST by building a one-shot transport, a peer, a
//! serve loop task and a handler task, and by decoding the JSON-RPC body through its
//! untagged message enum: about as many instructions as our whole handler for a create.
//! This path answers the common case directly, with the same handler code
//! ([`GiteaMcp::run`], [`GiteaMcp::listed_tools`]) and rmcp's own message types, so the
//! reply is byte-identical. It only takes a request when rmcp would certainly have served
//! it through its plain stateless JSON branch: an allowed, well-formed `Host`, a JSON
//! content type, no or a known pre-2026-07-28 `MCP-Protocol-Version` (so no SEP-2243
//! header checks apply), and a request without `_meta`. Everything else (initialize,
//! notifications, sessions, SSE-only clients, odd headers, malformed bodies) goes to rmcp
//! unchanged; `tests/it` compares both paths.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use rmcp::model::{
    CallToolResponse, ClientJsonRpcMessage, ClientRequest, GetMeta, ListToolsResult,
    ProtocolVersion, RequestId, ServerJsonRpcMessage, ServerResult,
};

use super::MAX_BODY_BYTES;
use crate::server::{GiteaMcp, Reply, bearer};
use crate::tools::Output;

/// The fast path of one stateless JSON endpoint.
#[derive(Clone)]
pub(super) struct FastPath {
    server: GiteaMcp,
    /// rmcp's `allowed_hosts` (empty = any well-formed host).
    allowed_hosts: Arc<Vec<String>>,
}

impl FastPath {
    pub(super) fn new(server: GiteaMcp, allowed_hosts: Vec<String>) -> Self {
        FastPath {
            server,
            allowed_hosts: Arc::new(allowed_hosts),
        }
    }

    /// Answers `req` if it qualifies; otherwise hands it back untouched (body included).
    pub(super) async fn serve(&self, req: Request) -> Result<Response, Request> {
        if !self.headers_qualify(req.headers()) {
            return Err(req);
        }
        let (parts, body) = req.into_parts();
        // The guard middleware has buffered the body (within the limit) already, so this
        // is a cheap take that cannot fail.
        let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(_) => return Err(Request::from_parts(parts, Body::empty())),
        };
        let message = match serde_json::from_slice::<ClientJsonRpcMessage>(&bytes) {
            Ok(ClientJsonRpcMessage::Request(r)) if r.request.get_meta().is_empty() => r,
            _ => return Err(Request::from_parts(parts, Body::from(bytes))),
        };
        let id = message.id;
        let outcome = match message.request {
            ClientRequest::CallToolRequest(call) => {
                let token = bearer(&parts.headers);
                let args = call.params.arguments.unwrap_or_default();
                match self
                    .server
                    .call(&call.params.name, args, token.as_deref())
                    .await
                {
                    Ok(Reply::Success(Output::ArrayText(text))) => {
                        return Ok(rendered_reply(&id, &text));
                    }
                    other => {
                        other.map(|r| ServerResult::from(CallToolResponse::from(r.into_result())))
                    }
                }
            }
            ClientRequest::ListToolsRequest(_) => Ok(ServerResult::ListToolsResult(
                ListToolsResult::with_all_items(self.server.listed_tools().to_vec()),
            )),
            _ => return Err(Request::from_parts(parts, Body::from(bytes))),
        };
        let reply = match outcome {
            Ok(mut result) => {
                // What rmcp's handler does for peers before 2026-07-28 (the only ones
                // this path serves): the legacy wire shape.
                result.strip_result_type_for_legacy_peer();
                result.strip_non_object_output_for_legacy_peer();
                ServerJsonRpcMessage::response(result, id)
            }
            Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
        };
        Ok(json_reply(&reply))
    }

    /// True when rmcp would pass these headers on to its stateless JSON branch.
    fn headers_qualify(&self, headers: &HeaderMap) -> bool {
        let json_body = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let essence = v.split_once(';').map_or(v, |(e, _)| e);
                essence.trim().eq_ignore_ascii_case("application/json")
            });
        let plain_version = match headers.get("mcp-protocol-version") {
            None => true,
            Some(v) => v.to_str().ok().is_some_and(|v| {
                v < ProtocolVersion::STANDARD_HEADERS.as_str()
                    && ProtocolVersion::KNOWN_VERSIONS
                        .iter()
                        .any(|k| k.as_str() == v)
            }),
        };
        json_body && plain_version && self.host_allowed(headers)
    }

    /// rmcp's `Host` rule: the header must parse as an authority whose host (and port,
    /// when the allowed entry names one) matches an allowed entry.
    fn host_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(authority) = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| http::uri::Authority::try_from(h).ok())
        else {
            return false;
        };
        if self.allowed_hosts.is_empty() {
            return true;
        }
        let host = normalize_host(authority.host());
        let port = authority.port_u16();
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.trim();
            if allowed.is_empty() {
                return false;
            }
            match http::uri::Authority::try_from(allowed) {
                Ok(a) => {
                    normalize_host(a.host()) == host && a.port_u16().is_none_or(|p| port == Some(p))
                }
                Err(_) => normalize_host(allowed) == host,
            }
        })
    }
}

fn normalize_host(host: &str) -> String {
    host.trim_matches('[')
        .trim_matches(']')
        .to_ascii_lowercase()
}

/// The reply to a call whose result is a JSON array already written as `text`: the bytes
/// [`json_reply`] gives for that result (text content plus `{"items": …}` as structured
/// content), written around the text instead of decoding and re-encoding it.
fn rendered_reply(id: &RequestId, text: &str) -> Response {
    let mut body = Vec::with_capacity(2 * text.len() + 160);
    body.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    let written = serde_json::to_writer(&mut body, id).and_then(|()| {
        body.extend_from_slice(br#","result":{"content":[{"type":"text","text":"#);
        serde_json::to_writer(&mut body, text)
    });
    if let Err(e) = written {
        return server_error(&e);
    }
    body.extend_from_slice(br#"}],"structuredContent":{"items":"#);
    body.extend_from_slice(text.as_bytes());
    body.extend_from_slice(br#"},"isError":false}}"#);
    json_response(body)
}

fn json_response(body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(Bytes::from(body)));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn server_error(e: &serde_json::Error) -> Response {
    let mut resp = Response::new(Body::from(format!(
        "Internal Server Error: serialize json response: {e}"
    )));
    *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    resp
}

/// The reply exactly as rmcp's JSON mode sends it.
fn json_reply(message: &ServerJsonRpcMessage) -> Response {
    match serde_json::to_vec(message) {
        Ok(body) => json_response(body),
        Err(e) => server_error(&e),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::catalog::Filter;
    use crate::gitea_client::{ClientOptions, GiteaClient};
    use crate::server::ServerOptions;

    fn fast() -> FastPath {
        let gitea = GiteaClient::new(&ClientOptions {
            host: "http://127.0.0.1:9".into(),
            insecure: false,
            timeout: Duration::from_secs(1),
        })
        .unwrap();
        let server = GiteaMcp::new(ServerOptions {
            gitea,
            static_token: None,
            filter: Filter::default(),
            legacy_tools: false,
        });
        FastPath::new(server, vec!["localhost".into(), "127.0.0.1:8080".into()])
    }

    fn req(host: &str, version: Option<&str>, body: &str) -> Request {
        let mut b = http::Request::post("/mcp")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(v) = version {
            b = b.header("mcp-protocol-version", v);
        }
        b.body(Body::from(body.to_string())).unwrap()
    }

    /// The body of a response.
    async fn body_of(resp: Response) -> Bytes {
        axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn rendered_replies_are_the_bytes_rmcp_would_send() {
        // What `Output::ArrayText` holds: serde_json's compact text of an array.
        let texts = [
            json!([]),
            json!([{"id": 1, "title": "a \"quoted\" <title> é\n\\", "labels": ["bug"]}]),
        ]
        .map(|v| v.to_string());
        let ids = [RequestId::Number(7), RequestId::String("req-\"x\"".into())];
        for text in &texts {
            for id in &ids {
                let mut result = ServerResult::from(CallToolResponse::from(
                    Reply::Success(Output::ArrayText(text.to_string())).into_result(),
                ));
                result.strip_result_type_for_legacy_peer();
                result.strip_non_object_output_for_legacy_peer();
                let rmcp = json_reply(&ServerJsonRpcMessage::response(result, id.clone()));
                let ours = rendered_reply(id, text);
                assert_eq!(ours.headers(), rmcp.headers());
                let (ours, rmcp) = (body_of(ours).await, body_of(rmcp).await);
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&rmcp)
                );
            }
        }
    }

    #[tokio::test]
    async fn only_plain_requests_take_the_fast_path() {
        let f = fast();
        let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
        for (host, version) in [
            ("localhost:3000", None),
            ("LOCALHOST", Some("2025-06-18")),
            ("127.0.0.1:8080", Some("2024-11-05")),
        ] {
            let resp = f.serve(req(host, version, list)).await;
            assert!(resp.is_ok(), "{host} {version:?}");
        }
        let meta = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"progressToken":1}}}"#;
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
        for (host, version, body) in [
            ("127.0.0.1:8081", None, list),
            ("evil.example", None, list),
            ("localhost", Some("2026-07-28"), list),
            ("localhost", Some("1999-01-01"), list),
            ("localhost", None, meta),
            ("localhost", None, init),
            ("localhost", None, "{"),
        ] {
            let back = f.serve(req(host, version, body)).await;
            let Err(back) = back else {
                panic!("{host} {version:?} {body} took the fast path")
            };
            // Handed back with its body intact.
            let bytes = axum::body::to_bytes(back.into_body(), 1 << 20)
                .await
                .unwrap();
            assert_eq!(bytes, body.as_bytes());
        }
    }
}
