//! `pods/log?follow=true`: a running container's log streams the text so far, then each
//! appended line, and ends when the pod is deleted; a terminated container's log ends at
//! once.

use std::time::Duration;

use futures::{AsyncBufReadExt, Stream, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, LogParams};
use kube_emulator::KubeEmulator;

/// How long a followed log may take to deliver what comes next (a line, or its end).
const FOLLOW_LIMIT: Duration = Duration::from_secs(5);

/// The next line of a followed log (`None` once it ends), failing on a stall or a read
/// error so each expectation below stays one line.
async fn next_line<S>(lines: &mut S) -> Option<String>
where
    S: Stream<Item = std::io::Result<String>> + Unpin,
{
    tokio::time::timeout(FOLLOW_LIMIT, lines.next())
        .await
        .unwrap()
        .map(Result::unwrap)
}

#[tokio::test]
async fn follow_streams_appended_lines_until_the_pod_goes() {
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let pods: Api<Pod> = Api::namespaced(emu.client(), "gitea-user1");
    let stream = pods
        .log_stream(
            "gitea-0",
            &LogParams {
                follow: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let mut lines = stream.lines();
    assert_eq!(
        next_line(&mut lines).await.as_deref(),
        Some("Starting Gitea on 0.0.0.0:3000")
    );
    emu.append_logs(
        "gitea-user1",
        "gitea-0",
        "gitea",
        "GET /api/v1/version 200\nGET /user/login 200",
    );
    emu.append_logs("gitea-user1", "gitea-0", "other", "not for this reader");
    assert_eq!(
        next_line(&mut lines).await.as_deref(),
        Some("GET /api/v1/version 200")
    );
    assert_eq!(
        next_line(&mut lines).await.as_deref(),
        Some("GET /user/login 200")
    );
    pods.delete("gitea-0", &DeleteParams::default())
        .await
        .unwrap();
    assert!(
        next_line(&mut lines).await.is_none(),
        "the stream ends with the pod"
    );

    // A terminated container's log is returned whole and the stream ends.
    let build: Api<Pod> = Api::namespaced(emu.client(), &lab.namespace);
    let params = LogParams {
        follow: true,
        container: Some(lab.failed_container.clone()),
        ..LogParams::default()
    };
    let all: Vec<String> = tokio::time::timeout(
        FOLLOW_LIMIT,
        build
            .log_stream(&lab.pod, &params)
            .await
            .unwrap()
            .lines()
            .map(|l| l.unwrap())
            .collect(),
    )
    .await
    .unwrap();
    assert_eq!(all.last(), Some(&lab.failure_line));
}
