//! Watch streams: newline-delimited `{type, object}` events. From `resourceVersion` ""/"0"
//! a watch starts with synthetic ADDED events for the current state; from a specific RV
//! it replays the history after it (410 Expired if that is compacted away); then it
//! follows live changes until `timeoutSeconds`. Selectors filter events.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::Inner;
use super::call::Call;
use super::call::{in_scope, selectors};
use super::object::labels;
use super::registry::ResourceType;
use super::selectors::{FieldSelector, LabelSelector};
use super::status::ApiError;
use super::store::{Event, present};

struct Filter {
    call_rt: ResourceType,
    namespace: String,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn line(&self, event: &Event) -> Option<Bytes> {
        if event.key.group != self.call_rt.group || event.key.plural != self.call_rt.plural {
            return None;
        }
        if !self.namespace.is_empty() && event.key.namespace != self.namespace {
            return None;
        }
        if !self.labels.matches(&labels(&event.object)) || !self.fields.matches(&event.object) {
            return None;
        }
        let line = json!({"type": event.kind, "object": present(&self.call_rt, &event.object)});
        Some(Bytes::from(format!("{line}\n")))
    }
}

/// GET `?watch=true` on a collection: the streaming body.
pub(super) fn watch(inner: &Arc<Inner>, call: &Call) -> Result<Body, ApiError> {
    let (labels, fields) = selectors(call)?;
    let filter = Filter {
        call_rt: call.rt.clone(),
        namespace: call.namespace.clone(),
        labels,
        fields,
    };
    let timeout = call
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800);
    let st = inner.lock();
    let rx = st.tx.subscribe();
    let mut initial: VecDeque<Bytes> = VecDeque::new();
    let rv_param = call.param("resourceVersion").unwrap_or("");
    if rv_param.is_empty() || rv_param == "0" || call.flag("sendInitialEvents") {
        for (key, obj) in st.objects.iter().filter(|(k, _)| in_scope(call, k)) {
            let ev = Event {
                rv: 0,
                kind: "ADDED",
                key: key.clone(),
                object: obj.clone(),
            };
            initial.extend(filter.line(&ev));
        }
        if call.flag("sendInitialEvents") {
            let bookmark = json!({"type": "BOOKMARK", "object": {"kind": call.rt.kind, "apiVersion": call.rt.api_version(),
                "metadata": {"resourceVersion": st.rv.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}}});
            initial.push_back(Bytes::from(format!("{bookmark}\n")));
        }
    } else {
        let rv: u64 = rv_param
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {rv_param:?}")))?;
        if rv < st.oldest_rv() {
            let status = ApiError::expired(format!(
                "too old resource version: {rv} ({})",
                st.oldest_rv()
            ))
            .to_status();
            initial.push_back(Bytes::from(format!(
                "{}\n",
                json!({"type": "ERROR", "object": status})
            )));
            return Ok(Body::from_stream(futures::stream::iter(
                initial.into_iter().map(Ok::<_, std::convert::Infallible>),
            )));
        }
        for ev in st.history.iter().filter(|e| e.rv > rv) {
            initial.extend(filter.line(ev));
        }
    }
    drop(st);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let stream = futures::stream::unfold(
        (initial, rx, filter),
        move |(mut initial, mut rx, filter)| async move {
            if let Some(line) = initial.pop_front() {
                return Some((
                    Ok::<_, std::convert::Infallible>(line),
                    (initial, rx, filter),
                ));
            }
            loop {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Err(_) => return None,
                    Ok(Ok(ev)) => {
                        if let Some(line) = filter.line(&ev) {
                            return Some((Ok(line), (initial, rx, filter)));
                        }
                    }
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                        let status: Value =
                            ApiError::expired("the watch fell behind; re-list").to_status();
                        let line = Bytes::from(format!(
                            "{}\n",
                            json!({"type": "ERROR", "object": status})
                        ));
                        return Some((Ok(line), (initial, rx, filter)));
                    }
                    Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                }
            }
        },
    );
    Ok(Body::from_stream(stream))
}
