//! Drives one operation against the served emulator and checks it against the spec:
//! the route and method exist, query parameters are declared, the request body validates
//! against the operation's body definition, the status is the expected one and is
//! documented, and the JSON response validates against the documented schema (errors
//! against `APIError`). Every checked operation is recorded for the coverage assertion.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use super::common::Fixture;
use super::spec::{Spec, normalize};

/// Who sends the request.
#[derive(Clone, Copy)]
pub(crate) enum Who<'a> {
    Anonymous,
    Token(&'a str),
    Basic(&'a str, &'a str),
}

pub(crate) struct Checker<'f> {
    pub(crate) spec: Spec,
    client: reqwest::Client,
    /// Root URL of the server under test (no `/api/v1`).
    pub(crate) base_url: String,
    pub(crate) covered: BTreeSet<(String, String)>,
    pub(crate) failures: Vec<String>,
    _fixture: std::marker::PhantomData<&'f Fixture>,
}

impl<'f> Checker<'f> {
    pub(crate) fn new(f: &'f Fixture) -> Self {
        Self::for_server(f.client.clone(), &f.server.base_url())
    }

    /// A checker for any server that claims to be Gitea at `base_url`.
    pub(crate) fn for_server(client: reqwest::Client, base_url: &str) -> Self {
        Self {
            spec: Spec::load(),
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            covered: BTreeSet::new(),
            failures: Vec::new(),
            _fixture: std::marker::PhantomData,
        }
    }

    pub(crate) async fn get(&mut self, who: Who<'_>, path: &str, expect: u16) -> Value {
        self.call(who, "GET", path, None, expect).await
    }

    pub(crate) async fn delete(&mut self, who: Who<'_>, path: &str, expect: u16) -> Value {
        self.call(who, "DELETE", path, None, expect).await
    }

    pub(crate) async fn post(
        &mut self,
        who: Who<'_>,
        path: &str,
        body: Value,
        expect: u16,
    ) -> Value {
        self.call(who, "POST", path, Some(body), expect).await
    }

    pub(crate) async fn put(
        &mut self,
        who: Who<'_>,
        path: &str,
        body: Value,
        expect: u16,
    ) -> Value {
        self.call(who, "PUT", path, Some(body), expect).await
    }

    pub(crate) async fn patch(
        &mut self,
        who: Who<'_>,
        path: &str,
        body: Value,
        expect: u16,
    ) -> Value {
        self.call(who, "PATCH", path, Some(body), expect).await
    }

    /// Checks one call of the spec operation matching `path` (which may carry a query
    /// string) and returns the response body (JSON, or raw text as a string). Failures
    /// are collected in `failures` (and `Null` returned) so one run reports them all.
    pub(crate) async fn call(
        &mut self,
        who: Who<'_>,
        method: &str,
        path: &str,
        body: Option<Value>,
        expect: u16,
    ) -> Value {
        let bare = path.split('?').next().unwrap_or(path);
        let Some(route) = self.spec.route_for(method, bare) else {
            self.failures
                .push(format!("{method} {path}: no such operation in the spec"));
            return Value::Null;
        };
        self.covered.insert((method.to_string(), normalize(&route)));
        match self.check(who, method, &route, path, body, expect).await {
            Ok(value) => value,
            Err(err) => {
                self.failures.push(format!("{method} {path}: {err}"));
                Value::Null
            }
        }
    }

    async fn check(
        &mut self,
        who: Who<'_>,
        method: &str,
        route: &str,
        path: &str,
        body: Option<Value>,
        expect: u16,
    ) -> Result<Value, String> {
        let op = self
            .spec
            .operation(method, route)
            .ok_or("not in the spec")?
            .clone();
        let declared = self.spec.query_params(&op);
        if let Some((_, query)) = path.split_once('?') {
            for (key, _) in url::form_urlencoded::parse(query.as_bytes()) {
                if !declared.contains(&key.to_string()) {
                    return Err(format!("query parameter {key} not in the spec"));
                }
            }
        }
        // Bodies sent to provoke an error may break the spec on purpose.
        if let Some(body) = body.as_ref().filter(|_| expect < 400) {
            let schema = self.spec.body_schema(&op).ok_or("spec takes no body")?;
            self.spec
                .validate(&schema, body)
                .map_err(|e| format!("request body not allowed by the spec: {e}"))?;
        }
        let method_value = Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let url = format!("{}/api/v1{path}", self.base_url);
        let mut request = self.client.request(method_value, url);
        request = match who {
            Who::Anonymous => request,
            Who::Token(t) => request.header("Authorization", format!("token {t}")),
            Who::Basic(u, p) => request.basic_auth(u, Some(p)),
        };
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let is_json = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let text = response.text().await.map_err(|e| e.to_string())?;
        if status != expect {
            return Err(format!("status {status}, expected {expect}; body {text}"));
        }
        let value: Value = if is_json {
            serde_json::from_str(&text).map_err(|e| e.to_string())?
        } else {
            Value::String(text.clone())
        };
        if status >= 400 {
            if !is_json {
                return Err("error without JSON body".into());
            }
            self.spec
                .validate_definition("APIError", &value)
                .map_err(|e| format!("error body drifts from APIError: {e}: {value}"))?;
            if !value["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/api/swagger"))
            {
                return Err(format!("error url: {value}"));
            }
            return Ok(value);
        }
        match self.spec.response_schema(&op, status)? {
            Some(schema) if schema.get("type") == Some(&json!("file")) && is_json => {
                return Err("raw content should not be JSON".into());
            }
            Some(schema) if schema.get("type") == Some(&json!("file")) => {}
            Some(schema) if op["produces"] == json!(["text/plain"]) => {
                if is_json {
                    return Err("text/plain operation answered JSON".into());
                }
                self.spec
                    .validate(&schema, &value)
                    .map_err(|e| format!("text body: {e}"))?;
            }
            Some(schema) => {
                if !is_json {
                    return Err(format!("expected a JSON body, got {text:?}"));
                }
                // Gitea answers a directory with a list of entries although the spec
                // documents a single ContentsResponse.
                let schema = if value.is_array() && route.contains("/contents/") {
                    json!({"type": "array", "items": schema})
                } else {
                    schema
                };
                self.spec
                    .validate(&schema, &value)
                    .map_err(|e| format!("response drifts from the spec: {e}\n{value:#}"))?;
            }
            // A job's log is the raw text, which the spec leaves undocumented.
            None if route.ends_with("/jobs/{job_id}/logs") && !is_json => {}
            None if !text.is_empty() => return Err(format!("spec has no body, got {text}")),
            None => {}
        }
        Ok(value)
    }
}

impl Drop for Checker<'_> {
    /// If an assertion panics mid-run, show the spec failures collected so far (they are
    /// usually the cause: a failed call returns `Null`).
    fn drop(&mut self) {
        if std::thread::panicking() && !self.failures.is_empty() {
            eprintln!(
                "spec failures before the panic:\n{}",
                self.failures.join("\n\n")
            );
        }
    }
}
