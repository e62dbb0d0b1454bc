use std::sync::{Arc, Mutex};
use std::time::Duration;

use agent::config::{McpServerConfig, McpTransport};
use agent::mcp::{SessionTiming, ToolRegistry};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use crate::support::fake_llm::{FakeLlm, Reply, issue_body, messages, tool_calls};
use crate::support::fixture::{Fixture, pods_log_tool};
use crate::support::server::{Killable, free_port};
use crate::support::transports::{
    SseControl, sse_router, stateless_json_router, streamable_router,
};
use crate::support::{Harness, LOG, NS, Options, POD, bounded, lab_report, log_call, tuning};

fn server(name: &str, url: &str, transport: McpTransport) -> McpServerConfig {
    McpServerConfig {
        name: name.into(),
        label: name.into(),
        url: url.parse().unwrap(),
        transport,
        bearer: None,
    }
}

fn registry(servers: &[McpServerConfig]) -> (Arc<ToolRegistry>, CancellationToken) {
    registry_with(servers, tuning().sessions)
}

fn registry_with(
    servers: &[McpServerConfig],
    timing: SessionTiming,
) -> (Arc<ToolRegistry>, CancellationToken) {
    let allow: Vec<String> = ["pods_log", "issue_write", "events_list"]
        .map(String::from)
        .to_vec();
    let registry = Arc::new(ToolRegistry::new(servers, &allow, timing));
    let shutdown = CancellationToken::new();
    registry.start(&shutdown);
    (registry, shutdown)
}

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// The OpenShift fixture with the lab pod's log, the server most of these tests start.
fn openshift_with_log() -> Fixture {
    let fixture = Fixture::openshift();
    fixture.set_log(POD, LOG);
    fixture
}

/// A registry of the one `openshift` server at `url`.
fn openshift_registry(
    url: &str,
    transport: McpTransport,
) -> (Arc<ToolRegistry>, CancellationToken) {
    registry(&[server("openshift", url, transport)])
}

/// The lab pod's log read through the registry: the call that proves a session works.
async fn read_pod_log(registry: &ToolRegistry) -> String {
    registry
        .call("pods_log", args(json!({"name": POD})), T)
        .await
        .unwrap()
        .text
}

async fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

const T: Duration = Duration::from_secs(5);

