//! kubectl writes over HTTPS: apply (client- and server-side), delete, the status
//! subresource, CRDs, and `auth can-i` with per-token RBAC.

use kube_emulator::{Identity, Rule};

use super::util::served_lab;

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
    let out = s.kubectl_stdin(&["apply", "-f", "-"], APP).await;
    assert!(
        out.contains("configmap/settings created") && out.contains("pod/talker created"),
        "{out}"
    );
    assert_eq!(s.kubectl(&["logs", "talker"]).await, "hello\nworld\n");
    let out = s
        .kubectl_stdin(
            &["apply", "-f", "-"],
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
        .kubectl_stdin(&["apply", "--server-side", "-f", "-"], ssa)
        .await;
    assert!(out.contains("configmap/ssa serverside-applied"), "{out}");
    // Dropping a field the manager applied before removes it.
    s.kubectl_stdin(
        &["apply", "--server-side", "-f", "-"],
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
    s.kubectl_stdin(&["apply", "-f", "-"], APP).await;
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
    s.kubectl_stdin(&["apply", "-f", "-"], crd).await;
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  color: blue\n";
    let out = s.kubectl_stdin(&["apply", "-f", "-"], widget).await;
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
        .kubectl_as(Some("deployer-token"), &["apply", "-f", "-"], Some(cm))
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
