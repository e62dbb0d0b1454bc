//! The helm toolset against the real Helm on the emulator (HTTPS, kubeconfig): releases Helm
//! installed are listed by `helm_list` (newest revision only), `helm_uninstall` removes the
//! release's objects (keeping `resource-policy: keep` ones) and its records so that
//! `helm list` sees nothing, and `helm_install` runs the configured helm binary.

use std::path::{Path, PathBuf};

use emulator_support::tools::{Tool, require};
use kube_emulator::{KubeEmulator, KubeServeOptions};
use mcp_openshift::{Cluster, Config};
use serde_json::json;

use super::util::{Transport, call, connect, err, ok};

/// A chart with two ConfigMaps, one of them kept on uninstall.
fn chart(dir: &Path) -> PathBuf {
    let c = dir.join("shopfront");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: shopfront\nversion: 0.3.0\nappVersion: \"2.1\"\n",
    )
    .unwrap();
    std::fs::write(
        c.join("templates/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  color: {{ .Values.color | default \"blue\" | quote }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-kept\n  annotations:\n    helm.sh/resource-policy: keep\ndata: {}\n",
    )
    .unwrap();
    c
}

/// Run the real helm (asynchronously: the emulator serves on this test's runtime).
async fn helm(kubeconfig: &Path, args: &[&str]) -> String {
    let out = tokio::process::Command::new(require(Tool::Helm))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn helm_releases_with_helms_own_storage() {
    let helm_bin = require(Tool::Helm);
    let emu = KubeEmulator::new();
    let lab = emu.seed_lab("user1");
    let ns = lab.namespace.clone();
    let running = emu.serve(KubeServeOptions::default()).await.unwrap();
    let kc = running.kubeconfig_path().to_path_buf();
    let dir = std::env::temp_dir().join(format!("mcp-os-helm-{}", std::process::id()));
    let chart_dir = chart(&dir);
    let chart = chart_dir.to_str().unwrap();
    let nv = ["--disable-openapi-validation"];
    helm(
        &kc,
        &[&["install", "web", chart, "-n", &ns][..], &nv].concat(),
    )
    .await;
    helm(
        &kc,
        &[
            &["upgrade", "web", chart, "-n", &ns, "--set", "color=red"][..],
            &nv,
        ]
        .concat(),
    )
    .await;

    let toml = dir.join("config.toml");
    std::fs::write(
        &toml,
        format!(
            "helm_binary = {:?}\nallowed_registries = [{:?}]\n",
            helm_bin.to_str().unwrap(),
            format!("{}/", dir.to_str().unwrap())
        ),
    )
    .unwrap();
    let config = Config::from_args([
        "kubernetes-mcp-server",
        "--port",
        "0",
        "--bind-address",
        "127.0.0.1",
        "--toolsets",
        "core,config,helm",
        "--kubeconfig",
        kc.to_str().unwrap(),
        "--config",
        toml.to_str().unwrap(),
    ])
    .unwrap();
    let cluster = Cluster::from_config(&config).await.unwrap();
    let server = mcp_openshift::start_http(&config, cluster).await.unwrap();
    let c = connect(&server.base_url(), Transport::Streamable, None).await;

    // Listed as Helm lists it: the newest revision only.
    let (is_err, text, structured) = call(&c, "helm_list", json!({"namespace": ns})).await;
    assert!(!is_err, "{text}");
    let releases = structured.unwrap()["releases"].clone();
    assert_eq!(releases.as_array().unwrap().len(), 1, "{text}");
    let r = &releases[0];
    assert_eq!(
        (
            &r["name"],
            &r["namespace"],
            &r["revision"],
            &r["chart"],
            &r["chartVersion"],
            &r["appVersion"],
            &r["status"]
        ),
        (
            &json!("web"),
            &json!(ns),
            &json!(2),
            &json!("shopfront"),
            &json!("0.3.0"),
            &json!("2.1"),
            &json!("deployed")
        ),
        "{text}"
    );
    let all = ok(&c, "helm_list", json!({"all_namespaces": true})).await;
    assert!(all.contains("name: web"), "{all}");
    assert_eq!(
        ok(&c, "helm_list", json!({"namespace": "default"})).await,
        "No Helm releases found"
    );

    // Uninstalled: objects and records gone, the kept object stays; `helm list` agrees.
    let text = ok(
        &c,
        "helm_uninstall",
        json!({"name": "web", "namespace": ns}),
    )
    .await;
    assert!(
        text.starts_with("Uninstalled release web (revision 2): deleted ConfigMap/web-config"),
        "{text}"
    );
    assert!(
        text.contains("kept (helm.sh/resource-policy: keep) ConfigMap/web-kept"),
        "{text}"
    );
    assert!(
        emu.get("v1", "ConfigMap", Some(&ns), "web-config")
            .is_none()
    );
    assert!(emu.get("v1", "ConfigMap", Some(&ns), "web-kept").is_some());
    let listed = helm(&kc, &["list", "-n", &ns, "-q"]).await;
    assert_eq!(listed.trim(), "", "helm still lists: {listed}");
    assert_eq!(
        ok(
            &c,
            "helm_uninstall",
            json!({"name": "web", "namespace": ns})
        )
        .await,
        "Release web not found"
    );

    // Installed through the configured helm binary; Helm itself lists it.
    let text = ok(
        &c,
        "helm_install",
        json!({"chart": chart, "name": "shop2", "namespace": ns, "values": {"color": "green"}}),
    )
    .await;
    assert!(
        text.contains("name: shop2") && text.contains("status: deployed"),
        "{text}"
    );
    let cm = emu
        .get("v1", "ConfigMap", Some(&ns), "shop2-config")
        .expect("installed");
    assert_eq!(cm["data"]["color"], "green");
    assert_eq!(helm(&kc, &["list", "-n", &ns, "-q"]).await.trim(), "shop2");
    // References outside the allowed registries are refused before helm runs.
    for bad in [
        "http://charts.example/x.tgz",
        "/etc/charts/x",
        "bitnami/nginx",
    ] {
        let e = err(&c, "helm_install", json!({"chart": bad, "namespace": ns})).await;
        assert!(
            e.starts_with("failed to install helm chart: chart parameter"),
            "{bad}: {e}"
        );
    }
}

#[tokio::test]
async fn helm_install_without_a_binary_says_what_to_configure() {
    let h = super::util::start(&["--toolsets", "helm"]).await;
    let c = connect(&h.server.base_url(), Transport::Streamable, None).await;
    let e = err(&c, "helm_install", json!({"chart": "bitnami/nginx"})).await;
    assert!(e.contains("set helm_binary in the config file"), "{e}");
}
