//! The lab scenario of `--seed lab`: what the cluster provisioner installs once per
//! cluster (GitOps and Pipelines namespaces, the Argo CD/Tekton/ToolHive kinds, the
//! cluster Ingress with its apps domain) and one tenant's namespaces with a failed
//! `build-agent` PipelineRun whose build step died on `COPY requirements.txt`, plus pods
//! in the states a lab cluster shows.

use serde_json::{Value, json};

use super::KubeEmulator;
use super::fixtures::{ContainerFixture, ContainerState, PodFixture};

mod others;
use others::other_pods;

/// The run suffix of the seeded PipelineRun (fixed, so tests and docs can name it).
pub const LAB_RUN: &str = "7xk2p";
/// The apps domain of the seeded cluster Ingress.
pub const LAB_APPS_DOMAIN: &str = "apps.lab.testbed.example";

/// What `seed_lab` created, for tests to refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct LabScenario {
    /// The user (`user1`).
    pub user: String,
    /// The namespace with the failed PipelineRun (`agent-<user>`).
    pub namespace: String,
    /// All tenant namespaces of the user.
    pub tenant_namespaces: Vec<String>,
    /// `build-agent-<run>`.
    pub pipeline_run: String,
    /// Its uid.
    pub pipeline_run_uid: String,
    /// The failed TaskRun (`build-agent-<run>-build`).
    pub task_run: String,
    /// The failed pod (`build-agent-<run>-build-pod-retry2`).
    pub pod: String,
    /// The failed step container (`step-build`).
    pub failed_container: String,
    /// The last line of the failed step's log.
    pub failure_line: String,
    /// The cluster apps domain.
    pub apps_domain: String,
    /// Pods in other states: (namespace, name, STATUS column kubectl shows).
    pub other_pods: Vec<(String, String, String)>,
}

/// The log of the failed buildah step.
pub fn build_log(image: &str) -> String {
    [
        "STEP 1/7: FROM registry.access.redhat.com/ubi9/python-311:latest",
        "Trying to pull registry.access.redhat.com/ubi9/python-311:latest...",
        "Getting image source signatures",
        "Copying blob sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1",
        "Copying config sha256:9b6cd1a3b8c64e5f0e3d5b2a7c4e8f1d2a3b4c5d6e7f8091a2b3c4d5e6f70819",
        "Writing manifest to image destination",
        "STEP 2/7: USER 0",
        "--> 6d1c2e3f4a5b",
        "STEP 3/7: WORKDIR /opt/app-root/src",
        "--> 7e2d3f4a5b6c",
        "STEP 4/7: COPY requirements.txt ./",
        &format!("Error: building at STEP \"COPY requirements.txt ./\": checking on sources under \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory (image {image})"),
    ]
    .join("\n")
}

fn cluster_objects() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "openshift-gitops"}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "openshift-pipelines"}}),
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-0", "labels": {
                   "kubernetes.io/hostname": "worker-0", "node-role.kubernetes.io/worker": "", "kubernetes.io/os": "linux"}},
               "spec": {},
               "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                          "addresses": [{"type": "InternalIP", "address": "10.0.0.10"}, {"type": "Hostname", "address": "worker-0"}],
                          "capacity": {"cpu": "16", "memory": "65843012Ki", "pods": "250"},
                          "allocatable": {"cpu": "15500m", "memory": "63645508Ki", "pods": "250"},
                          "nodeInfo": {"machineID": "8f3a2c1e9b7d4e6f8a1b2c3d4e5f6a7b", "systemUUID": "ec2a9f1e-7b3c-4d5e-8f6a-1b2c3d4e5f6a", "bootID": "5d1c9e2f-3a4b-4c5d-9e8f-7a6b5c4d3e2f", "kubeProxyVersion": "", "kubeletVersion": "v1.33.5", "osImage": "Red Hat Enterprise Linux CoreOS 9.6", "containerRuntimeVersion": "cri-o://1.33.5",
                                       "kernelVersion": "5.14.0-570.el9_6.x86_64", "operatingSystem": "linux", "architecture": "amd64"}}}),
        json!({"apiVersion": "config.openshift.io/v1", "kind": "Ingress", "metadata": {"name": "cluster"},
               "spec": {"domain": LAB_APPS_DOMAIN}, "status": {}}),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "default", "namespace": "openshift-gitops"},
               "spec": {"sourceRepos": ["*"], "destinations": [{"namespace": "*", "server": "*"}]}}),
    ]
}

