//! A simulated Gitea operator (platform-contract.md §3): for each `pfe.rhpds.com/v1 Gitea`
//! a fresh Gitea emulator, in process on a loopback port, whose admin is
//! `spec.giteaAdminUser` with the password from the Secret `spec.giteaAdminPasswordSecretName`
//! (key `adminPassword`) in the CR's namespace; the emulator's built-in admin gets a random
//! password. Status: `giteaHostname` (`127.0.0.1:<port>`), `giteaRoute` (its URL),
//! `userSetupComplete`, `repoMigrationComplete` - never a password (the original operator
//! puts them there; that flaw is not copied). A deleted CR stops its instance.

use std::collections::HashMap;

use base64::Engine;
use gitea_emulator::{ADMIN_USER, GiteaEmulator, RunningGitea};
use kube_emulator::KubeEmulator;
use serde_json::{Value, json};

/// The CR's API version and kind.
pub const GITEA_API: &str = "pfe.rhpds.com/v1";
/// The key of the admin password in the CR's Secret.
pub const ADMIN_PASSWORD_KEY: &str = "adminPassword";

/// Running instances by `namespace/name` of their CR (with the CR's uid).
#[derive(Default)]
pub(crate) struct Instances {
    running: HashMap<String, (String, RunningGitea)>,
}

/// One pass: start an instance for each new CR whose Secret is there, report it in
/// status, stop the instances of deleted CRs.
pub(crate) async fn reconcile(
    kube: &KubeEmulator,
    instances: &tokio::sync::Mutex<Instances>,
) -> Result<(), String> {
    let crs = kube.list(GITEA_API, "Gitea", None);
    let mut held = instances.lock().await;
    let live: Vec<String> = crs
        .iter()
        .filter(|cr| !cr["metadata"]["deletionTimestamp"].is_string())
        .map(|cr| format!("{}/{}", ns_of(cr), name_of(cr)))
        .collect();
    held.running.retain(|key, _| live.contains(key));
    for cr in crs {
        if cr["metadata"]["deletionTimestamp"].is_string() {
            continue;
        }
        let key = format!("{}/{}", ns_of(&cr), name_of(&cr));
        let uid = cr["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some((known_uid, _)) = held.running.get(&key)
            && *known_uid == uid
        {
            continue;
        }
        let Some(password) = admin_password(kube, &cr) else {
            continue; // the Secret is not there yet
        };
        let admin = cr["spec"]["giteaAdminUser"]
            .as_str()
            .unwrap_or("gitea-admin");
        let gitea = GiteaEmulator::new();
        gitea.create_user(ADMIN_USER, &uuid::Uuid::new_v4().simple().to_string(), true);
        gitea.create_user(admin, &password, true);
        let running = gitea.serve(0).await.map_err(|e| e.to_string())?;
        let url = running.base_url().trim_end_matches('/').to_string();
        let host = url.trim_start_matches("http://").to_string();
        let mut marked = cr.clone();
        marked["status"] = json!({ "giteaHostname": host, "giteaRoute": url,
            "userSetupComplete": true, "repoMigrationComplete": true });
        kube.apply_object(marked).map_err(|e| e.to_string())?;
        held.running.insert(key, (uid, running));
    }
    Ok(())
}

fn ns_of(cr: &Value) -> &str {
    cr["metadata"]["namespace"].as_str().unwrap_or_default()
}

fn name_of(cr: &Value) -> &str {
    cr["metadata"]["name"].as_str().unwrap_or_default()
}

fn admin_password(kube: &KubeEmulator, cr: &Value) -> Option<String> {
    let secret_name = cr["spec"]["giteaAdminPasswordSecretName"].as_str()?;
    let secret = kube.get("v1", "Secret", Some(ns_of(cr)), secret_name)?;
    let b64 = secret["data"][ADMIN_PASSWORD_KEY].as_str()?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    String::from_utf8(raw).ok().filter(|p| !p.is_empty())
}
