//! A lab for provisioner tests: the Kubernetes emulator (in process) with the cluster
//! provisioner's one-time objects (and the platform's own namespaces and permissive
//! `default` project, as on a real cluster), the Gitea and LiteLLM emulators on loopback
//! ports (the lab's source repository carrying the component charts), and the testbed's
//! controllers rendering Applications from the tenant's repository with the real helm.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use emulator_support::tools::{Tool, require};
use gitea_emulator::{GiteaEmulator, RunningGitea};
use kube_emulator::KubeEmulator;
use llm_emulator::{LlmConfig, LlmEmulator, RunningLlm};
use provisioner::config::{GiteaAccess, LlmAccess, Secret};
use provisioner::gitea::Gitea;
use provisioner::litellm::LiteLlm;
use provisioner::state::TenantState;
use provisioner::{Cluster, Helm, Mode, Provisioner, Report, Settings, Tenant};
use serde_json::Value;
use simulated_controllers::render::{ChartTemplate, gitea_renderer, seed_chart};
use simulated_controllers::{AppRenderer, ControllerOptions, Controllers};

pub(crate) const DOMAIN: &str = "apps.test.example";
pub(crate) const SOURCE_OWNER: &str = "lab-source";
pub(crate) const SOURCE_REPO: &str = "mcp-lab";
use gitea_emulator::{ADMIN_PASSWORD, ADMIN_USER as ADMIN};

/// How far the emulated Argo CD renders Applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expand {
    /// Nothing: Applications its project admits are marked synced unrendered.
    Nothing,
    /// Every Application from the repository it names (the tenant's, in the Gitea
    /// emulator, whose charts came from `charts/` through the lab's source repository),
    /// as Argo CD's repo server would; the upstream LibreChat chart is not rendered.
    Everything,
}

pub(crate) struct Lab {
    pub(crate) kube: KubeEmulator,
    pub(crate) gitea: GiteaEmulator,
    pub(crate) gitea_srv: RunningGitea,
    pub(crate) llm: LlmEmulator,
    pub(crate) llm_srv: RunningLlm,
    _controllers: Controllers,
}

pub(crate) fn charts_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../charts"))
}

pub(crate) fn helm() -> Helm {
    Helm {
        binary: require(Tool::Helm),
        charts_dir: charts_dir(),
    }
}

fn renderer(expand: Expand, gitea: &GiteaEmulator) -> AppRenderer {
    match expand {
        Expand::Nothing => Arc::new(|_app: Value| Box::pin(async { Ok(vec![]) })),
        Expand::Everything => gitea_renderer(gitea.clone(), helm_template()),
    }
}

/// `helm template` with the provisioner's own [`Helm`] on the chart folder the simulated
/// Argo CD copied the repository's chart to.
fn helm_template() -> ChartTemplate {
    let binary = require(Tool::Helm);
    Arc::new(move |chart: PathBuf, values: Value| {
        let name = chart
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let helm = Helm {
            binary: binary.clone(),
            charts_dir: chart.parent().map(PathBuf::from).unwrap_or_default(),
        };
        Box::pin(async move {
            helm.template(&name, &values)
                .await
                .map_err(|e| e.to_string())
        })
    })
}

/// The cluster's own namespaces and OpenShift GitOps' permissive `default` project, as on
/// a real cluster (what a tenant would try to reach).
const PLATFORM: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-config\n---\n\
apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-monitoring\n---\n\
apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n---\n\
apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: default\n  namespace: openshift-gitops\n\
spec:\n  sourceRepos: ['*']\n  destinations: [{server: '*', namespace: '*'}]\n  clusterResourceWhitelist: [{group: '*', kind: '*'}]\n";

impl Lab {
    pub(crate) async fn start(expand: Expand) -> Lab {
        Self::start_with(expand, Duration::from_millis(25)).await
    }