/// Names of the seeded pipeline run.
struct RunNames {
    user: String,
    ns: String,
    run: String,
    task_run: String,
    pod: String,
    image: String,
}

/// When the seeded run started and failed.
const T0: &str = "2026-11-24T06:00:00Z";
const T1: &str = "2026-11-24T06:03:12Z";

fn uid_of(obj: &Value) -> String {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn owner(kind: &str, name: &str, uid: &str) -> Value {
    json!([{"apiVersion": "tekton.dev/v1", "kind": kind, "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}])
}

fn tekton_labels(run: &str, task: &str) -> Value {
    json!({"tekton.dev/pipeline": "build-agent", "tekton.dev/pipelineRun": run, "tekton.dev/pipelineTask": task, "app.kubernetes.io/managed-by": "tekton-pipelines"})
}

impl KubeEmulator {
    /// Seeds the lab scenario for `user` (idempotent: seeding twice replaces objects).
    pub fn seed_lab(&self, user: &str) -> LabScenario {
        for obj in cluster_objects() {
            if let Err(err) = self.apply_object(obj) {
                tracing::warn!(%err, "lab fixture refused");
            }
        }
        let tenant: Vec<String> = ["agent", "mcp-openshift", "mcp-gitea", "librechat", "gitea"]
            .iter()
            .map(|p| format!("{p}-{user}"))
            .collect();
        for ns in &tenant {
            let _ = self.add_namespace(ns);
        }
        let ns = format!("agent-{user}");
        let run = format!("build-agent-{LAB_RUN}");
        let scenario = self.seed_pipeline(user, &ns, &run);
        let other_pods = self.seed_other_pods(user);
        LabScenario {
            other_pods,
            tenant_namespaces: tenant,
            ..scenario
        }
    }

    fn seed_pipeline(&self, user: &str, ns: &str, run: &str) -> LabScenario {
        let task_run = format!("{run}-build");
        let n = RunNames {
            user: user.into(),
            ns: ns.into(),
            run: run.into(),
            pod: format!("{task_run}-pod-retry2"),
            task_run,
            image: format!("image-registry.openshift-image-registry.svc:5000/{ns}/agent:latest"),
        };
        let pr_uid = self.seed_pipeline_run(&n);
        self.seed_fetch(&n, &pr_uid);
        let failure_line = self.seed_build(&n, &pr_uid);
        let RunNames { task_run, pod, .. } = n;
        LabScenario {
            user: user.into(),
            namespace: ns.into(),
            tenant_namespaces: vec![],
            pipeline_run: run.into(),
            pipeline_run_uid: pr_uid,
            task_run,
            pod,
            failed_container: "step-build".into(),
            failure_line,
            apps_domain: LAB_APPS_DOMAIN.into(),
            other_pods: vec![],
        }
    }

    /// The Pipeline and the failed PipelineRun; returns the run's uid.
    fn seed_pipeline_run(&self, n: &RunNames) -> String {
        let RunNames {
            user,
            ns,
            run,
            task_run,
            image,
            ..
        } = n;
        let (t0, t1) = (T0, T1);
        let _ = self.apply_object(json!({"apiVersion": "tekton.dev/v1", "kind": "Pipeline", "metadata": {"name": "build-agent", "namespace": ns},
            "spec": {"params": [{"name": "git-url", "type": "string"}, {"name": "image", "type": "string"}],
                     "tasks": [{"name": "fetch-repository", "taskRef": {"resolver": "cluster", "params": [{"name": "name", "value": "git-clone"}]}},
                               {"name": "build", "runAfter": ["fetch-repository"], "taskRef": {"resolver": "cluster", "params": [{"name": "name", "value": "buildah"}]}}]}}));
        let failed = json!([{"type": "Succeeded", "status": "False", "reason": "Failed", "lastTransitionTime": t1,
            "message": "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0"}]);
        let pr = self.apply_object(json!({"apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
            "metadata": {"name": run, "namespace": ns, "labels": {"tekton.dev/pipeline": "build-agent", "app.kubernetes.io/instance": format!("agent-{user}")}},
            "spec": {"pipelineRef": {"name": "build-agent"}, "params": [{"name": "git-url", "value": format!("http://gitea-http.gitea-{user}.svc:3000/{user}/mcp.git")}, {"name": "image", "value": image}],
                     "taskRunTemplate": {"serviceAccountName": "pipeline"}, "timeouts": {"pipeline": "1h0m0s"}},
            "status": {"conditions": failed, "startTime": t0, "completionTime": t1,
                       "childReferences": [{"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "name": format!("{run}-fetch-repository"), "pipelineTaskName": "fetch-repository"},
                                           {"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "name": task_run, "pipelineTaskName": "build"}]}}))
            .unwrap_or(Value::Null);
        uid_of(&pr)
    }

    /// The fetch TaskRun that succeeded, and its Completed pod.
    fn seed_fetch(&self, n: &RunNames, pr_uid: &str) {
        let RunNames { user, ns, run, .. } = n;
        let t0 = T0;
        // The fetch step succeeded.
        let fetch_tr = format!("{run}-fetch-repository");
        let fetch = self.apply_object(json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun",
            "metadata": {"name": fetch_tr, "namespace": ns, "labels": tekton_labels(run, "fetch-repository"), "ownerReferences": owner("PipelineRun", run, pr_uid)},
            "spec": {"serviceAccountName": "pipeline"},
            "status": {"conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded", "lastTransitionTime": t0, "message": "All Steps have completed executing"}],
                       "podName": format!("{fetch_tr}-pod"), "startTime": t0, "completionTime": t0,
                       "steps": [{"name": "clone", "container": "step-clone", "terminated": {"exitCode": 0, "reason": "Completed"}}]}}))
            .unwrap_or(Value::Null);
        let fetch_uid = fetch
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let _ = self.add_pod(
            &PodFixture::new(ns, &format!("{fetch_tr}-pod"))
                .label("tekton.dev/taskRun", &fetch_tr).label("tekton.dev/pipelineRun", run).label("tekton.dev/pipelineTask", "fetch-repository")
                .owner("tekton.dev/v1", "TaskRun", &fetch_tr, &fetch_uid)
                .container(ContainerFixture::new("step-clone", "gcr.io/tekton-releases/git-init:v0.50").state(ContainerState::completed())
                    .logs(&format!("+ git clone http://gitea-http.gitea-{user}.svc:3000/{user}/mcp.git /workspace/source\nCloning into '/workspace/source'...\n{{\"level\":\"info\",\"msg\":\"Successfully cloned\",\"commit\":\"5e1f0c2\"}}"))),
        );
    }

    /// The failed build TaskRun, its pods (one per attempt) and their events; returns the
    /// last line of the failed step's log.
    fn seed_build(&self, n: &RunNames, pr_uid: &str) -> String {
        let RunNames {
            ns,
            run,
            task_run,
            pod,
            image,
            ..
        } = n;
        let (t0, t1) = (T0, T1);
        let steps = json!([
            {"name": "build", "container": "step-build", "terminated": {"exitCode": 1, "reason": "Error", "startedAt": t0, "finishedAt": t1}},
            {"name": "push", "container": "step-push", "terminated": {"exitCode": 1, "reason": "Error", "message": "Step push was skipped because a previous step failed"}}
        ]);
        let tr = self.apply_object(json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun",
            "metadata": {"name": task_run, "namespace": ns, "labels": tekton_labels(run, "build"), "ownerReferences": owner("PipelineRun", run, pr_uid)},
            "spec": {"serviceAccountName": "pipeline", "retries": 2},
            "status": {"conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed", "lastTransitionTime": t1,
                                       "message": "\"step-build\" exited with code 1: Error"}],
                       "podName": pod, "startTime": t0, "completionTime": t1, "steps": steps,
                       "retriesStatus": [{"podName": format!("{task_run}-pod"), "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed"}]},
                                         {"podName": format!("{task_run}-pod-retry1"), "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed"}]}]}}))
            .unwrap_or(Value::Null);
        let tr_uid = tr
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let failure = build_log(image);
        let failure_line = failure.lines().last().unwrap_or("").to_string();
        // Tekton keeps the pods of earlier attempts: the failed build ran three times.
        for attempt in [
            format!("{task_run}-pod"),
            format!("{task_run}-pod-retry1"),
            pod.clone(),
        ] {
            let _ = self.add_pod(&build_pod(n, &attempt, &tr_uid, &failure));
        }
        let _ = self.add_event(
            ns,
            ("Pod", pod),
            "Normal",
            "Started",
            "Started container step-build",
        );
        let _ = self.add_event(
            ns,
            ("Pod", pod),
            "Warning",
            "Failed",
            "Error: container step-build exited with code 1",
        );
        failure_line
    }

    fn seed_other_pods(&self, user: &str) -> Vec<(String, String, String)> {
        let pods = other_pods(user);
        let mut out = Vec::new();
        for (ns, pod) in pods {
            if let Ok(obj) = self.add_pod(&pod) {
                let name = obj
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                out.push((ns, name, super::table::pod_status(&obj)));
            }
        }
        let events = [
            (
                format!("librechat-{user}"),
                "librechat-5d8c9b7f6-h7j3k",
                "BackOff",
                "Back-off restarting failed container librechat in pod librechat-5d8c9b7f6-h7j3k",
            ),
            (
                format!("librechat-{user}"),
                "librechat-5d8c9b7f6-h7j3k",
                "OOMKilling",
                "Memory cgroup out of memory: Killed process 4242 (node)",
            ),
            (
                format!("mcp-gitea-{user}"),
                "mcp-gitea-7b6d5c4f9-m8n2p",
                "Failed",
                "Failed to pull image \"quay.io/lab/mcp-gitea:latst\": manifest unknown",
            ),
            (
                format!("agent-{user}"),
                "agent-84f6d9c7b5-x9z8w",
                "Failed",
                "Error: secret \"agent-llm-key\" not found",
            ),
        ];
        for (ns, pod, reason, message) in events {
            let _ = self.add_event(&ns, ("Pod", pod), "Warning", reason, message);
        }
        out
    }
}

