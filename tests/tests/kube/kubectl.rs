//! kubectl (the machine's) against the emulator over HTTPS: outputs checked, not just
//! exit codes.

use serde_json::Value;
use testbed::kube::{Identity, Rule};

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

const APP: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  mode: one
---
apiVersion: v1
kind: Pod
metadata:
  name: talker
  namespace: default
  annotations:
    testbed.io/logs: '{"app": "hello\nworld"}'
spec:
  containers:
  - name: app
    image: busybox
"#;

#[tokio::test]
async fn apply_client_and_server_side_then_delete() {
    let s = served_lab().await;
    let out = s
        .kubectl_stdin(&["apply", "--validate=false", "-f", "-"], APP)
        .await;
    assert!(
        out.contains("configmap/settings created") && out.contains("pod/talker created"),
        "{out}"
    );
    assert_eq!(s.kubectl(&["logs", "talker"]).await, "hello\nworld\n");
    let out = s
        .kubectl_stdin(
            &["apply", "--validate=false", "-f", "-"],
            &APP.replace("mode: one", "mode: two"),
        )
        .await;
    assert!(
        out.contains("configmap/settings configured") && out.contains("pod/talker unchanged"),
        "{out}"
    );
    assert_eq!(
        s.kubectl(&[
            "get",
            "configmap",
            "settings",
            "-o",
            "jsonpath={.data.mode}"
        ])
        .await,
        "two"
    );

    let ssa = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  a: \"1\"\n  b: \"2\"\n";
    let out = s
        .kubectl_stdin(
            &["apply", "--server-side", "--validate=false", "-f", "-"],
            ssa,
        )
        .await;
    assert!(out.contains("configmap/ssa serverside-applied"), "{out}");
    // Dropping a field the manager applied before removes it.
    s.kubectl_stdin(
        &["apply", "--server-side", "--validate=false", "-f", "-"],
        &ssa.replace("  b: \"2\"\n", ""),
    )
    .await;
    assert_eq!(
        s.kubectl(&["get", "cm", "ssa", "-o", "jsonpath={.data}"])
            .await,
        r#"{"a":"1"}"#
    );
    // Another manager changing an owned field conflicts unless forced.
    let other = ssa
        .replace("a: \"1\"", "a: \"9\"")
        .replace("  b: \"2\"\n", "");
    let conflict = s
        .kubectl_as(
            None,
            &[
                "apply",
                "--server-side",
                "--validate=false",
                "--field-manager",
                "other",
                "-f",
                "-",
            ],
            Some(&other),
        )
        .await;
    assert!(
        !conflict.ok && conflict.stderr.contains("conflict"),
        "{}",
        conflict.stderr
    );
    s.kubectl_stdin(
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--validate=false",
            "--field-manager",
            "other",
            "-f",
            "-",
        ],
        &other,
    )
    .await;
    assert_eq!(
        s.kubectl(&["get", "cm", "ssa", "-o", "jsonpath={.data.a}"])
            .await,
        "9"
    );

    let out = s.kubectl(&["delete", "configmap", "settings"]).await;
    assert!(out.contains("configmap \"settings\" deleted"), "{out}");
    let gone = s
        .kubectl_as(None, &["get", "configmap", "settings"], None)
        .await;
    assert!(
        !gone.ok
            && gone
                .stderr
                .contains("Error from server (NotFound): configmaps \"settings\" not found"),
        "{}",
        gone.stderr
    );
}

#[tokio::test]
async fn status_subresource_and_crd_registration() {
    let s = served_lab().await;
    s.kubectl_stdin(&["apply", "--validate=false", "-f", "-"], APP)
        .await;
    s.kubectl(&["patch", "pod", "talker", "--subresource=status", "--type=merge", "-p", r#"{"status":{"phase":"Failed","containerStatuses":[{"name":"app","ready":false,"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}"#]).await;
    let row = s.kubectl(&["get", "pod", "talker", "--no-headers"]).await;
    assert!(
        row.contains("CrashLoopBackOff") && row.contains("0/1") && row.contains(" 3 "),
        "{row}"
    );

    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
"#;
    s.kubectl_stdin(&["apply", "--validate=false", "-f", "-"], crd)
        .await;
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  color: blue\n";
    let out = s
        .kubectl_stdin(&["apply", "--validate=false", "-f", "-"], widget)
        .await;
    assert!(out.contains("widget.example.com/w1 created"), "{out}");
    let table = s.kubectl(&["get", "wd"]).await;
    assert!(
        table.contains("COLOR")
            && table
                .lines()
                .any(|l| l.starts_with("w1") && l.contains("blue")),
        "{table}"
    );
}

#[tokio::test]
async fn auth_can_i_follows_the_token_rules() {
    let s = served_lab().await;
    assert_eq!(
        s.kubectl(&["auth", "can-i", "delete", "pods", "-n", "agent-user1"])
            .await
            .trim(),
        "yes"
    );
    s.emu.add_identity(
        "reader-token",
        Identity::read_only("reader", &["agent-user1"]),
    );
    s.emu.add_identity(
        "deployer-token",
        Identity::user(
            "deployer",
            vec![Rule::new(&["*"], &[""], &["configmaps"], &["default"])],
        ),
    );
    let can = s
        .kubectl_as(
            Some("reader-token"),
            &["auth", "can-i", "list", "pods", "-n", "agent-user1"],
            None,
        )
        .await;
    assert_eq!(can.stdout.trim(), "yes");
    let cannot = s
        .kubectl_as(
            Some("reader-token"),
            &["auth", "can-i", "delete", "pods", "-n", "agent-user1"],
            None,
        )
        .await;
    assert!(
        !cannot.ok && cannot.stdout.trim() == "no",
        "{} {}",
        cannot.stdout,
        cannot.stderr
    );
    let denied = s
        .kubectl_as(
            Some("reader-token"),
            &["delete", "pod", &s.lab.pod, "-n", "agent-user1"],
            None,
        )
        .await;
    assert!(
        !denied.ok
            && denied
                .stderr
                .contains("is forbidden: User \"reader\" cannot delete resource \"pods\""),
        "{}",
        denied.stderr
    );
    let other_ns = s
        .kubectl_as(
            Some("reader-token"),
            &["get", "pods", "-n", "gitea-user1"],
            None,
        )
        .await;
    assert!(
        !other_ns.ok && other_ns.stderr.contains("Forbidden"),
        "{}",
        other_ns.stderr
    );
    // kubectl's typed `create configmap` posts protobuf; `apply` posts JSON.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\ndata:\n  a: b\n";
    let created = s
        .kubectl_as(
            Some("deployer-token"),
            &["apply", "--validate=false", "-f", "-"],
            Some(cm),
        )
        .await;
    assert!(
        created.ok && created.stdout.contains("configmap/x created"),
        "{}",
        created.stderr
    );
    let no_pods = s
        .kubectl_as(Some("deployer-token"), &["get", "pods"], None)
        .await;
    assert!(
        !no_pods.ok
            && no_pods.stderr.contains(
                "cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
            ),
        "{}",
        no_pods.stderr
    );
    let bad = s
        .kubectl_as(Some("wrong-token"), &["get", "pods"], None)
        .await;
    assert!(
        !bad.ok && bad.stderr.contains("Unauthorized"),
        "{}",
        bad.stderr
    );
}
