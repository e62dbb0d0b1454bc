//! A minimal MCP client for load: raw JSON-RPC over streamable HTTP (JSON or SSE-framed
//! answers, with or without sessions) and over legacy SSE (GET the stream, POST to the
//! `endpoint` it announces, answers come back on the stream). Being this thin keeps the
//! client's own cost out of the servers' figures, and works with every server we compare.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use eventsource_stream::Eventsource;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// The transport a session uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Legacy HTTP+SSE (`GET /sse`), protocol 2024-11-05.
    Sse,
    /// Streamable HTTP (`POST /mcp`), protocol 2025-06-18.
    Streamable,
}

impl Transport {
    /// Its name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Transport::Sse => "SSE",
            Transport::Streamable => "streamable HTTP",
        }
    }
}

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// One initialised MCP session.
#[derive(Debug)]
pub struct McpClient {
    http: reqwest::Client,
    post_url: String,
    session: Option<String>,
    next_id: AtomicU64,
    /// Legacy SSE: answers waiting for their id, and the task reading the stream.
    sse: Option<(Pending, tokio::task::JoinHandle<()>)>,
}

impl Drop for McpClient {
    fn drop(&mut self) {
        if let Some((_, task)) = &self.sse {
            task.abort();
        }
    }
}

/// The JSON-RPC answer in a streamable HTTP body (plain JSON or SSE `data:` lines).
fn answer_in(text: &str) -> anyhow::Result<Value> {
    let json_text = if text.trim_start().starts_with('{') {
        text
    } else {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(str::trim)
            .find(|d| d.contains("\"id\""))
            .ok_or_else(|| anyhow!("no JSON-RPC answer in the response"))?
    };
    Ok(serde_json::from_str(json_text)?)
}

/// Checks a JSON-RPC answer without building it: its first member after `id` must be
/// `result`, and the result must not say `"isError":true`. (Both spellings occur only as
/// JSON structure: inside a string the quotes are escaped.) The load cells use this so
/// that, like the direct REST calls they are compared with, they read the whole reply
/// but leave its decoding to whoever would use it.
fn check_answer(json: &[u8]) -> anyhow::Result<()> {
    let fail = |why: &str| {
        anyhow!(
            "{why}: {}",
            crate::bench::preview(&String::from_utf8_lossy(json))
        )
    };
    match (member(json, "result"), member(json, "error")) {
        (Some((r, _)), e) if e.is_none_or(|(e, _)| r < e) => {}
        _ => return Err(fail("not a success")),
    }
    let mut from = 0;
    while let Some((at, value)) = member(&json[from..], "isError") {
        if value.starts_with(b"true") {
            return Err(fail("tool error"));
        }
        from += at + 1;
    }
    Ok(())
}

/// The first `"key":` in `json` (whitespace allowed around the colon, as some servers
/// write it): its offset and the bytes after the colon and any whitespace.
fn member<'a>(json: &'a [u8], key: &str) -> Option<(usize, &'a [u8])> {
    let needle = format!("\"{key}\"");
    let needle = needle.as_bytes();
    let mut from = 0;
    while let Some(at) = json[from..].windows(needle.len()).position(|w| w == needle) {
        let at = from + at;
        let rest = json[at + needle.len()..].trim_ascii_start();
        if let Some(value) = rest.strip_prefix(b":") {
            return Some((at, value.trim_ascii_start()));
        }
        from = at + 1;
    }
    None
}

/// `response` if its status is a success (an error with the body otherwise), and whether
/// its body is an SSE stream.
async fn successful(
    response: reqwest::Response,
    what: &str,
) -> anyhow::Result<(reqwest::Response, bool)> {
    let status = response.status();
    let streamed = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !status.is_success() {
        let text = response.text().await?;
        bail!("{what}: HTTP {status}: {}", crate::bench::preview(&text));
    }
    Ok((response, streamed))
}

/// The first message of an SSE response body that answers request `id`.
async fn first_answer(response: reqwest::Response, id: u64) -> anyhow::Result<Value> {
    let mut events = response.bytes_stream().eventsource();
    while let Some(event) = events.next().await {
        let event = event.context("reading the SSE response")?;
        if let Ok(message) = serde_json::from_str::<Value>(&event.data)
            && message["id"].as_u64() == Some(id)
        {
            return Ok(message);
        }
    }
    bail!("the SSE response ended without an answer")
}

