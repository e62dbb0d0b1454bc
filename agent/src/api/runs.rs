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

    /// Records a new running run; `false` when the store is full of running runs.
    pub(crate) fn start(&self, id: &str) -> bool {
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
                None => return false,
            }
        }
        map.insert(id.to_string(), RunState::Running);
        order.push_back(id.to_string());
        true
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn full_store_forgets_finished_runs_first_and_refuses_when_all_are_running() {
        let store = RunStore::new(2);
        assert!(store.start("a") && store.start("b"));
        assert!(!store.start("c"), "both running: refuse");
        store.finish("a", axum::http::StatusCode::OK, json!({}));
        assert!(store.start("c"));
        assert!(store.get("a").is_none());
        assert!(matches!(store.get("b"), Some(RunState::Running)));
    }
}
