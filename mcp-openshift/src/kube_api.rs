//! Raw Kubernetes API access for the tools: paths, Accept headers, discovery and timeouts.
//!
//! Tools work on any kind (`resources_*`), so requests are built by hand over
//! `kube::Client` instead of typed `Api<K>`; every call is bounded by [`CALL_TIMEOUT`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Method, Request};
use serde_json::Value;

use crate::error::KubeError;

/// Upper bound of one Kubernetes request, so that no tool call can hang.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Most bytes [`Kube::get_text`] reads of one answer.
pub const TEXT_READ_CAP: u64 = 8 * 1024 * 1024;

/// Accept header asking for server-side Table rendering, falling back to JSON.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// A resolved kind: where it lives and whether it is namespaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// API group ("" for core).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind as given.
    pub kind: String,
    /// Plural resource name used in paths.
    pub plural: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
}

impl ResourceInfo {
    /// `/api/v1` or `/apis/<group>/<version>`.
    pub fn prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// Collection path, in `namespace` when the kind is namespaced and one is given.
    pub fn collection(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{}/namespaces/{}/{}", self.prefix(), enc(ns), self.plural)
            }
            _ => format!("{}/{}", self.prefix(), self.plural),
        }
    }

    /// Object path.
    pub fn object(&self, namespace: Option<&str>, name: &str) -> String {
        format!("{}/{}", self.collection(namespace), enc(name))
    }

    /// `apps/v1` style string.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// Percent-encode one path segment (names come from the model and may contain anything).
pub fn enc(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Build a query string from the pairs whose value is present.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            s.append_pair(k, v);
        }
    }
    let q = s.finish();
    if q.is_empty() { q } else { format!("?{q}") }
}

/// One identity's view of the cluster, with its own discovery cache.
#[derive(Clone)]
pub struct Kube {
    client: kube::Client,
    discovery: Arc<Mutex<HashMap<String, Arc<Vec<Value>>>>>,
}

