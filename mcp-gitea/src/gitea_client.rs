//! The Gitea REST client: `<host>/api/v1/...` with `Authorization: token <t>`.
//!
//! Two reqwest clients share the configuration: reads follow redirects, writes never do
//! (a renamed repository answers 301 and a followed PATCH would silently turn into a GET,
//! upstream issue #154). Every call has a timeout. The token is chosen per call, so one
//! client serves every MCP caller.

use std::time::Duration;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode, redirect};
use serde_json::Value;

use crate::slim::prune::Keep;

/// Gitea's answer was not a success, or Gitea could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum GiteaError {
    /// Gitea answered with a non-success status.
    #[error("request failed with status {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// Gitea's `message` field, or the body (capped at 8 KiB).
        message: String,
    },
    /// A redirect on a write, which is refused rather than followed.
    #[error(
        "refusing to follow redirect ({status}) to {location} on a write; the repository may have been renamed"
    )]
    Redirect {
        /// 301/302/303/307/308.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// No connection, timeout, or an unreadable body.
    #[error("gitea request failed: {0}")]
    Transport(String),
}

impl GiteaError {
    /// The HTTP status, if Gitea answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GiteaError::Status { status, .. } | GiteaError::Redirect { status, .. } => {
                Some(*status)
            }
            GiteaError::Transport(_) => None,
        }
    }
}

/// Connection settings for [`GiteaClient::new`].
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Base URL without `/api/v1` and without a trailing slash.
    pub host: String,
    /// Skip TLS certificate checks.
    pub insecure: bool,
    /// Per-call timeout.
    pub timeout: Duration,
}

/// A Gitea REST client shared by every request.
#[derive(Debug, Clone)]
pub struct GiteaClient {
    api: String,
    root: String,
    reads: reqwest::Client,
    writes: reqwest::Client,
}

const BODY_CAP: usize = 8 * 1024;

/// The largest Gitea reply read (a job log or a file can be big; a page of JSON is far
/// smaller): beyond it the call fails instead of buffering without bound.
pub const REPLY_CAP: usize = 32 * 1024 * 1024;

impl GiteaClient {
    /// Builds both HTTP clients.
    pub fn new(opts: &ClientOptions) -> Result<Self, GiteaError> {
        let build = |policy: redirect::Policy| {
            reqwest::Client::builder()
                .user_agent(concat!("gitea-mcp-server/", env!("CARGO_PKG_VERSION")))
                .timeout(opts.timeout)
                .connect_timeout(Duration::from_secs(10))
                .danger_accept_invalid_certs(opts.insecure)
                .redirect(policy)
                .build()
                .map_err(|e| GiteaError::Transport(e.to_string()))
        };
        let root = opts.host.trim_end_matches('/').to_string();
        Ok(Self {
            api: format!("{root}/api/v1"),
            root,
            reads: build(redirect::Policy::limited(5))?,
            writes: build(redirect::Policy::none())?,
        })
    }

    /// The Gitea root URL (for messages).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// A call of `method` to `path` (starting with `/`, already percent-encoded), to be
    /// completed with [`Request::token`], [`Request::query`], [`Request::json`] and
    /// [`Request::keep`] and sent with [`Request::send`] or [`Request::send_raw`].
    pub fn request(&self, method: Method, path: impl Into<String>) -> Request<'_> {
        Request {
            client: self,
            method,
            path: path.into(),
            token: None,
            query: Vec::new(),
            body: None,
            keep: Keep::All,
            web: false,
        }
    }
}

/// One Gitea API call being put together (see [`GiteaClient::request`]).
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct Request<'a> {
    client: &'a GiteaClient,
    method: Method,
    path: String,
    token: Option<&'a str>,
    query: Vec<(&'static str, String)>,
    body: Option<&'a Value>,
    keep: Keep,
    /// The path is under the Gitea root (a web route such as `/attachments/{uuid}`),
    /// not under `/api/v1`.
    web: bool,
}

impl<'a> Request<'a> {
    /// Authenticates as `token` (`None`: anonymously).
    pub fn token(mut self, token: Option<&'a str>) -> Self {
        self.token = token;
        self
    }
    /// Adds query pairs (encoded by reqwest).
    pub fn query(mut self, pairs: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        self.query.extend(pairs);
        self
    }
    /// Sends `body` as JSON.
    pub fn json(mut self, body: &'a Value) -> Self {
        self.body = Some(body);
        self
    }
    /// Decodes only what `keep` names of the reply (see `slim::prune`); the default keeps all.
    pub fn keep(mut self, keep: Keep) -> Self {
        self.keep = keep;
        self
    }

    /// Calls a web route under the Gitea root instead of the API (attachment downloads).
    pub fn web(mut self) -> Self {
        self.web = true;
        self
    }

    /// Sends the call and returns the decoded JSON body, `Value::Null` for an empty body,
    /// or a JSON string for a non-JSON body (diffs).
    pub async fn send(self) -> Result<Value, GiteaError> {
        let keep = self.keep;
        let bytes = self.send_raw().await?;
        Ok(keep.decode(bytes.as_deref()))
    }