/// One attempt of the failed build: Tekton's init containers, then `step-build` (exit 1,
/// buildah's log) and `step-push` (skipped).
fn build_pod(n: &RunNames, name: &str, tr_uid: &str, failure: &str) -> PodFixture {
    let RunNames {
        ns, run, task_run, ..
    } = n;
    PodFixture::new(ns, name)
        .label("tekton.dev/taskRun", task_run)
        .label("tekton.dev/pipelineRun", run)
        .label("tekton.dev/pipelineTask", "build")
        .label("tekton.dev/pipeline", "build-agent")
        .label("app.kubernetes.io/managed-by", "tekton-pipelines")
        .owner("tekton.dev/v1", "TaskRun", task_run, tr_uid)
        .container(
            ContainerFixture::new("prepare", "gcr.io/tekton-releases/entrypoint:v0.62")
                .init()
                .state(ContainerState::completed()),
        )
        .container(
            ContainerFixture::new(
                "place-scripts",
                "gcr.io/tekton-releases/workingdirinit:v0.62",
            )
            .init()
            .state(ContainerState::completed()),
        )
        .container(
            ContainerFixture::new("step-build", "registry.redhat.io/rhel9/buildah:latest")
                .state(ContainerState::error(1))
                .logs(failure),
        )
        .container(
            ContainerFixture::new("step-push", "registry.redhat.io/rhel9/buildah:latest")
                .state(ContainerState::error(1))
                .logs("2026/11/24 06:03:12 Skipping step because a previous step failed"),
        )
        .phase("Failed")
}
