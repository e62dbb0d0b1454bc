//! Test hooks around the API: a log of every request (so tests can assert what a client
//! sent: verb, path, query, content type, caller) and injected faults (a status code for
//! the next N matching requests, e.g. 429 with Retry-After or 503) to exercise retries.

use std::sync::Mutex;

use super::status::ApiError;

/// One request as the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// `Content-Type` header.
    pub content_type: String,
    /// `Accept` header.
    pub accept: String,
    /// Whether an `Authorization` header was present (its value is never recorded).
    pub authenticated: bool,
}

/// A fault to inject into matching requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Only this method (`GET`, `PATCH`, …), or any.
    pub method: Option<String>,
    /// Requests whose path contains this text.
    pub path_contains: String,
    /// HTTP status to answer with (429, 500, 503, …).
    pub status: u16,
    /// How many matching requests fail before the fault is used up.
    pub times: usize,
}

impl Fault {
    /// Fails the next `times` requests whose path contains `path_contains` with `status`.
    pub fn new(path_contains: &str, status: u16, times: usize) -> Self {
        Self {
            method: None,
            path_contains: path_contains.into(),
            status,
            times,
        }
    }

    /// Restricts the fault to one method.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }
}

/// Request log and pending faults of one emulator.
#[derive(Debug, Default)]
pub(super) struct Observer {
    requests: Mutex<Vec<RecordedRequest>>,
    faults: Mutex<Vec<Fault>>,
}

impl Observer {
    pub(super) fn record(&self, req: RecordedRequest) {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(req);
    }

    pub(super) fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(super) fn add_fault(&self, fault: Fault) {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(fault);
    }

    /// The injected error for this request, if a fault matches (using one of its turns).
    pub(super) fn fault_for(&self, method: &str, path: &str) -> Option<ApiError> {
        let mut faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let idx = faults.iter().position(|f| {
            f.times > 0
                && path.contains(&f.path_contains)
                && f.method.as_deref().is_none_or(|m| m == method)
        })?;
        let fault = faults.get_mut(idx)?;
        fault.times -= 1;
        let status = fault.status;
        faults.retain(|f| f.times > 0);
        Some(ApiError::injected(status))
    }
}
