//! Schema oracle: every built-in object the emulator stores for the lab scenario (and
//! what the API fills in: uid, managedFields, defaults, simulated statuses) validates
//! against the official Kubernetes schemas in strict mode (`kubernetes-validate`).

use std::time::Duration;

use emulator_support::tools::{Tool, require};
use kube_emulator::KubeEmulator;
use serde_json::json;

#[tokio::test]
async fn stored_builtin_objects_match_the_official_schemas() {
    let emu = KubeEmulator::new();
    emu.seed_lab("user1");
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, "stringData": {"k": "v"}});
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
    for obj in [deploy, secret, pod] {
        emu.apply_object(obj).unwrap();
    }
    let dir =
        std::env::temp_dir().join(format!("testbed-schema-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (api_version, kind) in [
        ("v1", "Pod"),
        ("v1", "Event"),
        ("v1", "Namespace"),
        ("v1", "Node"),
        ("v1", "Secret"),
        ("apps/v1", "Deployment"),
    ] {
        let objects = emu.list(api_version, kind, None);
        assert!(!objects.is_empty(), "no {kind} to check");
        for (i, obj) in objects.iter().enumerate() {
            let path = dir.join(format!("{kind}-{i}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(obj).unwrap()).unwrap();
            files.push(path);
        }
    }
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new(require(Tool::KubernetesValidate))
            .args(["-k", "1.33.0", "--strict", "--quiet"])
            .args(&files)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap()
    .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{report}");
    assert!(files.len() > 20);
}