impl Kube {
    /// Wrap a client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            discovery: Arc::default(),
        }
    }

    /// Send a request and return the body text; API errors become [`KubeError`]s.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        accept: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<String, KubeError> {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::ACCEPT, accept);
        let bytes = match body {
            Some((ct, bytes)) => {
                b = b.header(http::header::CONTENT_TYPE, ct);
                bytes
            }
            None => Vec::new(),
        };
        let req = b
            .body(bytes)
            .map_err(|e| KubeError::msg(format!("invalid request {path}: {e}")))?;
        match tokio::time::timeout(CALL_TIMEOUT, self.client.request_text(req)).await {
            Ok(r) => r.map_err(KubeError::from),
            Err(_) => Err(KubeError::msg(format!(
                "request to the Kubernetes API timed out after {}s",
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }

    /// GET a JSON document.
    pub async fn get_json(&self, path: &str) -> Result<Value, KubeError> {
        let text = self
            .send(Method::GET, path, "application/json", None)
            .await?;
        parse_json(&text)
    }

    /// Send a JSON body and parse the JSON answer.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &Value,
    ) -> Result<Value, KubeError> {
        let bytes = serde_json::to_vec(body).map_err(|e| KubeError::msg(e.to_string()))?;
        let text = self
            .send(
                method,
                path,
                "application/json",
                Some((content_type, bytes)),
            )
            .await?;
        parse_json(&text)
    }

    /// GET plain text (logs, node proxy), at most [`TEXT_READ_CAP`] bytes of it: a longer
    /// answer is cut there with a note on its last line.
    pub async fn get_text(&self, path: &str) -> Result<String, KubeError> {
        let mut bytes = Vec::new();
        let cut = self
            .get_streamed(path, TEXT_READ_CAP, &mut |chunk| {
                bytes.extend_from_slice(chunk)
            })
            .await?;
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if cut {
            text.push_str(&format!(
                "\n# [answer cut after {TEXT_READ_CAP} bytes: the rest was not read]\n"
            ));
        }
        Ok(text)
    }

    /// GET a text body in chunks, handing at most `max_read` bytes to `sink`; never holds the
    /// whole body. Returns true when the body had more than `max_read` bytes (the rest was
    /// not read). Bounded by [`CALL_TIMEOUT`] like every call.
    pub async fn get_streamed(
        &self,
        path: &str,
        max_read: u64,
        sink: &mut (dyn FnMut(&[u8]) + Send),
    ) -> Result<bool, KubeError> {
        use futures::AsyncReadExt;
        let req = Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(http::header::ACCEPT, "application/json, */*")
            .body(Vec::new())
            .map_err(|e| KubeError::msg(format!("invalid request {path}: {e}")))?;
        let work = async {
            let body = self.client.request_stream(req).await?;
            let mut body = Box::pin(body);
            let mut buf = vec![0u8; 64 * 1024];
            let mut total: u64 = 0;
            loop {
                let n = body
                    .read(&mut buf)
                    .await
                    .map_err(|e| KubeError::msg(format!("reading the answer of {path}: {e}")))?;
                if n == 0 {
                    return Ok(false);
                }
                let room = max_read.saturating_sub(total);
                if room == 0 {
                    return Ok(true);
                }
                let take = usize::try_from(room).unwrap_or(usize::MAX).min(n);
                sink(&buf[..take]);
                total += take as u64;
                if take < n {
                    return Ok(true);
                }
            }
        };
        match tokio::time::timeout(CALL_TIMEOUT, work).await {
            Ok(r) => r,
            Err(_) => Err(KubeError::msg(format!(
                "request to the Kubernetes API timed out after {}s",
                CALL_TIMEOUT.as_secs()
            ))),
        }
    }

    /// Resolve `apiVersion` + `kind` through (cached) discovery.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<ResourceInfo, KubeError> {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        let no_match = || KubeError {
            message: format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
            reason: Some("NotFound".into()),
            code: Some(404),
        };
        if version.is_empty() || kind.is_empty() || version.contains('/') {
            return Err(no_match());
        }
        let resources = self
            .group_version(&group, &version)
            .await
            .map_err(|e| if e.code == Some(404) { no_match() } else { e })?;
        let found = resources
            .iter()
            .find(|r| r["kind"] == kind && r["name"].as_str().is_some_and(|n| !n.contains('/')));
        let r = found.ok_or_else(no_match)?;
        Ok(ResourceInfo {
            group,
            version,
            kind: kind.to_string(),
            plural: r["name"].as_str().unwrap_or_default().to_string(),
            namespaced: r["namespaced"].as_bool().unwrap_or(false),
        })
    }

    /// Whether a group/version is served (e.g. `metrics.k8s.io/v1beta1`).
    pub async fn has_group_version(&self, group: &str, version: &str) -> bool {
        self.group_version(group, version).await.is_ok()
    }

    async fn group_version(
        &self,
        group: &str,
        version: &str,
    ) -> Result<Arc<Vec<Value>>, KubeError> {
        let key = format!("{group}/{version}");
        if let Some(hit) = self
            .discovery
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(hit);
        }
        let path = if group.is_empty() {
            format!("/api/{}", enc(version))
        } else {
            format!("/apis/{}/{}", enc(group), enc(version))
        };
        let list = self.get_json(&path).await?;
        let resources = Arc::new(list["resources"].as_array().cloned().unwrap_or_default());
        if let Ok(mut m) = self.discovery.lock() {
            m.insert(key, resources.clone());
        }
        Ok(resources)
    }

    /// Forget discovery (after a CRD was applied).
    pub fn reset_discovery(&self) {
        if let Ok(mut m) = self.discovery.lock() {
            m.clear();
        }
    }

    /// The underlying client (exec uses kube's typed WebSocket support).
    pub fn client(&self) -> &kube::Client {
        &self.client
    }
}

fn parse_json(text: &str) -> Result<Value, KubeError> {
    serde_json::from_str(text)
        .map_err(|e| KubeError::msg(format!("unexpected answer from the API server: {e}")))
}