    /// Sends the call and returns the body of a success undecoded (`None` when it is
    /// empty), for callers that decode it themselves.
    pub async fn send_raw(self) -> Result<Option<Bytes>, GiteaError> {
        let Request {
            client,
            method,
            path,
            token,
            query,
            body,
            keep: _,
            web,
        } = self;
        let http = if method == Method::GET {
            &client.reads
        } else {
            &client.writes
        };
        let mut req = http
            .request(
                method,
                format!("{}{}", if web { &client.root } else { &client.api }, path),
            )
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(&query);
        }
        if let Some(t) = token {
            req = req.header(reqwest::header::AUTHORIZATION, format!("token {t}"));
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| GiteaError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            return Err(GiteaError::Redirect {
                status: status.as_u16(),
                location,
            });
        }
        let bytes = read_capped(resp, REPLY_CAP).await?;
        if !status.is_success() {
            return Err(status_error(status, &bytes));
        }
        if bytes.is_empty() || status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        Ok(Some(bytes))
    }
}

/// The whole body of `resp`, or a transport error once it passes `cap` bytes.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Bytes, GiteaError> {
    let transport = |e: reqwest::Error| GiteaError::Transport(e.without_url().to_string());
    let too_big = || GiteaError::Transport(format!("reply larger than {cap} bytes"));
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_big());
    }
    let Some(first) = resp.chunk().await.map_err(transport)? else {
        return Ok(Bytes::new());
    };
    // Most replies arrive in one chunk: hand it on without copying.
    let Some(second) = resp.chunk().await.map_err(transport)? else {
        return Ok(first);
    };
    let mut buf = bytes::BytesMut::with_capacity(first.len() + second.len());
    buf.extend_from_slice(&first);
    buf.extend_from_slice(&second);
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if buf.len() + chunk.len() > cap {
            return Err(too_big());
        }
        buf.extend_from_slice(&chunk);
    }
    if buf.len() > cap {
        return Err(too_big());
    }
    Ok(buf.freeze())
}

fn status_error(status: StatusCode, body: &[u8]) -> GiteaError {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            let cap = body.len().min(BODY_CAP);
            let text = String::from_utf8_lossy(body.get(..cap).unwrap_or_default());
            if text.trim().is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                text.into_owned()
            }
        });
    GiteaError::Status {
        status: status.as_u16(),
        message,
    }
}

/// What a path segment keeps as it is: RFC 3986's unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`); every other byte, `/` included, is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment (owner, repo, branch, tag…).
pub fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Percent-encodes a file path, keeping its `/` separators.
pub fn file_path(s: &str) -> String {
    s.trim_start_matches('/')
        .split('/')
        .map(seg)
        .collect::<Vec<_>>()
        .join("/")
}

/// `/repos/{owner}/{repo}` with both parts encoded.
pub fn repo_path(owner: &str, repo: &str) -> String {
    format!("/repos/{}/{}", seg(owner), seg(repo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(seg("feature/x y"), "feature%2Fx%20y");
        // Unreserved characters stay, everything else (non-ASCII bytes too) is encoded
        // with upper-case hex, as the hand-written encoder did.
        assert_eq!(seg("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(seg("ü+?#%&=:@!"), "%C3%BC%2B%3F%23%25%26%3D%3A%40%21");
        assert_eq!(file_path("/docs/a b/c.md"), "docs/a%20b/c.md");
        assert_eq!(repo_path("user1", "mcp"), "/repos/user1/mcp");
    }

    #[test]
    fn error_messages_come_from_gitea_json() {
        let e = status_error(
            StatusCode::NOT_FOUND,
            br#"{"message":"repo not found","url":"x"}"#,
        );
        assert_eq!(
            e.to_string(),
            "request failed with status 404: repo not found"
        );
        let e = status_error(StatusCode::BAD_GATEWAY, b"");
        assert_eq!(e.to_string(), "request failed with status 502: Bad Gateway");
        assert_eq!(e.status(), Some(502));
    }

    #[tokio::test]
    async fn reads_follow_redirects_and_writes_do_not() {
        use axum::http::{StatusCode, header};
        use axum::routing::get;
        let moved = || async {
            (
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, "/api/v1/new")],
            )
        };
        let app = axum::Router::new()
            .route("/api/v1/old", get(moved).patch(moved))
            .route(
                "/api/v1/new",
                get(|| async { axum::Json(serde_json::json!({"ok": true})) }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = GiteaClient::new(&ClientOptions {
            host: format!("http://{addr}/"),
            insecure: false,
            timeout: Duration::from_secs(5),
        })
        .unwrap();
        let got = client.request(Method::GET, "/old").send().await.unwrap();
        assert_eq!(got["ok"], true);
        let empty = serde_json::json!({});
        let err = client
            .request(Method::PATCH, "/old")
            .token(Some("t"))
            .json(&empty)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(err, GiteaError::Redirect { status: 301, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("/api/v1/new"));
    }

    /// Serves one raw HTTP response on a loopback port; returns its URL.
    async fn raw_server(response: &'static str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(response.as_bytes()).await;
        });
        format!("http://{addr}/")
    }

    #[tokio::test]
    async fn replies_are_read_up_to_a_bound() {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\na\r\n0123456789\r\na\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n";
        for (cap, ok) in [(100, true), (25, false)] {
            let url = raw_server(chunked).await;
            let resp = reqwest::get(url).await.unwrap();
            let got = read_capped(resp, cap).await;
            match ok {
                true => assert_eq!(got.unwrap().len(), 30),
                false => assert!(
                    got.unwrap_err()
                        .to_string()
                        .contains("larger than 25 bytes")
                ),
            }
        }
        // A declared length beyond the bound is refused before reading.
        let url =
            raw_server("HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\n").await;
        let resp = reqwest::get(url).await.unwrap();
        let err = read_capped(resp, 25).await.unwrap_err();
        assert!(err.to_string().contains("larger than 25 bytes"), "{err}");
    }
}
