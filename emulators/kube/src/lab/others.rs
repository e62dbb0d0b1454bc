//! The lab's pods outside the pipeline, in the states a lab cluster shows: running,
//! CrashLoopBackOff after OOMKilled, ImagePullBackOff, CreateContainerConfigError,
//! Completed and Error.

use crate::fixtures::{ContainerFixture, ContainerState, PodFixture};

/// Pods in the states a lab cluster shows, besides the pipeline's.
pub(super) fn other_pods(user: &str) -> Vec<(String, PodFixture)> {
    let oom_log = "INFO  Starting LibreChat server on port 3080\nINFO  Loading 3 MCP servers\nFATAL JavaScript heap out of memory";
    vec![
        (
            format!("mcp-openshift-{user}"),
            PodFixture::new(
                &format!("mcp-openshift-{user}"),
                "mcp-openshift-6c9f7d5b8-q2v4x",
            )
            .label("app", "mcp-openshift")
            .container(
                ContainerFixture::new("mcp-openshift", "quay.io/lab/mcp-openshift:0.1.0")
                    .logs("listening on 0.0.0.0:8080\nGET /healthz 200"),
            ),
        ),
        (
            format!("librechat-{user}"),
            PodFixture::new(&format!("librechat-{user}"), "librechat-5d8c9b7f6-h7j3k")
                .label("app", "librechat")
                .container(
                    ContainerFixture::new("librechat", "ghcr.io/danny-avila/librechat:v0.8.0")
                        .state(ContainerState::crash_loop_oom())
                        .logs(oom_log)
                        .previous_logs(oom_log),
                ),
        ),
        (
            format!("mcp-gitea-{user}"),
            PodFixture::new(&format!("mcp-gitea-{user}"), "mcp-gitea-7b6d5c4f9-m8n2p")
                .label("app", "mcp-gitea")
                .container(
                    ContainerFixture::new("mcp-gitea", "quay.io/lab/mcp-gitea:latst").state(
                        ContainerState::image_pull_backoff("quay.io/lab/mcp-gitea:latst"),
                    ),
                ),
        ),
        (
            format!("agent-{user}"),
            PodFixture::new(&format!("agent-{user}"), "agent-84f6d9c7b5-x9z8w")
                .label("app", "agent")
                .container(
                    ContainerFixture::new("agent", "quay.io/lab/agent:0.1.0")
                        .state(ContainerState::missing_secret("agent-llm-key")),
                ),
        ),
        (
            format!("gitea-{user}"),
            PodFixture::new(&format!("gitea-{user}"), "gitea-0")
                .label("app", "gitea")
                .container(
                    ContainerFixture::new("gitea", "docker.gitea.com/gitea:1.26")
                        .logs("Starting Gitea on 0.0.0.0:3000"),
                ),
        ),
        (
            format!("gitea-{user}"),
            PodFixture::new(&format!("gitea-{user}"), "gitea-init-repo-zt5kq")
                .label("job-name", "gitea-init-repo")
                .container(
                    ContainerFixture::new("init", "docker.gitea.com/gitea:1.26")
                        .state(ContainerState::completed())
                        .logs("repository user1/mcp created"),
                ),
        ),
        (
            format!("librechat-{user}"),
            PodFixture::new(&format!("librechat-{user}"), "librechat-db-migrate-r2d2q")
                .label("job-name", "librechat-db-migrate")
                .container(
                    ContainerFixture::new("migrate", "ghcr.io/danny-avila/librechat:v0.8.0")
                        .state(ContainerState::error(2))
                        .logs("Error: connect ECONNREFUSED 10.0.0.20:27017"),
                ),
        ),
    ]
}
