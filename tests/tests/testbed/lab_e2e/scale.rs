//! Scale: 50 tenants ordered at once from the provisioner, then 50 concurrent failure
//! reports (one agent and one pair of MCP servers per tenant, as the charts deploy them),
//! each filing exactly one issue in its own tenant's repository, then all destroyed with
//! nothing left in the emulators.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use provisioner::config::{GiteaAccess, LlmAccess, Secret};
use provisioner::{Cluster, Helm, Mode, Provisioner, Settings, Tenant};
use testbed::controllers::{AppRenderer, ControllerOptions, Controllers};
use testbed::gitea::{ADMIN_PASSWORD, ADMIN_USER, GiteaEmulator};
use testbed::kube::{
    ContainerFixture, ContainerState, KubeEmulator, LabScenario, PodFixture, build_log,
};
use testbed::llm::{LlmConfig, LlmEmulator};
use testbed::tools::{Tool, require, workspace_root};

use super::support::{
    Server, assert_one_lab_issue, bounded, gitea_app, lab_llm, openshift_app, report_failure,
    start_agent,
};

const TENANTS: usize = 50;
const IMAGE: &str = "image-registry.openshift-image-registry.svc:5000/agent/agent:latest";

/// The failed build pod of `user`'s pipeline, as Tekton leaves it.
fn seed_failed_build(kube: &KubeEmulator, user: &str) -> LabScenario {
    let namespace = format!("agent-{user}");
    let pod = "build-agent-run-build-pod".to_string();
    let log = build_log(IMAGE);
    let failure_line = log.lines().last().unwrap_or_default().to_string();
    kube.add_pod(
        &PodFixture::new(&namespace, &pod).container(
            ContainerFixture::new("step-build", "quay.io/buildah/stable")
                .state(ContainerState::error(1))
                .logs(&log),
        ),
    )
    .expect("seed the failed pod");
    LabScenario {
        user: user.to_string(),
        namespace,
        tenant_namespaces: vec![],
        pipeline_run: "build-agent-run".into(),
        pipeline_run_uid: "uid".into(),
        task_run: "build-agent-run-build".into(),
        pod,
        failed_container: "step-build".into(),
        failure_line,
        apps_domain: String::new(),
        other_pods: vec![],
    }
}

