//! Results of asynchronous runs, kept in memory for `GET /runs/{id}`.
//!
//! Bounded: when full, the oldest finished run is forgotten first.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde_json::Value;

/// State of one run.
#[derive(Clone, Debug)]
pub(crate) enum RunState {
    Running,
    Done { status: u16, body: Value },
}

pub(crate) struct RunStore {
    capacity: usize,
    inner: Mutex<(HashMap<String, RunState>, VecDeque<String>)>,
}

impl RunStore {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    pub(crate) fn start(&self, id: &str) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *guard;
        while map.len() >= self.capacity {
            let finished = order
                .iter()
                .position(|k| matches!(map.get(k), Some(RunState::Done { .. })));
            match finished.and_then(|i| order.remove(i)) {
                Some(old) => {
                    map.remove(&old);
                }
                None => break,
            }
        }
        map.insert(id.to_string(), RunState::Running);
        order.push_back(id.to_string());
    }

    pub(crate) fn finish(&self, id: &str, status: axum::http::StatusCode, body: Value) {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.insert(
            id.to_string(),
            RunState::Done {
                status: status.as_u16(),
                body,
            },
        );
    }

    pub(crate) fn get(&self, id: &str) -> Option<RunState> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .get(id)
            .cloned()
    }
}
