//! `pods/log` from stored text, with the parameters and errors of the real server:
//! `container` (required when the pod has several), `previous`, `tailLines`,
//! `limitBytes`, `timestamps`, `sinceSeconds`/`sinceTime`.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Inner;
use super::call::Call;
use super::status::ApiError;
use super::store::{Key, LogKey, State};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::broadcast;

fn names(pod: &Value, field: &str) -> Vec<String> {
    pod.pointer(&format!("/spec/{field}"))
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn int_param(call: &Call, name: &str) -> Result<Option<i64>, ApiError> {
    match call.param(name) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!("invalid {name} {v:?}: must be an integer"))
        }),
    }
}

/// GET `…/pods/<name>/log`.
pub(super) fn read(inner: &Arc<Inner>, call: &Call) -> Result<Response, ApiError> {
    let pod_name = call.name.as_deref().unwrap_or("");
    let st = inner.lock();
    let pod = st
        .objects
        .get(&Key::new(&call.rt, &call.namespace, pod_name))
        .ok_or_else(|| ApiError::not_found("", "pods", pod_name))?;
    let containers = names(pod, "containers");
    let all: Vec<String> = [names(pod, "initContainers"), containers.clone()].concat();
    let container = match call.param("container").filter(|c| !c.is_empty()) {
        Some(c) if all.iter().any(|x| x == c) => c.to_string(),
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {pod_name}"
            )));
        }
        None if containers.len() == 1 => containers.first().cloned().unwrap_or_default(),
        None => {
            return Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                containers.join(" ")
            )));
        }
    };
    let previous = call.flag("previous");
    let tail = int_param(call, "tailLines")?;
    let limit = int_param(call, "limitBytes")?;
    let since = int_param(call, "sinceSeconds")?;
    if tail.is_some_and(|t| t < 0) || limit.is_some_and(|l| l < 1) || since.is_some_and(|s| s < 1) {
        return Err(ApiError::invalid(
            "PodLogOptions",
            "",
            "",
            "tailLines/limitBytes/sinceSeconds",
            "must be greater than zero",
        ));
    }
    let since_time = match call.param("sinceTime") {
        Some(t) => Some(
            t.parse::<jiff::Timestamp>()
                .map_err(|_| ApiError::bad_request(format!("invalid sinceTime {t:?}")))?,
        ),
        None => None,
    };
    let key = (
        call.namespace.clone(),
        pod_name.to_string(),
        container.clone(),
        previous,
    );
    let Some(text) = st.logs.get(&key) else {
        if previous {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            )));
        }
        let waiting = pod
            .pointer("/status/containerStatuses")
            .and_then(Value::as_array)
            .and_then(|ss| {
                ss.iter()
                    .find(|s| s.get("name").and_then(Value::as_str) == Some(container.as_str()))
            })
            .and_then(|s| s.pointer("/state/waiting/reason"))
            .and_then(Value::as_str);
        if let Some(reason) = waiting {
            return Err(ApiError::bad_request(format!(
                "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
            )));
        }
        return Ok(text_response(String::new()));
    };
    let threshold = match (since, since_time) {
        (Some(s), _) => Some(jiff::Timestamp::now().as_second() - s),
        (None, Some(t)) => Some(t.as_second()),
        _ => None,
    };
    let mut lines: Vec<(i64, &String)> = text
        .lines
        .iter()
        .map(|(ts, l)| (*ts, l))
        .filter(|(ts, _)| threshold.is_none_or(|t| *ts >= t))
        .collect();
    if let Some(t) = tail {
        let skip = lines
            .len()
            .saturating_sub(usize::try_from(t).unwrap_or(usize::MAX));
        lines.drain(..skip);
    }
    let stamps = call.flag("timestamps");
    let mut out = String::new();
    for (ts, line) in lines {
        out.push_str(&format_line(ts, line, stamps));
    }
    if let Some(l) = limit {
        let mut cut = usize::try_from(l).unwrap_or(usize::MAX).min(out.len());
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    } else if call.flag("follow") && !previous && is_running(pod, &container) {
        return Ok(follow(&st, key, out, stamps));
    }
    Ok(text_response(out))
}

fn format_line(ts: i64, line: &str, stamps: bool) -> String {
    if !stamps {
        return format!("{line}\n");
    }
    let stamp = jiff::Timestamp::from_second(ts)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000000000Z").to_string())
        .unwrap_or_default();
    format!("{stamp} {line}\n")
}

/// Whether the container is running (or has no reported status yet).
fn is_running(pod: &Value, container: &str) -> bool {
    let status = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .and_then(|ss| {
            ss.iter()
                .find(|s| s.get("name").and_then(Value::as_str) == Some(container))
        });
    status.is_none_or(|s| s.pointer("/state/running").is_some())
}

/// `follow=true` on a running container: the text so far, then each appended line,
/// until the pod is deleted (or the client goes away).
fn follow(st: &State, key: LogKey, first: String, stamps: bool) -> Response {
    let logs = st.log_tx.subscribe();
    let events = st.tx.subscribe();
    let pod_key = Key {
        group: String::new(),
        plural: "pods".into(),
        namespace: key.0.clone(),
        name: key.1.clone(),
    };
    let start =
        futures::stream::once(async move { Ok::<_, std::convert::Infallible>(Bytes::from(first)) });
    let rest = futures::stream::unfold((logs, events), move |(mut logs, mut events)| {
        let (key, pod_key) = (key.clone(), pod_key.clone());
        async move {
            loop {
                tokio::select! {
                    line = logs.recv() => match line {
                        Ok(l) if l.key == key => return Some((Ok(Bytes::from(format_line(l.ts, &l.text, stamps))), (logs, events))),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    ev = events.recv() => match ev {
                        Ok(e) if e.kind == "DELETED" && e.key == pod_key => return None,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                }
            }
        }
    });
    let mut resp = Response::new(axum::body::Body::from_stream(start.chain(rest)));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}

fn text_response(text: String) -> Response {
    let mut resp = (StatusCode::OK, text).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    resp
}