impl McpClient {
    /// Opens a session on `url`: the `…/mcp` endpoint for streamable HTTP, the server's
    /// root for legacy SSE (`/sse` is appended).
    pub async fn connect(url: &str, transport: Transport) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .context("building the HTTP client")?;
        let mut client = match transport {
            Transport::Streamable => Self {
                http,
                post_url: url.to_string(),
                session: None,
                next_id: AtomicU64::new(1),
                sse: None,
            },
            Transport::Sse => Self::open_sse(http, url.trim_end_matches('/')).await?,
        };
        let version = match transport {
            Transport::Sse => "2024-11-05",
            Transport::Streamable => "2025-06-18",
        };
        let init = json!({"protocolVersion": version, "capabilities": {},
            "clientInfo": {"name": "testbed-bench", "version": "1"}});
        let (_, session) = client.exchange("initialize", init).await?;
        client.session = session;
        client
            .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .send()
            .await?;
        Ok(client)
    }

    async fn open_sse(http: reqwest::Client, base: &str) -> anyhow::Result<Self> {
        // The stream stays open for the session: no overall timeout on it.
        let stream_http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        let response = tokio::time::timeout(
            TIMEOUT,
            stream_http
                .get(format!("{base}/sse"))
                .header("accept", "text/event-stream")
                .send(),
        )
        .await
        .context("GET /sse timed out")??;
        if !response.status().is_success() {
            bail!("GET {base}/sse: HTTP {}", response.status());
        }
        let mut events = response.bytes_stream().eventsource();
        let endpoint = tokio::time::timeout(TIMEOUT, events.next())
            .await
            .context("no endpoint event")?
            .ok_or_else(|| anyhow!("the SSE stream ended before the endpoint event"))??;
        if endpoint.event != "endpoint" {
            bail!("first SSE event is {:?}, not endpoint", endpoint.event);
        }
        let data = endpoint.data.trim();
        let post_url = if data.starts_with("http") {
            data.to_string()
        } else {
            format!("{base}{data}")
        };
        let pending: Pending = Arc::default();
        let waiting = pending.clone();
        let task = tokio::spawn(async move {
            while let Some(Ok(event)) = events.next().await {
                let Ok(message) = serde_json::from_str::<Value>(&event.data) else {
                    continue;
                };
                let Some(id) = message["id"].as_u64() else {
                    continue;
                };
                let sender = waiting
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&id);
                if let Some(sender) = sender {
                    let _ = sender.send(message);
                }
            }
        });
        Ok(Self {
            http,
            post_url,
            session: None,
            next_id: AtomicU64::new(1),
            sse: Some((pending, task)),
        })
    }

    fn post(&self, body: &Value) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .post(&self.post_url)
            .header("accept", "application/json, text/event-stream")
            .json(body);
        if self.sse.is_none() {
            request = request.header("mcp-protocol-version", "2025-06-18");
        }
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        request
    }

    /// Sends a request; returns the answer and the session id the server assigned, if any.
    async fn exchange(
        &self,
        method: &str,
        params: Value,
    ) -> anyhow::Result<(Value, Option<String>)> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let (answer, session) = if let Some((pending, _)) = &self.sse {
            let (tx, rx) = oneshot::channel();
            pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id, tx);
            let response = self.post(&body).send().await?;
            if !response.status().is_success() {
                bail!("{method}: HTTP {}", response.status());
            }
            let answer = tokio::time::timeout(TIMEOUT, rx)
                .await
                .with_context(|| format!("{method}: no answer on the SSE stream"))?
                .context("the SSE stream closed")?;
            (answer, None)
        } else {
            let response = self.post(&body).send().await?;
            let session = response
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(String::from);
            let (response, streamed) = successful(response, method).await?;
            let answer = if streamed {
                // As real clients do: take the answer when its event arrives, without
                // waiting for the server to close the stream.
                first_answer(response, id).await?
            } else {
                answer_in(&response.text().await?)?
            };
            (answer, session)
        };
        if answer.get("error").is_some() || answer.pointer("/result/isError") == Some(&json!(true))
        {
            bail!(
                "{method} failed: {}",
                crate::bench::preview(&answer.to_string())
            );
        }
        Ok((answer, session))
    }

    /// A request; its `result`.
    pub async fn request(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let (answer, _) = self.exchange(method, params).await?;
        Ok(answer["result"].clone())
    }

    /// `tools/list`; the tool names.
    pub async fn list_tools(&self) -> anyhow::Result<Vec<String>> {
        let result = self.request("tools/list", json!({})).await?;
        Ok(result["tools"]
            .as_array()
            .map(|tools| {
                tools
                    .iter()
                    .filter_map(|t| t["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `tools/call` for load: reads the whole answer and checks it succeeded (see
    /// [`check_answer`]) without decoding it. Streamable HTTP only.
    pub async fn call_checked(&self, tool: &str, arguments: &Value) -> anyhow::Result<()> {
        if self.sse.is_some() {
            return self.call(tool, arguments).await.map(drop);
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        let response = self.post(&body).send().await?;
        let (response, streamed) = successful(response, tool).await?;
        if !streamed {
            return check_answer(&response.bytes().await?);
        }
        let mut events = response.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let data = event.context("reading the SSE response")?.data;
            if data.contains("\"result\":") || data.contains("\"error\":") {
                return check_answer(data.as_bytes());
            }
        }
        bail!("the SSE response ended without an answer")
    }

    /// `tools/call`; an error when the tool reports one.
    pub async fn call(&self, tool: &str, arguments: &Value) -> anyhow::Result<Value> {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_found_in_json_and_in_sse_frames() {
        let plain = answer_in(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#).ok();
        assert_eq!(plain.map(|v| v["id"].clone()), Some(json!(1)));
        let framed =
            answer_in("event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n")
                .ok();
        assert_eq!(framed.map(|v| v["id"].clone()), Some(json!(7)));
        assert!(answer_in("event: ping\ndata: \n\n").is_err());
    }

    #[test]
    fn answers_are_checked_without_decoding() {
        let ok = br#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"{\"isError\":true,\"error\":1}"}],"isError":false}}"#;
        assert!(check_answer(ok).is_ok());
        let tool_error = br#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":true}}"#;
        assert!(check_answer(tool_error).is_err());
        let rpc_error =
            br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"\"result\":"}}"#;
        assert!(check_answer(rpc_error).is_err());
        assert!(check_answer(b"").is_err());
        // Python servers put spaces after colons.
        let spaced = br#"{"jsonrpc": "2.0", "id": 1, "result": {"content": [], "isError" : true}}"#;
        assert!(check_answer(spaced).is_err());
        let spaced_ok = br#"{"jsonrpc": "2.0", "id": 1, "result": {"isError": false}}"#;
        assert!(check_answer(spaced_ok).is_ok());
    }
}
