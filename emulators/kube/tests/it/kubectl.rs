//! kubectl (the machine's) against the emulator over HTTPS: outputs checked, not just
//! exit codes.

use serde_json::Value;

use super::util::served_lab;

#[tokio::test]
async fn get_describe_and_yaml_show_the_seeded_lab() {
    let s = served_lab().await;
    let ns = s.lab.namespace.as_str();
    let table = s.kubectl(&["get", "pods", "-n", ns]).await;
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("NAME")
            && header.contains("READY")
            && header.contains("STATUS")
            && header.contains("RESTARTS"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with(&s.lab.pod))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("0/2") && row.contains("Error"), "{row}");

    let all = s.kubectl(&["get", "pods", "-A"]).await;
    for (ns, name, status) in &s.lab.other_pods {
        let line = all
            .lines()
            .find(|l| l.contains(name.as_str()))
            .unwrap_or_else(|| panic!("{name} missing:\n{all}"));
        assert!(
            line.starts_with(ns.as_str()) && line.contains(status.as_str()),
            "{line}"
        );
    }
    assert!(
        all.contains("CrashLoopBackOff")
            && all.contains("ImagePullBackOff")
            && all.contains("CreateContainerConfigError")
            && all.contains("Completed")
    );

    let yaml = s
        .kubectl(&["get", "pod", &s.lab.pod, "-n", ns, "-o", "yaml"])
        .await;
    let pod: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["metadata"]["name"], s.lab.pod.as_str());
    assert_eq!(pod["spec"]["containers"][0]["name"], "step-build");
    assert_eq!(
        pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"],
        1
    );

    let described = s.kubectl(&["describe", "pod", &s.lab.pod, "-n", ns]).await;
    let name_line = described.lines().next().unwrap();
    assert!(
        name_line.starts_with("Name:") && name_line.ends_with(&s.lab.pod),
        "{described}"
    );
    assert!(
        described.contains("step-build:") && described.contains("step-push:"),
        "{described}"
    );
    assert!(described.contains("Exit Code:    1"), "{described}");
    assert!(
        described.contains("Error: container step-build exited with code 1"),
        "events are shown:\n{described}"
    );

    let runs = s.kubectl(&["get", "pipelineruns", "-n", ns]).await;
    assert!(
        runs.contains(&s.lab.pipeline_run) && runs.contains("Failed"),
        "{runs}"
    );
    let events = s.kubectl(&["get", "events", "-n", "librechat-user1"]).await;
    assert!(
        events.contains("BackOff") && events.contains("pod/librechat-5d8c9b7f6-h7j3k"),
        "{events}"
    );
    let nodes = s.kubectl(&["get", "nodes"]).await;
    assert!(
        nodes.lines().any(|l| l.starts_with("worker-0")
            && l.contains("Ready")
            && l.contains("worker")
            && l.contains("v1.33.5")),
        "{nodes}"
    );
    let resources = s.kubectl(&["api-resources"]).await;
    assert!(
        resources.lines().any(|l| l.starts_with("pipelineruns")
            && l.contains("tekton.dev/v1")
            && l.contains("PipelineRun")),
        "{resources}"
    );
}

#[tokio::test]
async fn logs_with_container_tail_and_previous() {
    let s = served_lab().await;
    let ns = s.lab.namespace.as_str();
    let last = s
        .kubectl(&[
            "logs",
            &s.lab.pod,
            "-n",
            ns,
            "-c",
            "step-build",
            "--tail",
            "1",
        ])
        .await;
    assert_eq!(last.trim_end(), s.lab.failure_line);
    assert!(s.lab.failure_line.contains("COPY requirements.txt"));
    let full = s
        .kubectl(&["logs", &s.lab.pod, "-n", ns, "-c", "step-build"])
        .await;
    assert!(
        full.starts_with("STEP 1/7: FROM") && full.lines().count() > 5,
        "{full}"
    );

    let missing = s
        .kubectl_as(None, &["logs", &s.lab.pod, "-n", ns, "-c", "nope"], None)
        .await;
    assert!(
        !missing.ok
            && missing
                .stderr
                .contains("container nope is not valid for pod"),
        "{}",
        missing.stderr
    );

    let prev = s
        .kubectl(&[
            "logs",
            "librechat-5d8c9b7f6-h7j3k",
            "-n",
            "librechat-user1",
            "--previous",
        ])
        .await;
    assert!(prev.contains("heap out of memory"), "{prev}");
    let no_prev = s
        .kubectl_as(
            None,
            &["logs", "gitea-0", "-n", "gitea-user1", "--previous"],
            None,
        )
        .await;
    assert!(
        !no_prev.ok
            && no_prev
                .stderr
                .contains("previous terminated container \"gitea\" in pod \"gitea-0\" not found"),
        "{}",
        no_prev.stderr
    );
}