/// Every namespaced object of the tenant left in the emulator, plus its cluster-scoped ones.
fn leftovers(kube: &KubeEmulator, user: &str) -> Vec<String> {
    let kinds = [
        ("v1", "Namespace"),
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("v1", "Pod"),
        ("argoproj.io/v1alpha1", "Application"),
        ("argoproj.io/v1alpha1", "AppProject"),
        ("security.openshift.io/v1", "SecurityContextConstraints"),
    ];
    let suffix = format!("-{user}");
    let mut found = Vec::new();
    for (api_version, kind) in kinds {
        for obj in kube.list(api_version, kind, None) {
            let meta = &obj["metadata"];
            let mine = meta["labels"]["lab.mcp/tenant"] == user
                || meta["namespace"]
                    .as_str()
                    .is_some_and(|ns| ns.ends_with(&suffix))
                || meta["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with(&suffix) || n.contains(&format!("-{user}-")));
            if mine {
                found.push(format!(
                    "{kind} {}/{}",
                    meta["namespace"].as_str().unwrap_or(""),
                    meta["name"]
                ));
            }
        }
    }
    found
}

fn helm() -> Helm {
    Helm {
        binary: require(Tool::Helm),
        charts_dir: workspace_root().join("charts"),
    }
}

/// The emulated Argo CD renders a `charts/bootstrap` source with the real helm; the
/// provisioner applies the child Applications itself now, so they are only checked against
/// their project and marked synced (the component charts are not rendered: this test runs
/// the platform in process instead).
fn bootstrap_renderer() -> AppRenderer {
    Arc::new(|app: serde_json::Value| {
        Box::pin(async move {
            if app["spec"]["source"]["path"] != "charts/bootstrap" {
                return Ok(vec![]);
            }
            helm()
                .template("bootstrap", &app["spec"]["source"]["helm"]["valuesObject"])
                .await
                .map_err(|e| e.to_string())
        })
    })
}

fn gitea_token(kube: &KubeEmulator, user: &str) -> String {
    let secret = kube
        .get(
            "v1",
            "Secret",
            Some(&format!("mcp-gitea-{user}")),
            provisioner::desired::GITEA_SECRET,
        )
        .expect("gitea-creds");
    let encoded = secret["data"]["token"].as_str().expect("token key");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64");
    String::from_utf8(bytes).expect("utf-8 token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tenants_provisioned_reported_and_destroyed() {
    bounded(Duration::from_secs(150), async {
        let kube = KubeEmulator::new();
        kube.apply_yaml(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: openshift-gitops\n---\n\
             apiVersion: config.openshift.io/v1\nkind: Ingress\nmetadata:\n  name: cluster\nspec:\n  domain: apps.scale.example\n",
        )
        .expect("cluster objects");
        let gitea = GiteaEmulator::new();
        gitea.create_user("lab-source", "source-password-1234", false);
        gitea.create_repo("lab-source", "mcp-lab", false);
        gitea.put_file("lab-source", "mcp-lab", "main", "agent/requirements.txt", b"fastapi\n");
        let running_gitea = gitea.serve(0).await.expect("gitea");
        let litellm = LlmEmulator::new(LlmConfig::default());
        let running_litellm = litellm.serve(0).await.expect("litellm");
        let _controllers = Controllers::start(&kube, ControllerOptions { interval: Duration::from_millis(50), renderer: Some(bootstrap_renderer()) });
        let gitea_url = running_gitea.base_url().trim_end_matches('/').to_string();
        let p = Provisioner {
            cluster: Cluster::new(kube.client()),
            gitea: Some(
                provisioner::gitea::Gitea::new(GiteaAccess {
                    url: gitea_url.clone(),
                    admin_user: ADMIN_USER.into(),
                    admin_password: Some(Secret::new(ADMIN_PASSWORD)),
                    admin_token: None,
                })
                .expect("gitea access"),
            ),
            llm: Some(
                provisioner::litellm::LiteLlm::new(LlmAccess { url: running_litellm.base_url(), master_key: Secret::new("sk-master") })
                    .expect("litellm access"),
            ),
            keycloak: None,
            helm: helm(),
            settings: Settings {
                create_namespaces: true,
                repo_source: format!("{gitea_url}/lab-source/mcp-lab.git"),
                models: vec!["local".into()],
                agent_model: "local".into(),
                wait_seconds: 60,
                poll_millis: 100,
                ..Settings::default()
            },
            mode: Mode::Bootstrap,
            fail_at: None,
        };
        let tenants: Vec<Tenant> = (0..TENANTS).map(|i| Tenant::new(&format!("s{i:02}"), &format!("gs{i:02}")).expect("tenant")).collect();

        let start = Instant::now();
        let provisioned = futures::future::join_all(tenants.iter().map(|t| p.provision(t))).await;
        for (t, r) in tenants.iter().zip(&provisioned) {
            assert!(r.is_ok(), "{}: {:?}", t.username, r.as_ref().err().map(ToString::to_string));
        }
        eprintln!("{TENANTS} tenants provisioned in {:?}", start.elapsed());

        // Each tenant's platform: its failed build, both MCP servers, its model and agent.
        let platforms = futures::future::join_all(tenants.iter().map(|t| {
            let (kube, running_gitea) = (&kube, &running_gitea);
            async move {
                let user = t.username.clone();
                let scenario = seed_failed_build(kube, &user);
                let openshift = Server::start(openshift_app(kube, &scenario.namespace), 0).await;
                let gitea_mcp = Server::start(gitea_app(running_gitea, &gitea_token(kube, &user)), 0).await;
                let (llm, running_llm) = lab_llm(&scenario, &user).await;
                let (app, agent) = start_agent(
                    &running_llm.base_url(),
                    &llm.config().api_key,
                    &openshift.url("/sse#openshift"),
                    &gitea_mcp.url("/mcp"),
                    &user,
                    "mcp",
                )
                .await;
                (scenario, openshift, gitea_mcp, llm, running_llm, app, agent)
            }
        }))
        .await;
        let start = Instant::now();
        let replies = futures::future::join_all(platforms.iter().map(|p| report_failure(&p.6, &p.0))).await;
        eprintln!("{TENANTS} concurrent reports in {:?}", start.elapsed());
        for ((status, reply), p) in replies.iter().zip(&platforms) {
            assert_eq!(*status, 200, "{}: {reply}", p.0.user);
            assert_one_lab_issue(&gitea, &p.0.user, "mcp", &p.0);
            assert!(reply["issue_url"].as_str().is_some_and(|u| u.contains(&format!("/{}/mcp/issues/", p.0.user))), "{reply}");
        }
        drop(platforms);

        let start = Instant::now();
        let destroyed = futures::future::join_all(tenants.iter().map(|t| p.destroy(t))).await;
        for (t, r) in tenants.iter().zip(&destroyed) {
            assert!(r.is_ok(), "{}: {:?}", t.username, r.as_ref().err().map(ToString::to_string));
        }
        eprintln!("{TENANTS} tenants destroyed in {:?}", start.elapsed());
        let http = reqwest::Client::new();
        for t in &tenants {
            assert_eq!(leftovers(&kube, &t.username), Vec::<String>::new(), "{} left objects", t.username);
            let user = http
                .get(format!("{gitea_url}/api/v1/users/{}", t.username))
                .basic_auth(ADMIN_USER, Some(ADMIN_PASSWORD))
                .send()
                .await
                .expect("gitea user lookup");
            assert_eq!(user.status().as_u16(), 404, "Gitea user {} left", t.username);
        }
        assert!(litellm.keys().is_empty(), "LiteLLM keys left: {:?}", litellm.keys().len());
    })
    .await
}
