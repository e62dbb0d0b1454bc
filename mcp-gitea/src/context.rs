//! What one tool call works with: the [`ToolContext`] (the shared Gitea client and this
//! caller's token), the request builder its Gitea calls go through, and the [`Output`] a
//! tool gives back.
//!
//! A Gitea call reads as `ctx.get(path).query(q).keep(k).send(what)`: `what` names the
//! action in the error message (`<what> err: request failed with status …`).

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;

use crate::args::ToolError;
use crate::gitea_client::{self, GiteaClient, GiteaError};
use crate::slim::prune::Keep;

/// The Gitea access of one tool call.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext<'a> {
    /// The shared client.
    pub gitea: &'a GiteaClient,
    /// The token of this caller (per request, or the operator's).
    pub token: Option<&'a str>,
}

impl<'a> ToolContext<'a> {
    /// A call of `method` to `path` (starting with `/`, already percent-encoded) with this
    /// caller's token.
    pub fn request(self, method: Method, path: impl Into<String>) -> ToolRequest<'a> {
        ToolRequest(self.gitea.request(method, path).token(self.token))
    }
    /// A GET.
    pub fn get(self, path: impl Into<String>) -> ToolRequest<'a> {
        self.request(Method::GET, path)
    }
    /// A POST (give the body with [`ToolRequest::json`]).
    pub fn post(self, path: impl Into<String>) -> ToolRequest<'a> {
        self.request(Method::POST, path)
    }
    /// A PATCH.
    pub fn patch(self, path: impl Into<String>) -> ToolRequest<'a> {
        self.request(Method::PATCH, path)
    }
    /// A PUT.
    pub fn put(self, path: impl Into<String>) -> ToolRequest<'a> {
        self.request(Method::PUT, path)
    }
    /// A DELETE (a body is optional).
    pub fn delete(self, path: impl Into<String>) -> ToolRequest<'a> {
        self.request(Method::DELETE, path)
    }
}

/// A Gitea call of a tool, failing with a [`ToolError`] that names the action.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ToolRequest<'a>(gitea_client::Request<'a>);

impl<'a> ToolRequest<'a> {
    /// Adds query pairs.
    pub fn query(self, pairs: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        ToolRequest(self.0.query(pairs))
    }
    /// Sends `body` as JSON.
    pub fn json(self, body: &'a Value) -> Self {
        ToolRequest(self.0.json(body))
    }
    /// Decodes only what `keep` names of the reply (see `slim::prune`).
    pub fn keep(self, keep: Keep) -> Self {
        ToolRequest(self.0.keep(keep))
    }
    /// Calls a web route under the Gitea root (see [`gitea_client::Request::web`]).
    pub fn web(self) -> Self {
        ToolRequest(self.0.web())
    }
    /// Sends the call; `what` names the action in the error message.
    pub async fn send(self, what: &str) -> Result<Value, ToolError> {
        self.0.send().await.map_err(failed(what))
    }
    /// Like [`ToolRequest::send`], but returns the body of a success undecoded (`None`
    /// when empty).
    pub async fn send_raw(self, what: &str) -> Result<Option<Bytes>, ToolError> {
        self.0.send_raw().await.map_err(failed(what))
    }
}

/// A Gitea failure as the tool error of action `what`.
fn failed(what: &str) -> impl FnOnce(GiteaError) -> ToolError + '_ {
    move |source| ToolError::Gitea {
        context: what.to_string(),
        source,
    }
}

/// What a tool call gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A JSON value (most tools).
    Value(Value),
    /// A JSON array already written as compact text: the text serializing the `Value`
    /// would give (the `list_issues` hot path, see `slim::issue_list`).
    ArrayText(String),
}

impl Output {
    /// The value itself (parsing the text of [`Output::ArrayText`]).
    pub fn into_value(self) -> Value {
        match self {
            Output::Value(v) => v,
            Output::ArrayText(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }
}

impl From<Value> for Output {
    fn from(v: Value) -> Self {
        Output::Value(v)
    }
}
