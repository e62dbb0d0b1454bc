//! Legacy HTTP+SSE (protocol 2024-11-05) as an rmcp client transport.
//!
//! rmcp 3.11 dropped its SSE client, but the OpenShift MCP server in the lab (behind the
//! ToolHive proxy) still speaks it. One transport is one server session: a long-lived
//! GET stream that first announces the POST endpoint, then carries every server message.
//! rmcp's service on top correlates replies with requests by JSON-RPC id, so replies may
//! arrive in any order. When the stream ends the transport ends (no silent reconnect,
//! which would be a new, uninitialised server session); the supervisor in
//! [`super::session`] builds a new transport and initialises again.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use rmcp::RoleClient;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;
use url::Url;

/// Failures of the legacy SSE transport.
#[derive(Debug, thiserror::Error)]
pub enum SseError {
    /// HTTP-level failure.
    #[error("http error: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with a non-success status.
    #[error("unexpected HTTP status {0}")]
    Status(reqwest::StatusCode),
    /// The stream ended or did not announce an endpoint.
    #[error("{0}")]
    Protocol(String),
}

/// An rmcp client transport over one legacy SSE session.
pub struct SseClientTransport {
    http: reqwest::Client,
    post_url: Url,
    post_timeout: Duration,
    rx: mpsc::Receiver<ServerJsonRpcMessage>,
    reader: tokio::task::JoinHandle<()>,
}

impl SseClientTransport {
    /// Opens the SSE stream at `sse_url` and waits (up to `timeout`) for the endpoint event.
    pub async fn connect(
        http: reqwest::Client,
        sse_url: Url,
        timeout: Duration,
    ) -> Result<Self, SseError> {
        let response = tokio::time::timeout(
            timeout,
            http.get(sse_url.clone())
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .send(),
        )
        .await
        .map_err(|_| {
            SseError::Protocol(format!("no response from {sse_url} within {timeout:?}"))
        })??;
        if !response.status().is_success() {
            return Err(SseError::Status(response.status()));
        }
        let mut events = response.bytes_stream().eventsource();
        let endpoint = tokio::time::timeout(timeout, async {
            while let Some(event) = events.next().await {
                let event =
                    event.map_err(|e| SseError::Protocol(format!("SSE stream error: {e}")))?;
                let data = event.data.trim();
                if event.event == "endpoint" || (!data.is_empty() && !data.starts_with('{')) {
                    return Ok(data.to_string());
                }
            }
            Err(SseError::Protocol(
                "SSE stream ended before the endpoint event".into(),
            ))
        })
        .await
        .map_err(|_| SseError::Protocol(format!("no endpoint event within {timeout:?}")))??;
        let post_url = resolve_endpoint(&sse_url, &endpoint)?;
        tracing::info!(endpoint = %post_url, "SSE message endpoint: {post_url}");

        let (tx, rx) = mpsc::channel(64);
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let Ok(event) = event else { break };
                if event.event != "message" || event.data.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<ServerJsonRpcMessage>(&event.data) {
                    Ok(message) => {
                        if tx.send(message).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring unreadable SSE message"),
                }
            }
            tracing::debug!("SSE stream ended");
        });
        Ok(Self {
            http,
            post_url,
            post_timeout: timeout.max(Duration::from_secs(30)),
            rx,
            reader,
        })
    }

    /// The resolved POST endpoint.
    pub fn post_url(&self) -> &Url {
        &self.post_url
    }
}

/// Resolves the `endpoint` event data against the SSE URL (as browsers and the official
/// SDKs do, so `/sse?sessionid=…` and `message?sessionId=…` both work) and refuses
/// another origin: the session must not be redirected to a different host.
pub fn resolve_endpoint(sse_url: &Url, data: &str) -> Result<Url, SseError> {
    let url = sse_url
        .join(data)
        .map_err(|e| SseError::Protocol(format!("bad endpoint {data:?}: {e}")))?;
    if url.origin() != sse_url.origin() {
        return Err(SseError::Protocol(format!(
            "endpoint {url} is not on the origin of {sse_url}"
        )));
    }
    Ok(url)
}

impl Transport<RoleClient> for SseClientTransport {
    type Error = SseError;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let http = self.http.clone();
        let url = self.post_url.clone();
        let timeout = self.post_timeout;
        async move {
            let response = http.post(url).json(&item).timeout(timeout).send().await?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(SseError::Status(response.status()))
            }
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.rx.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.reader.abort();
        Ok(())
    }
}

impl Drop for SseClientTransport {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_resolution_follows_the_sse_url() {
        let sse = Url::parse("http://proxy:8080/sse").unwrap();
        let cases = [
            ("/sse?sessionid=abc", "http://proxy:8080/sse?sessionid=abc"),
            (
                "/message?sessionId=1",
                "http://proxy:8080/message?sessionId=1",
            ),
            ("http://proxy:8080/m?x=1", "http://proxy:8080/m?x=1"),
            (
                "message?sessionId=2",
                "http://proxy:8080/message?sessionId=2",
            ),
        ];
        for (data, expected) in cases {
            assert_eq!(
                resolve_endpoint(&sse, data).unwrap().as_str(),
                expected,
                "{data}"
            );
        }
        let prefixed = Url::parse("https://h/prefix/sse").unwrap();
        assert_eq!(
            resolve_endpoint(&prefixed, "message?s=1").unwrap().as_str(),
            "https://h/prefix/message?s=1"
        );
    }

    #[test]
    fn endpoint_on_another_origin_is_refused() {
        let sse = Url::parse("http://proxy:8080/sse").unwrap();
        assert!(resolve_endpoint(&sse, "http://evil:8080/sse?x").is_err());
        assert!(resolve_endpoint(&sse, "http://proxy:9090/sse?x").is_err());
    }
}
