//! Streamable HTTP client details: `tools/list` pagination is followed, and a session the
//! server no longer knows (restarted, expired: 404 on `Mcp-Session-Id`) is re-initialised
//! and the call still succeeds.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use agent::config::{McpServerConfig, McpTransport};
use agent::mcp::ToolRegistry;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::support::fixture::{Fixture, issue_write_tool, pods_delete_tool, pods_log_tool};
use crate::support::server::Killable;
use crate::support::transports::streamable_router;
use crate::support::{LOG, POD, bounded, tuning};

const T: std::time::Duration = std::time::Duration::from_secs(5);

fn registry(url: &str, allow: &[&str]) -> (Arc<ToolRegistry>, CancellationToken) {
    let server = McpServerConfig {
        name: "openshift".into(),
        label: "OpenShift".into(),
        url: url.parse().unwrap(),
        transport: McpTransport::StreamableHttp,
        bearer: None,
    };
    let allow: Vec<String> = allow.iter().map(|s| s.to_string()).collect();
    let registry = Arc::new(ToolRegistry::new(&[server], &allow, tuning().sessions));
    let shutdown = CancellationToken::new();
    registry.start(&shutdown);
    (registry, shutdown)
}

#[tokio::test]
async fn tools_list_pages_are_all_followed() {
    bounded(async {
        let fixture = Fixture::with_tools(vec![
            pods_log_tool(),
            pods_delete_tool(),
            issue_write_tool(),
        ]);
        fixture.state.lock().unwrap().page_size = 1;
        let server = Killable::start(streamable_router(fixture.clone()), 0).await;
        let (registry, _stop) = registry(&server.url("/mcp"), &["pods_log", "issue_write"]);
        assert!(registry.wait_ready(T).await);
        let names: Vec<String> = registry.tools().iter().map(|t| t.name.clone()).collect();
        // The last page's tool is there: every cursor was followed (3 pages, 1 tool each).
        assert_eq!(names, vec!["pods_log", "issue_write"]);
        assert!(fixture.state.lock().unwrap().list_requests >= 3);
    })
    .await
}

/// Session ids the "restarted" server no longer knows; requests carrying one get 404.
#[derive(Clone, Default)]
struct Forget {
    forget_all: Arc<Mutex<bool>>,
    forgotten: Arc<Mutex<HashSet<String>>>,
}

async fn expire(
    axum::extract::State(f): axum::extract::State<Forget>,
    request: Request,
    next: Next,
) -> Response {
    let id = request
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(id) = id {
        if *f.forget_all.lock().unwrap() {
            f.forgotten.lock().unwrap().insert(id.clone());
        }
        if f.forgotten.lock().unwrap().contains(&id) {
            return (StatusCode::NOT_FOUND, "session not found").into_response();
        }
    } else {
        // A new initialize: sessions from now on are known again.
        *f.forget_all.lock().unwrap() = false;
    }
    next.run(request).await
}

#[tokio::test]
async fn an_expired_session_is_reinitialised_and_the_call_succeeds() {
    bounded(async {
        let fixture = Fixture::openshift();
        fixture.set_log(POD, LOG);
        let forget = Forget::default();
        let router = streamable_router(fixture.clone())
            .layer(middleware::from_fn_with_state(forget.clone(), expire));
        let server = Killable::start(router, 0).await;
        let (registry, _stop) = registry(&server.url("/mcp"), &["pods_log"]);
        assert!(registry.wait_ready(T).await);
        // The server "restarts": every session it handed out is now unknown (404).
        *forget.forget_all.lock().unwrap() = true;
        let args = json!({"name": POD}).as_object().unwrap().clone();
        let output = registry.call("pods_log", args, T).await.unwrap();
        assert_eq!(output.text, LOG);
        assert!(
            !forget.forgotten.lock().unwrap().is_empty(),
            "the old session was refused"
        );
        // Re-initialised by the transport inside the call, not by a supervisor reconnect.
        assert_eq!(registry.status()[0].reconnects, 0);
    })
    .await
}