    /// A lab whose controllers pass every `interval`.
    pub(crate) async fn start_with(expand: Expand, interval: Duration) -> Lab {
        let kube = KubeEmulator::new();
        kube.apply_yaml(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-gitops\n---\n\
             apiVersion: config.openshift.io/v1\nkind: Ingress\nmetadata:\n  name: cluster\nspec:\n  domain: {DOMAIN}\n"
        ))
        .unwrap();
        kube.apply_yaml(PLATFORM).unwrap();
        let gitea = GiteaEmulator::new();
        gitea.create_user(SOURCE_OWNER, "source-password-1234", false);
        gitea.create_repo(SOURCE_OWNER, SOURCE_REPO, false);
        gitea.put_file(
            SOURCE_OWNER,
            SOURCE_REPO,
            "main",
            "agent/requirements.txt",
            b"fastapi\n",
        );
        gitea.put_file(
            SOURCE_OWNER,
            SOURCE_REPO,
            "main",
            "agent/Containerfile",
            b"FROM python\nCOPY requirements.txt ./\n",
        );
        for chart in ["agent", "mcp-openshift", "mcp-gitea", "librechat-config"] {
            seed_chart(
                &gitea,
                &charts_dir(),
                chart,
                SOURCE_OWNER,
                SOURCE_REPO,
                "main",
            )
            .unwrap();
        }
        let gitea_srv = gitea.serve(0).await.unwrap();
        let llm = LlmEmulator::new(LlmConfig {
            models: vec!["local".into()],
            ..LlmConfig::default()
        });
        let llm_srv = llm.serve(0).await.unwrap();
        let controllers = Controllers::start(
            &kube,
            ControllerOptions {
                interval,
                renderer: Some(renderer(expand, &gitea)),
            },
        );
        Lab {
            kube,
            gitea,
            gitea_srv,
            llm,
            llm_srv,
            _controllers: controllers,
        }
    }

    pub(crate) fn settings(&self) -> Settings {
        Settings {
            create_namespaces: true,
            repo_source: format!(
                "{}/{SOURCE_OWNER}/{SOURCE_REPO}.git",
                self.gitea_srv.base_url().trim_end_matches('/')
            ),
            models: vec!["local".into()],
            agent_model: "local".into(),
            wait_seconds: 120,
            poll_millis: 25,
            ..Settings::default()
        }
    }

    pub(crate) fn provisioner(&self, mode: Mode) -> Provisioner {
        let gitea = Gitea::new(GiteaAccess {
            url: self.gitea_srv.base_url().trim_end_matches('/').to_string(),
            admin_user: ADMIN.into(),
            admin_password: Some(Secret::new(ADMIN_PASSWORD)),
            admin_token: None,
        })
        .unwrap();
        let llm = LiteLlm::new(LlmAccess {
            url: self.llm_srv.base_url(),
            master_key: Secret::new("sk-master"),
        })
        .unwrap();
        Provisioner {
            cluster: Cluster::new(self.kube.client()),
            gitea: Some(gitea),
            llm: Some(llm),
            keycloak: None,
            helm: helm(),
            settings: self.settings(),
            mode,
            fail_at: None,
        }
    }
}

pub(crate) fn tenant(u: &str) -> Tenant {
    Tenant::new(u, &format!("g{u}")).unwrap()
}

/// Every object in the emulator labelled as this tenant's, as `Kind ns/name`.
pub(crate) fn tenant_objects(kube: &KubeEmulator, username: &str) -> Vec<String> {
    let kinds = [
        ("v1", "Namespace"),
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("v1", "ServiceAccount"),
        ("v1", "Service"),
        ("v1", "ResourceQuota"),
        ("v1", "LimitRange"),
        ("apps/v1", "Deployment"),
        ("batch/v1", "Job"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("route.openshift.io/v1", "Route"),
        ("security.openshift.io/v1", "SecurityContextConstraints"),
        ("tekton.dev/v1", "Pipeline"),
        ("argoproj.io/v1alpha1", "Application"),
        ("argoproj.io/v1alpha1", "AppProject"),
        ("toolhive.stacklok.dev/v1alpha1", "MCPServer"),
        ("toolhive.stacklok.dev/v1alpha1", "MCPToolConfig"),
        ("user.openshift.io/v1", "User"),
        ("user.openshift.io/v1", "Identity"),
    ];
    let mut found = Vec::new();
    for (api_version, kind) in kinds {
        for obj in kube.list(api_version, kind, None) {
            let labelled = obj["metadata"]["labels"]["lab.mcp/tenant"] == username;
            let named = obj["metadata"]["namespace"]
                .as_str()
                .is_some_and(|ns| ns.ends_with(&format!("-{username}")));
            if labelled || named {
                found.push(format!(
                    "{kind} {}/{}",
                    obj["metadata"]["namespace"].as_str().unwrap_or(""),
                    obj["metadata"]["name"].as_str().unwrap_or("")
                ));
            }
        }
    }
    found.sort();
    found
}

/// What the report says of step `name`; a missing step fails the test, naming the report.
pub(crate) fn detail(report: &Report, name: &str) -> String {
    report
        .steps
        .iter()
        .find(|s| s.step == name)
        .map(|s| s.detail.clone())
        .unwrap_or_else(|| panic!("no step {name} in {report:?}"))
}

/// The emulator's copy of the object a rendered `obj` names, if it was applied.
pub(crate) fn applied(lab: &Lab, obj: &Value) -> Option<Value> {
    lab.kube.get(
        obj["apiVersion"].as_str().unwrap(),
        obj["kind"].as_str().unwrap(),
        obj["metadata"]["namespace"].as_str(),
        obj["metadata"]["name"].as_str().unwrap(),
    )
}

/// One key of a Secret, decoded.
pub(crate) fn secret_value(lab: &Lab, ns: &str, name: &str, key: &str) -> String {
    let s = lab
        .kube
        .get("v1", "Secret", Some(ns), name)
        .unwrap_or_else(|| panic!("Secret {ns}/{name} missing"));
    let state =
        TenantState::from_secret(&serde_json::json!({ "data": { "llm_key": s["data"][key] } }));
    state.llm_key
}

/// GET on the Gitea API with a token: status and JSON body.
pub(crate) async fn gitea_get(lab: &Lab, path: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1{path}",
            lab.gitea_srv.base_url().trim_end_matches('/')
        ))
        .header("Authorization", format!("token {token}"))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}
