//! A minimal legacy SSE client transport for rmcp (test side): GET /sse, wait for the
//! `endpoint` event, POST every message there, feed `message` events back.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::StreamExt;
use rmcp::RoleClient;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub enum SseError {
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("status {0}")]
    Status(u16),
}

pub struct SseClientTransport {
    http: reqwest::Client,
    pub post_url: String,
    rx: mpsc::Receiver<ServerJsonRpcMessage>,
    task: tokio::task::JoinHandle<()>,
}

/// Open `base/sse` (with an optional bearer token) and wait for the endpoint event.
pub async fn connect(base: &str, token: Option<&str>) -> SseClientTransport {
    let stream_http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut req = stream_http
        .get(format!("{base}/sse"))
        .header("accept", "text/event-stream");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = tokio::time::timeout(Duration::from_secs(10), req.send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut events = resp.bytes_stream().eventsource();
    let first = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.event, "endpoint");
    assert!(first.data.starts_with("/sse?sessionid="), "{}", first.data);
    let post_url = format!("{base}{}", first.data.trim());
    let (tx, rx) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        while let Some(Ok(ev)) = events.next().await {
            if ev.event == "message" && !ev.data.is_empty() {
                let Ok(msg) = serde_json::from_str::<ServerJsonRpcMessage>(&ev.data) else {
                    continue;
                };
                if tx.send(msg).await.is_err() {
                    break;
                }
            }
        }
    });
    // POSTs carry the GET's credential, as real clients send the same headers on both: the
    // server refuses a POST on a session opened with another credential.
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {t}").parse().unwrap(),
        );
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .default_headers(headers)
        .build()
        .unwrap();
    SseClientTransport {
        http,
        post_url,
        rx,
        task,
    }
}

impl Transport<RoleClient> for SseClientTransport {
    type Error = SseError;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SseError>> + Send + 'static {
        let http = self.http.clone();
        let url = self.post_url.clone();
        async move {
            let resp = http.post(url).json(&item).send().await?;
            if resp.status().as_u16() != 202 {
                return Err(SseError::Status(resp.status().as_u16()));
            }
            Ok(())
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.rx.recv()
    }

    async fn close(&mut self) -> Result<(), SseError> {
        self.task.abort();
        Ok(())
    }
}
