//! `pods/exec` over WebSocket (`v5.channel.k8s.io`/`v4.channel.k8s.io`), the flavour
//! kube-rs and client-go try first: the command's scripted stdout and stderr go out on
//! channels 1 and 2, then a `Status` on channel 3 (Success, or NonZeroExitCode with the
//! exit code as a cause), then the socket closes.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::SinkExt;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::Inner;
use super::exec_result::ExecResult;
use super::registry::ResourceType;
use super::status::ApiError;
use super::store::Key;

/// The answer to `command` when no script was set: `echo`, `true`, `false`, `hostname`.
fn default_result(pod: &str, command: &[String]) -> Option<ExecResult> {
    let (first, rest) = command.split_first()?;
    match first.as_str() {
        "echo" => Some(ExecResult::ok(&format!("{}\n", rest.join(" ")))),
        "true" => Some(ExecResult::default()),
        "false" => Some(ExecResult {
            exit_code: 1,
            ..ExecResult::default()
        }),
        "hostname" => Some(ExecResult::ok(&format!("{pod}\n"))),
        _ => None,
    }
}

/// A request to exec, as parsed by the handler.
pub(super) struct ExecCall<'a> {
    pub(super) rt: &'a ResourceType,
    pub(super) namespace: &'a str,
    pub(super) pod: &'a str,
    pub(super) query: &'a [(String, String)],
}

/// GET `…/pods/<name>/exec` with a WebSocket upgrade.
pub(super) fn handle(
    inner: &Arc<Inner>,
    call: ExecCall<'_>,
    mut req: Request,
) -> Result<Response, ApiError> {
    let param = |k: &str| {
        call.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let command: Vec<String> = call
        .query
        .iter()
        .filter(|(k, _)| k == "command")
        .map(|(_, v)| v.clone())
        .collect();
    if command.is_empty() {
        return Err(ApiError::bad_request("you must specify at least 1 command"));
    }
    let result = {
        let st = inner.lock();
        let pod = st
            .objects
            .get(&Key::new(call.rt, call.namespace, call.pod))
            .ok_or_else(|| ApiError::not_found("", "pods", call.pod))?;
        let containers: Vec<&str> = pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .map(|cs| {
                cs.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        match param("container") {
            Some(c) if !containers.contains(&c) => {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {}",
                    call.pod
                )));
            }
            None if containers.len() > 1 => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {}, choose one of: [{}]",
                    call.pod,
                    containers.join(" ")
                )));
            }
            _ => {}
        }
        st.exec
            .get(&(
                call.namespace.to_string(),
                call.pod.to_string(),
                command.join(" "),
            ))
            .cloned()
            .or_else(|| default_result(call.pod, &command))
    };
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| tokio_tungstenite::tungstenite::handshake::derive_accept_key(k.as_bytes()));
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let protocol = offered
        .split(',')
        .map(str::trim)
        .find(|p| *p == "v5.channel.k8s.io" || *p == "v4.channel.k8s.io")
        .map(String::from);
    let (Some(accept), Some(protocol)) = (key, protocol) else {
        return Err(ApiError::bad_request(
            "exec needs a WebSocket upgrade offering v5.channel.k8s.io or v4.channel.k8s.io",
        ));
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    let command_line = command.join(" ");
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(
            TokioIo::new(upgraded),
            Role::Server,
            None,
        )
        .await;
        let frame = |channel: u8, data: &[u8]| {
            Message::Binary(Bytes::from([&[channel][..], data].concat()))
        };
        let status = match &result {
            Some(r) if r.exit_code == 0 => json!({"metadata": {}, "status": "Success"}),
            Some(r) => json!({"metadata": {}, "status": "Failure", "reason": "NonZeroExitCode",
                "message": format!("command terminated with non-zero exit code: error executing command [{command_line}], exit code {}", r.exit_code),
                "details": {"causes": [{"reason": "ExitCode", "message": r.exit_code.to_string()}]}}),
            None => json!({"metadata": {}, "status": "Failure", "reason": "InternalError",
                "message": format!("Internal error occurred: error executing command in container: exec: \"{}\": executable file not found in $PATH", command.first().map(String::as_str).unwrap_or(""))}),
        };
        let mut frames = Vec::new();
        if let Some(r) = &result {
            if !r.stdout.is_empty() {
                frames.push(frame(1, r.stdout.as_bytes()));
            }
            if !r.stderr.is_empty() {
                frames.push(frame(2, r.stderr.as_bytes()));
            }
        }
        frames.push(frame(3, status.to_string().as_bytes()));
        for f in frames {
            if ws.send(f).await.is_err() {
                return;
            }
        }
        // client-go treats only a normal closure (1000) as the end of the streams.
        let close = tokio_tungstenite::tungstenite::protocol::CloseFrame {
            code: tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Normal,
            reason: "".into(),
        };
        let _ = ws.close(Some(close)).await;
    });
    let mut resp = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Ok(v) = HeaderValue::from_str(&protocol) {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, v);
    }
    Ok(resp)
}
