//! `testbed::stack` in process: every service answers on its loopback port, the tenant is
//! provisioned with working credentials, and two stacks run side by side.

use std::time::Duration;

use testbed::stack::{Stack, StackOptions, librechat_mcp_servers};

async fn bounded<F: std::future::Future<Output = ()>>(f: F) {
    tokio::time::timeout(Duration::from_secs(180), f)
        .await
        .expect("the test took over 180 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_full_stack_serves_the_provisioned_tenant() {
    bounded(async {
        let stack = Stack::start(StackOptions::default()).await.unwrap();
        let urls = stack.urls();
        let creds = stack.credentials().unwrap().clone();
        assert_eq!(creds.user, "user1");
        let http = reqwest::Client::new();

        // The agent is ready: both MCP sessions are up.
        let ready = http.get(format!("{}/readyz", urls.agent)).send().await.unwrap();
        assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());

        // The tenant's token sees its repository with both branches.
        let branches: serde_json::Value = http
            .get(format!("{}/api/v1/repos/user1/mcp/branches", urls.gitea))
            .header("Authorization", format!("token {}", creds.gitea_token))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = branches.as_array().unwrap().iter().filter_map(|b| b["name"].as_str()).collect();
        assert!(names.contains(&"main") && names.contains(&"broken"), "{names:?}");

        // The tenant's virtual key works on the LLM endpoint.
        let models = http.get(format!("{}/models", urls.llm)).bearer_auth(&creds.llm_key).send().await.unwrap();
        assert_eq!(models.status(), 200);

        // Both MCP servers answer an initialize on streamable HTTP; SSE opens a stream.
        let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
        // The Gitea one only for a caller with a token (as the chart runs it: -require-token).
        for (url, token, want) in [
            (&urls.mcp_openshift_http, None, 200),
            (&urls.mcp_gitea, Some(&creds.gitea_token), 200),
            (&urls.mcp_gitea, None, 401),
        ] {
            let mut request = http.post(url.as_str()).header("Accept", "application/json, text/event-stream");
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            let response = request.json(&init).send().await.unwrap();
            assert_eq!(response.status(), want, "{url} token: {}", token.is_some());
        }
        let sse = http.get(&urls.mcp_openshift_sse).send().await.unwrap();
        assert_eq!(sse.status(), 200);
        assert!(sse.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        drop(sse);

        // The Argo CD objects of the tenant exist.
        assert!(!stack.kube.list("argoproj.io/v1alpha1", "Application", None).is_empty());
        let block = librechat_mcp_servers(&urls);
        assert!(block.contains("type: sse") && block.contains("/sse#openshift") && block.contains("type: streamable-http"));
        let env = stack.env();
        for key in ["MCP_OPENSHIFT_SSE_URL", "MCP_OPENSHIFT_HTTP_URL", "MCP_GITEA_URL", "AGENT_URL", "KUBECONFIG"] {
            assert!(env.iter().any(|(k, _)| k == key), "{key} missing");
        }
        stack.shutdown().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulators_only_without_the_platform() {
    bounded(async {
        let options = StackOptions {
            platform: false,
            ..StackOptions::default()
        };
        let stack = Stack::start(options).await.unwrap();
        assert!(stack.platform.is_none() && stack.tenant.is_none());
        assert!(stack.lab.is_some());
        assert!(stack.urls().agent.is_empty());
        assert!(!stack.env().iter().any(|(k, _)| k == "AGENT_URL"));
        stack.shutdown().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openshift_mcp_server_restarts_on_its_port_and_the_agent_reconnects() {
    bounded(async {
        let mut stack = Stack::start(StackOptions::default()).await.unwrap();
        let before = stack.urls().mcp_openshift_sse;
        let platform = stack.platform.as_mut().unwrap();
        platform.stop_openshift().await;
        let registry = platform.app.agent().registry().clone();
        let openshift_up = || {
            registry
                .status()
                .iter()
                .any(|s| s.name == "openshift" && s.connected)
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while openshift_up() {
            assert!(
                std::time::Instant::now() < deadline,
                "the agent never noticed the server was gone"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        platform.restart_openshift().await.unwrap();
        assert_eq!(stack.urls().mcp_openshift_sse, before);
        let registry = stack
            .platform
            .as_ref()
            .unwrap()
            .app
            .agent()
            .registry()
            .clone();
        assert!(
            registry.wait_ready(Duration::from_secs(60)).await,
            "{:?}",
            registry.status()
        );
        let sse = reqwest::Client::new().get(&before).send().await.unwrap();
        assert_eq!(sse.status(), 200);
        drop(sse);
        stack.shutdown().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tenant_on_the_same_stack_is_provisioned_and_destroyed_alone() {
    bounded(async {
        let stack = Stack::start(StackOptions::default()).await.unwrap();
        let second = testbed::stack::TenantLab::provision(&stack, "user2")
            .await
            .unwrap();
        assert_eq!(second.credentials.user, "user2");
        assert!(stack.gitea.user_exists("user2"));
        second.destroy().await.unwrap();
        let left = testbed::stack::leftovers(&stack, &second).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
        // user1 is untouched.
        assert!(stack.gitea.user_exists("user1"));
        assert!(
            stack
                .kube
                .get("v1", "Namespace", None, "agent-user1")
                .is_some()
        );
        stack.shutdown().await;
    })
    .await
}

/// `testbed up`'s path: the tenant ordered as a `Tenant` resource, provisioned by the
/// Tenant operator, serves the platform; deleting the Tenant leaves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_provisions_the_stacks_tenant() {
    bounded(async {
        let options = StackOptions {
            via_operator: true,
            ..StackOptions::default()
        };
        let stack = Stack::start(options).await.unwrap();
        let tenant = stack.tenant.as_ref().unwrap();
        assert!(tenant.operator.is_some());
        let t = stack
            .kube
            .get("labs.mcp.dev/v1alpha1", "Tenant", None, "user1")
            .expect("the Tenant resource");
        assert_eq!(t["status"]["phase"], "Ready", "{t}");
        let urls = stack.urls();
        let ready = reqwest::get(format!("{}/readyz", urls.agent))
            .await
            .unwrap();
        assert_eq!(ready.status(), 200);
        let creds = stack.credentials().unwrap().clone();
        let repo = reqwest::Client::new()
            .get(format!("{}/api/v1/repos/user1/mcp", urls.gitea))
            .header("Authorization", format!("token {}", creds.gitea_token))
            .send()
            .await
            .unwrap();
        assert_eq!(repo.status(), 200);
        tenant.destroy().await.unwrap();
        assert!(
            stack
                .kube
                .get("labs.mcp.dev/v1alpha1", "Tenant", None, "user1")
                .is_none()
        );
        let left = testbed::stack::leftovers(&stack, tenant).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
        stack.shutdown().await;
    })
    .await;
}