#[tokio::test]
async fn both_transports_list_route_and_call() {
    bounded(async {
        let openshift = openshift_with_log();
        let gitea = Fixture::gitea();
        let os = Killable::start(sse_router(openshift.clone(), SseControl::default()), 0).await;
        let gt = Killable::start(streamable_router(gitea.clone()), 0).await;
        let (registry, _stop) = registry(&[
            server("openshift", &os.url("/sse#openshift"), McpTransport::Sse),
            server("gitea", &gt.url("/mcp"), McpTransport::StreamableHttp),
        ]);
        assert!(registry.wait_ready(T).await);
        let tools = registry.tools();
        let names: Vec<(&str, &str)> = tools
            .iter()
            .map(|t| (t.server.as_str(), t.name.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![("openshift", "pods_log"), ("gitea", "issue_write")],
            "pods_delete is not allowlisted"
        );
        let out = registry
            .call("pods_log", args(json!({"name": POD})), T)
            .await
            .unwrap();
        assert_eq!((out.text.as_str(), out.is_error), (LOG, false));
        let missing = registry
            .call("pods_log", args(json!({"name": "nope"})), T)
            .await
            .unwrap();
        assert!(missing.is_error, "isError is surfaced");
        let out = registry
            .call(
                "issue_write",
                args(json!({"method": "create", "owner": "u", "repo": "r", "title": "t"})),
                T,
            )
            .await
            .unwrap();
        assert!(out.text.contains("\"number\":1"), "{}", out.text);
        assert!(
            gitea.calls().iter().all(|(n, _)| n == "issue_write"),
            "routed to the server that offers it"
        );
        assert!(
            registry
                .call("pods_delete", args(json!({"name": POD})), T)
                .await
                .is_err()
        );
        // The OpenAI form of a tool keeps the schema verbatim.
        let openai = tools[0].to_openai();
        assert_eq!(openai["type"], "function");
        assert_eq!(
            openai["function"]["parameters"]["required"],
            json!(["name"])
        );
    })
    .await
}

#[tokio::test]
async fn plain_json_replies_without_a_session() {
    bounded(async {
        let fixture = openshift_with_log();
        let os = Killable::start(stateless_json_router(fixture), 0).await;
        let (registry, _stop) = openshift_registry(&os.url("/mcp"), McpTransport::StreamableHttp);
        assert!(registry.wait_ready(T).await, "{:?}", registry.status());
        assert_eq!(read_pod_log(&registry).await, LOG);
    })
    .await
}

#[tokio::test]
async fn server_down_at_startup_is_picked_up_when_it_comes_back() {
    bounded(async {
        let port = free_port().await;
        let fixture = openshift_with_log();
        let (registry, _stop) = openshift_registry(
            &format!("http://127.0.0.1:{port}/mcp"),
            McpTransport::StreamableHttp,
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!registry.is_ready());
        assert!(registry.tools().is_empty());
        assert!(registry.status()[0].error.is_some());
        let _up = Killable::start(streamable_router(fixture), port).await;
        assert!(
            registry.wait_ready(T).await,
            "no reconnect after the server came up"
        );
        assert_eq!(read_pod_log(&registry).await, LOG);
    })
    .await
}

#[tokio::test]
async fn killed_server_is_reconnected_after_restart() {
    bounded(async {
        let fixture = openshift_with_log();
        let first = Killable::start(streamable_router(fixture.clone()), 0).await;
        let port = first.addr.port();
        let (registry, _stop) =
            openshift_registry(&first.url("/mcp"), McpTransport::StreamableHttp);
        assert!(registry.wait_ready(T).await);
        first.kill();
        drop(first);
        eventually("session loss noticed", || !registry.is_ready()).await;
        let _second = Killable::start(streamable_router(fixture), port).await;
        assert!(registry.wait_ready(T).await);
        assert_eq!(registry.status()[0].reconnects, 1);
        assert_eq!(read_pod_log(&registry).await, LOG);
    })
    .await
}

#[tokio::test]
async fn dropped_sse_stream_gets_a_new_initialised_session() {
    bounded(async {
        let fixture = openshift_with_log();
        let control = SseControl::default();
        let os = Killable::start(sse_router(fixture, control.clone()), 0).await;
        let (registry, _stop) = openshift_registry(&os.url("/sse"), McpTransport::Sse);
        assert!(registry.wait_ready(T).await);
        assert_eq!(control.sessions_opened(), 1);
        control.drop_streams();
        eventually("a second SSE session", || {
            control.sessions_opened() == 2 && registry.is_ready()
        })
        .await;
        assert_eq!(registry.status()[0].reconnects, 1);
        assert_eq!(read_pod_log(&registry).await, LOG);
    })
    .await
}

#[tokio::test]
async fn sse_replies_are_matched_by_id_not_by_order() {
    bounded(async {
        let fixture = Fixture::openshift();
        fixture.set_log("slow-pod", "slow log");
        fixture.set_log("fast-pod", "fast log");
        let os = Killable::start(sse_router(fixture, SseControl::default()), 0).await;
        let (registry, _stop) = openshift_registry(&os.url("/sse"), McpTransport::Sse);
        assert!(registry.wait_ready(T).await);
        let order = Arc::new(Mutex::new(Vec::new()));
        let call = |pod: &'static str| {
            let (registry, order) = (registry.clone(), order.clone());
            async move {
                let out = registry
                    .call("pods_log", args(json!({"name": pod})), T)
                    .await
                    .unwrap();
                order.lock().unwrap().push(pod);
                out.text
            }
        };
        let (slow, fast) = tokio::join!(call("slow-pod"), call("fast-pod"));
        assert_eq!((slow.as_str(), fast.as_str()), ("slow log", "fast log"));
        assert_eq!(
            *order.lock().unwrap(),
            vec!["fast-pod", "slow-pod"],
            "replies arrived out of order"
        );
    })
    .await
}

