//! An operator lab: the provisioner lab (emulators and controllers), the CRDs served, a
//! credentials Secret and a `TenantProfile` holding the lab's settings, and operators run
//! as tasks (aborting one is a kill: nothing is released).

use std::time::{Duration, Instant};

use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use provisioner::operator::crd::{Tenant, TenantProfile, crd_yaml};
use provisioner::operator::{LeaseOptions, OperatorOptions, Timing};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::tenants::lab::{Expand, Lab, helm};

pub(crate) const PROFILE: &str = "lab";
pub(crate) const CREDS_NS: &str = "tenant-operator";

pub(crate) struct OpLab {
    pub(crate) lab: Lab,
    pub(crate) client: Client,
}

impl OpLab {
    pub(crate) async fn start() -> OpLab {
        Self::start_with(Duration::from_millis(25)).await
    }

    /// With the simulated controllers passing every `interval`.
    pub(crate) async fn start_with(interval: Duration) -> OpLab {
        let lab = Lab::start_with(Expand::Nothing, interval).await;
        lab.kube.apply_yaml(&crd_yaml().unwrap()).unwrap();
        let client = lab.kube.client();
        let settings = serde_json::to_value(lab.settings()).unwrap();
        let creds = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "provisioner-credentials", "namespace": CREDS_NS},
            "stringData": {
                "GITEA_URL": lab.gitea_srv.base_url().trim_end_matches('/'),
                "GITEA_ADMIN_USER": gitea_emulator::ADMIN_USER,
                "GITEA_ADMIN_PASSWORD": gitea_emulator::ADMIN_PASSWORD,
                "LLM_URL": lab.llm_srv.base_url(),
                "LITELLM_MASTER_KEY": "sk-master",
            }
        });
        lab.kube
            .apply_object(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": CREDS_NS}}),
            )
            .unwrap();
        lab.kube.apply_object(creds).unwrap();
        let profile: TenantProfile = serde_json::from_value(json!({
            "apiVersion": "labs.mcp.dev/v1alpha1", "kind": "TenantProfile",
            "metadata": {"name": PROFILE},
            "spec": {"values": settings, "credentialsSecrets": [{"namespace": CREDS_NS, "name": "provisioner-credentials"}]}
        }))
        .unwrap();
        Api::<TenantProfile>::all(client.clone())
            .create(&PostParams::default(), &profile)
            .await
            .unwrap();
        OpLab { lab, client }
    }

    pub(crate) fn options(&self) -> OperatorOptions {
        let mut o = OperatorOptions::new(helm());
        o.timing = Timing {
            poll: Duration::from_millis(100),
            retry: Duration::from_millis(200),
            resync: Duration::from_millis(700),
        };
        o.rates = [0.0, 0.0, 0.0];
        o
    }

    /// An operator task (abort it to kill it).
    pub(crate) fn operator(&self, opts: OperatorOptions) -> JoinHandle<()> {
        self.operator_with(self.client.clone(), opts)
    }

    /// An operator task acting with `client`'s credentials.
    pub(crate) fn operator_with(&self, client: Client, opts: OperatorOptions) -> JoinHandle<()> {
        tokio::spawn(async move {
            provisioner::operator::run(client, opts, std::future::pending())
                .await
                .unwrap();
        })
    }

    /// An operator competing for the Lease `tenant-operator` as `identity`.
    pub(crate) fn replica(&self, identity: &str) -> JoinHandle<()> {
        let mut o = self.options();
        o.lease = Some(LeaseOptions {
            namespace: CREDS_NS.into(),
            name: "tenant-operator".into(),
            identity: identity.into(),
            duration_secs: 3,
            grace_secs: 1,
        });
        self.operator(o)
    }

    pub(crate) fn tenants(&self) -> Api<Tenant> {
        Api::all(self.client.clone())
    }

    /// Creates Tenant `name` (username = name, guid `g<name>`) with `spec` merged in.
    pub(crate) async fn create(&self, name: &str, extra: Value) -> Tenant {
        let mut spec =
            json!({"username": name, "guid": format!("g{name}"), "profileRef": {"name": PROFILE}});
        if let (Some(s), Some(e)) = (spec.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                s.insert(k.clone(), v.clone());
            }
        }
        let t: Tenant = serde_json::from_value(json!({
            "apiVersion": "labs.mcp.dev/v1alpha1", "kind": "Tenant",
            "metadata": {"name": name}, "spec": spec
        }))
        .unwrap();
        self.tenants()
            .create(&PostParams::default(), &t)
            .await
            .unwrap()
    }

    pub(crate) async fn delete(&self, name: &str) {
        self.tenants()
            .delete(name, &DeleteParams::default())
            .await
            .unwrap();
    }

    pub(crate) async fn get(&self, name: &str) -> Option<Tenant> {
        self.tenants().get_opt(name).await.unwrap()
    }

    /// Polls until `check` holds for the Tenant (None: it is gone), or fails naming it.
    pub(crate) async fn wait_for(
        &self,
        name: &str,
        what: &str,
        timeout: Duration,
        check: impl Fn(Option<&Tenant>) -> bool,
    ) -> Option<Tenant> {
        let start = Instant::now();
        loop {
            let t = self.get(name).await;
            if check(t.as_ref()) {
                return t;
            }
            if start.elapsed() > timeout {
                panic!(
                    "{name}: not {what} after {timeout:?}: {:#?}",
                    t.map(|t| t.status)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn wait_phase(&self, name: &str, phase: &str) -> Tenant {
        self.wait_for(name, phase, Duration::from_secs(60), |t| {
            phase_of(t) == Some(phase)
        })
        .await
        .unwrap()
    }

    pub(crate) async fn wait_gone(&self, name: &str) {
        self.wait_for(name, "gone", Duration::from_secs(60), |t| t.is_none())
            .await;
    }
}

pub(crate) fn phase_of(t: Option<&Tenant>) -> Option<&str> {
    t?.status.as_ref()?.phase.as_deref()
}

/// The condition `type_` of a Tenant: (status, reason, message).
pub(crate) fn condition(t: &Tenant, type_: &str) -> Option<(String, String, String)> {
    t.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.clone(), c.reason.clone(), c.message.clone()))
}
