//! Helm 3 and kubectl's typed generators against the emulator over HTTPS: both post
//! protobuf bodies (Helm's release Secrets, `kubectl create configmap|secret|namespace`),
//! update without resourceVersion, and delete with protobuf DeleteOptions.

use std::time::Duration;

use emulator_support::tools::{Tool, require};

use super::util::served_lab;

async fn helm(
    kubeconfig: &std::path::Path,
    home: &std::path::Path,
    args: &[&str],
) -> (bool, String) {
    let out = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::process::Command::new(require(Tool::Helm))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("helm timed out")
    .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn helm_install_upgrade_uninstall() {
    let s = served_lab().await;
    let home = s.running.kubeconfig_path().parent().unwrap().join("helm");
    let chart = home.join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  greeting: {{ .Values.greeting | default \"hello\" }}\n").unwrap();
    let kc = s.running.kubeconfig_path();
    let chart_path = chart.to_str().unwrap();
    let (ok, out) = helm(
        kc,
        &home,
        &[
            "install",
            "demo",
            chart_path,
            "-n",
            "default",
            "--disable-openapi-validation",
        ],
    )
    .await;
    assert!(ok && out.contains("STATUS: deployed"), "{out}");

    assert_eq!(
        s.emu
            .get("v1", "ConfigMap", Some("default"), "demo-cfg")
            .unwrap()["data"]["greeting"],
        "hello"
    );
    let (ok, out) = helm(
        kc,
        &home,
        &[
            "upgrade",
            "demo",
            chart_path,
            "-n",
            "default",
            "--disable-openapi-validation",
            "--set",
            "greeting=hi",
        ],
    )
    .await;
    assert!(ok && out.contains("REVISION: 2"), "{out}");
    assert_eq!(
        s.emu
            .get("v1", "ConfigMap", Some("default"), "demo-cfg")
            .unwrap()["data"]["greeting"],
        "hi"
    );
    let (ok, out) = helm(kc, &home, &["list", "-n", "default"]).await;
    assert!(
        ok && out
            .lines()
            .any(|l| l.starts_with("demo") && l.contains("deployed") && l.contains("demo-0.1.0")),
        "{out}"
    );
    let (ok, out) = helm(kc, &home, &["uninstall", "demo", "-n", "default"]).await;
    assert!(ok && out.contains("release \"demo\" uninstalled"), "{out}");
    assert!(
        s.emu
            .get("v1", "ConfigMap", Some("default"), "demo-cfg")
            .is_none()
    );
    assert!(
        s.emu.list("v1", "Secret", Some("default")).is_empty(),
        "release secrets are purged"
    );
}

#[tokio::test]
async fn kubectl_create_generators_post_protobuf() {
    let s = served_lab().await;
    let out = s
        .kubectl(&[
            "create",
            "configmap",
            "cfg",
            "--from-literal=a=b",
            "--from-literal=c=d",
        ])
        .await;
    assert!(out.contains("configmap/cfg created"), "{out}");
    assert_eq!(
        s.kubectl(&["get", "cm", "cfg", "-o", "jsonpath={.data}"])
            .await,
        r#"{"a":"b","c":"d"}"#
    );
    s.kubectl(&[
        "create",
        "secret",
        "generic",
        "sec",
        "--from-literal=token=abc",
    ])
    .await;
    assert_eq!(
        s.emu.get("v1", "Secret", Some("default"), "sec").unwrap()["data"]["token"],
        "YWJj"
    );
    s.kubectl(&["create", "namespace", "team-x"]).await;
    let ns = s.emu.get("v1", "Namespace", None, "team-x").unwrap();
    assert_eq!(ns["status"]["phase"], "Active");
    let other = s
        .kubectl_as(
            None,
            &["create", "deployment", "web", "--image=nginx"],
            None,
        )
        .await;
    assert!(
        !other.ok
            && other
                .stderr
                .contains("protobuf bodies are accepted for ConfigMap, Secret and Namespace only"),
        "{}",
        other.stderr
    );
}
