//! Faults: our OpenShift MCP server is killed (every connection dropped, as a crashed pod)
//! and restarted on the same port while a failure report runs. The report still completes
//! (through the reconnected session, or the agent's fallback files it) and exactly one
//! issue exists.

use std::time::Duration;

use super::support::{
    Lab, Server, assert_one_lab_issue, bounded, lab_llm, openshift_app, report_failure, start_agent,
};

/// Binds the same port again once the killed server has let it go.
async fn restart(lab: &Lab, port: u16) -> Server {
    for _ in 0..100 {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Server::start(openshift_app(&lab.kube, &lab.scenario.namespace), port).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("port {port} was not released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_and_restarted_openshift_server_still_gives_one_issue() {
    bounded(Duration::from_secs(60), async {
        let mut lab = Lab::start().await;
        let user = lab.lab_gitea.user.clone();
        let (llm, running_llm) = lab_llm(&lab.scenario, &user).await;
        let (_app, agent) = start_agent(
            &running_llm.base_url(),
            &llm.config().api_key,
            &lab.openshift.url("/sse#openshift"),
            &lab.gitea_mcp.url("/mcp"),
            &user,
            &lab.lab_gitea.repo,
        )
        .await;
        let port = lab.openshift.addr.port();

        // The server dies with the agent's session open; the report starts while it is down.
        lab.openshift.kill();
        let scenario = lab.scenario.clone();
        let agent_url = agent.addr;
        let report = tokio::spawn(async move {
            let agent = Server::at(agent_url);
            report_failure(&agent, &scenario).await
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        lab.openshift = restart(&lab, port).await;

        let (status, reply) = report.await.expect("report task");
        assert_eq!(status, 200, "{reply}");
        assert_one_lab_issue(&lab.gitea, &user, &lab.lab_gitea.repo, &lab.scenario);
        // The restarted server serves the agent again (the session was re-established).
        let status = lab.openshift.url("/healthz");
        assert!(
            reqwest::get(status)
                .await
                .is_ok_and(|r| r.status().is_success())
        );
    })
    .await
}