#[tokio::test]
async fn tool_list_changes_are_rediscovered_without_restart() {
    bounded(async {
        let fixture = Fixture::with_tools(vec![pods_log_tool()]);
        let os = Killable::start(sse_router(fixture.clone(), SseControl::default()), 0).await;
        // No periodic refresh: only the list_changed notice can bring the new tool in.
        let timing = SessionTiming {
            refresh_interval: Duration::from_secs(3600),
            ..tuning().sessions
        };
        let (registry, _stop) = registry_with(
            &[server("openshift", &os.url("/sse"), McpTransport::Sse)],
            timing,
        );
        assert!(registry.wait_ready(T).await);
        assert_eq!(registry.tools().len(), 1);
        let events = rmcp::model::Tool::new("events_list", "List events", Arc::new(Map::new()));
        fixture.set_tools(vec![pods_log_tool(), events]).await;
        eventually("events_list discovered", || {
            registry.tools().iter().any(|t| t.name == "events_list")
        })
        .await;
    })
    .await
}

#[tokio::test]
async fn sse_stream_dropped_mid_run_the_run_still_succeeds() {
    bounded(async {
        let control = Arc::new(Mutex::new(None::<SseControl>));
        let hook = control.clone();
        let llm = FakeLlm::with(move |req, i| match i {
            0 => tool_calls(&[log_call()]),
            1 => {
                // Drop the OpenShift SSE stream between two tool calls of the same run.
                if let Some(c) = hook.lock().unwrap().as_ref() {
                    c.drop_streams();
                }
                Reply::Delayed(Duration::from_millis(800), Box::new(tool_calls(&[("pods_log", json!({"namespace": NS, "name": POD, "tail": 5}))])))
            }
            _ => {
                assert!(messages(req).iter().any(|m| m["role"] == "tool"));
                tool_calls(&[("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "t", "body": issue_body(NS, POD)}))])
            }
        });
        let h = Harness::start(llm, Options::default()).await;
        *control.lock().unwrap() = Some(h.sse.clone());
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(h.openshift.calls().len(), 2, "the call after the drop went through the new session");
        assert_eq!(h.sse.sessions_opened(), 2);
    })
    .await
}

#[tokio::test]
async fn upstream_go_server_over_legacy_sse() {
    bounded(async {
        let binary = emulator_support::tools::require(emulator_support::tools::Tool::UpstreamKubernetesMcpServer);
        let dir = std::env::temp_dir().join(format!("agent-upstream-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let kubeconfig = dir.join("kubeconfig");
        std::fs::write(&kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n").unwrap();
        let port = free_port().await;
        let mut child = tokio::process::Command::new(binary)
            .args(["--port", &port.to_string(), "--bind-address", "127.0.0.1", "--kubeconfig"])
            .arg(&kubeconfig)
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (registry, _stop) = openshift_registry(&format!("http://127.0.0.1:{port}/sse#openshift"), McpTransport::Sse);
        assert!(registry.wait_ready(Duration::from_secs(20)).await, "{:?}", registry.status());
        assert!(registry.tools().iter().any(|t| t.name == "pods_log"));
        // No cluster: the call is answered, as an error result, on the same session.
        let out = registry.call("pods_log", args(json!({"namespace": "default", "name": "p"})), T).await.unwrap();
        assert!(out.is_error, "{}", out.text);
        child.kill().await.ok();
        std::fs::remove_dir_all(dir).ok();
    })
    .await
}
