//! A fixture builder for scenarios: namespaces, pods whose container statuses look like
//! what a kubelet reports (running, CrashLoopBackOff after OOMKilled, ImagePullBackOff,
//! CreateContainerConfigError, Completed, Error), events, and log text per container.
//! Everything goes through the same store as API writes, so watches and resourceVersions
//! see fixtures like any other change.

use serde_json::{Value, json};

use super::object::{format_ts, now};
use super::{KubeEmuError, KubeEmulator};

/// The state a fixture container is in, as `status.containerStatuses[]` reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum ContainerState {
    /// Running and ready.
    Running,
    /// Waiting with a reason (`ImagePullBackOff`, `CreateContainerConfigError`, …).
    Waiting {
        /// `state.waiting.reason`.
        reason: String,
        /// `state.waiting.message`.
        message: String,
    },
    /// Terminated (`Completed` with 0, `Error`, `OOMKilled`).
    Terminated {
        /// `state.terminated.reason`.
        reason: String,
        /// `state.terminated.exitCode`.
        exit_code: i32,
    },
    /// Restarting: waiting in CrashLoopBackOff, last terminated with `last_reason`.
    CrashLoop {
        /// `lastState.terminated.reason` (`OOMKilled`, `Error`).
        last_reason: String,
        /// `lastState.terminated.exitCode`.
        exit_code: i32,
    },
}

impl ContainerState {
    /// CrashLoopBackOff whose last instance was OOMKilled (exit 137).
    pub fn crash_loop_oom() -> Self {
        Self::CrashLoop {
            last_reason: "OOMKilled".into(),
            exit_code: 137,
        }
    }

    /// ImagePullBackOff for `image`.
    pub fn image_pull_backoff(image: &str) -> Self {
        Self::Waiting {
            reason: "ImagePullBackOff".into(),
            message: format!("Back-off pulling image \"{image}\""),
        }
    }

    /// CreateContainerConfigError for a missing secret.
    pub fn missing_secret(secret: &str) -> Self {
        Self::Waiting {
            reason: "CreateContainerConfigError".into(),
            message: format!("secret \"{secret}\" not found"),
        }
    }

    /// Terminated successfully.
    pub fn completed() -> Self {
        Self::Terminated {
            reason: "Completed".into(),
            exit_code: 0,
        }
    }

    /// Terminated with an error exit code.
    pub fn error(exit_code: i32) -> Self {
        Self::Terminated {
            reason: "Error".into(),
            exit_code,
        }
    }
}

/// One container of a fixture pod.
#[derive(Debug, Clone)]
pub struct ContainerFixture {
    name: String,
    image: String,
    state: ContainerState,
    restarts: i64,
    logs: Option<String>,
    previous_logs: Option<String>,
    init: bool,
}

impl ContainerFixture {
    /// A running container.
    pub fn new(name: &str, image: &str) -> Self {
        Self {
            name: name.into(),
            image: image.into(),
            state: ContainerState::Running,
            restarts: 0,
            logs: None,
            previous_logs: None,
            init: false,
        }
    }

    /// Sets the state.
    pub fn state(mut self, state: ContainerState) -> Self {
        if matches!(state, ContainerState::CrashLoop { .. }) && self.restarts == 0 {
            self.restarts = 5;
        }
        self.state = state;
        self
    }

    /// Sets the restart count.
    pub fn restarts(mut self, n: i64) -> Self {
        self.restarts = n;
        self
    }

    /// Log text of the current instance.
    pub fn logs(mut self, text: &str) -> Self {
        self.logs = Some(text.into());
        self
    }

    /// Log text of the previous instance (`kubectl logs --previous`).
    pub fn previous_logs(mut self, text: &str) -> Self {
        self.previous_logs = Some(text.into());
        self
    }

    /// Makes this an init container.
    pub fn init(mut self) -> Self {
        self.init = true;
        self
    }

    fn status(&self, started: &str) -> Value {
        let (state, ready) = match &self.state {
            ContainerState::Running => (json!({"running": {"startedAt": started}}), true),
            ContainerState::Waiting { reason, message } => (
                json!({"waiting": {"reason": reason, "message": message}}),
                false,
            ),
            ContainerState::Terminated { reason, exit_code } => (
                json!({"terminated": {"reason": reason, "exitCode": exit_code, "startedAt": started, "finishedAt": started, "containerID": format!("cri-o://{}", uuid::Uuid::new_v4().simple())}}),
                false,
            ),
            ContainerState::CrashLoop { .. } => (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 5m0s restarting failed container={} pod=…", self.name)}}),
                false,
            ),
        };
        let mut status = json!({"name": self.name, "image": self.image, "imageID": "", "ready": ready, "started": ready, "restartCount": self.restarts, "state": state});
        if let ContainerState::CrashLoop {
            last_reason,
            exit_code,
        } = &self.state
        {
            status["lastState"] = json!({"terminated": {"reason": last_reason, "exitCode": exit_code, "startedAt": started, "finishedAt": started}});
        }
        status
    }
}

/// A pod to seed, with its containers' statuses and logs.
#[derive(Debug, Clone)]
pub struct PodFixture {
    namespace: String,
    name: String,
    labels: serde_json::Map<String, Value>,
    annotations: serde_json::Map<String, Value>,
    owner: Option<Value>,
    phase: Option<String>,
    containers: Vec<ContainerFixture>,
}

impl PodFixture {
    /// A pod with no containers yet.
    pub fn new(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            labels: Default::default(),
            annotations: Default::default(),
            owner: None,
            phase: None,
            containers: vec![],
        }
    }

    /// Adds a container.
    pub fn container(mut self, c: ContainerFixture) -> Self {
        self.containers.push(c);
        self
    }

    /// Adds a label.
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.insert(k.into(), json!(v));
        self
    }

    /// Adds an annotation.
    pub fn annotation(mut self, k: &str, v: &str) -> Self {
        self.annotations.insert(k.into(), json!(v));
        self
    }

    /// Sets an owner reference (`apiVersion`, `kind`, `name`, `uid`).
    pub fn owner(mut self, api_version: &str, kind: &str, name: &str, uid: &str) -> Self {
        self.owner = Some(
            json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}),
        );
        self
    }

    /// Overrides the phase (otherwise derived from the containers).
    pub fn phase(mut self, phase: &str) -> Self {
        self.phase = Some(phase.into());
        self
    }

    fn derived_phase(&self) -> &str {
        let main: Vec<&ContainerFixture> = self.containers.iter().filter(|c| !c.init).collect();
        let terminated =
            |c: &&ContainerFixture| matches!(c.state, ContainerState::Terminated { .. });
        if !main.is_empty() && main.iter().all(terminated) {
            let ok = main
                .iter()
                .all(|c| matches!(&c.state, ContainerState::Terminated { exit_code: 0, .. }));
            return if ok { "Succeeded" } else { "Failed" };
        }
        if main
            .iter()
            .any(|c| matches!(c.state, ContainerState::Waiting { .. }))
            && !main
                .iter()
                .any(|c| matches!(c.state, ContainerState::Running))
        {
            return "Pending";
        }
        "Running"
    }

    /// The Pod object.
    pub fn to_object(&self) -> Value {
        let started = format_ts(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(600));
        let spec_of =
            |c: &ContainerFixture| json!({"name": c.name, "image": c.image, "resources": {}});
        let (init, main): (Vec<&ContainerFixture>, Vec<&ContainerFixture>) =
            self.containers.iter().partition(|c| c.init);
        let all_ready = main
            .iter()
            .all(|c| matches!(c.state, ContainerState::Running));
        let mut meta = json!({"name": self.name, "namespace": self.namespace, "labels": self.labels, "annotations": self.annotations});
        if let Some(owner) = &self.owner {
            meta["ownerReferences"] = json!([owner]);
        }
        let mut spec = json!({"containers": main.iter().map(|c| spec_of(c)).collect::<Vec<_>>(), "restartPolicy": "Always", "nodeName": "worker-0", "serviceAccountName": "default"});
        let mut status = json!({
            "phase": self.phase.clone().unwrap_or_else(|| self.derived_phase().to_string()),
            "conditions": [{"type": "Ready", "status": if all_ready { "True" } else { "False" }, "lastTransitionTime": started},
                           {"type": "PodScheduled", "status": "True", "lastTransitionTime": started}],
            "hostIP": "10.0.0.10", "podIP": "10.128.0.42", "podIPs": [{"ip": "10.128.0.42"}], "startTime": started, "qosClass": "Burstable",
            "containerStatuses": main.iter().map(|c| c.status(&started)).collect::<Vec<_>>(),
        });
        if !init.is_empty() {
            spec["initContainers"] = json!(init.iter().map(|c| spec_of(c)).collect::<Vec<_>>());
            status["initContainerStatuses"] =
                json!(init.iter().map(|c| c.status(&started)).collect::<Vec<_>>());
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
    }
}

impl KubeEmulator {
    /// Creates a namespace (no-op if it exists).
    pub fn add_namespace(&self, name: &str) -> Result<Value, KubeEmuError> {
        self.apply_object(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
        )
    }

    /// Creates (or replaces) a pod fixture and stores its containers' logs.
    pub fn add_pod(&self, pod: &PodFixture) -> Result<Value, KubeEmuError> {
        let stored = self.apply_object(pod.to_object())?;
        for c in &pod.containers {
            if let Some(text) = &c.logs {
                self.set_logs(&pod.namespace, &pod.name, &c.name, text, false);
            }
            if let Some(text) = &c.previous_logs {
                self.set_logs(&pod.namespace, &pod.name, &c.name, text, true);
            }
        }
        Ok(stored)
    }

    /// Records a core/v1 Event about an object (`kind`, `name` in `namespace`).
    pub fn add_event(
        &self,
        namespace: &str,
        involved: (&str, &str),
        event_type: &str,
        reason: &str,
        message: &str,
    ) -> Result<Value, KubeEmuError> {
        let (kind, name) = involved;
        let uid = self
            .list("v1", kind, Some(namespace))
            .into_iter()
            .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
            .and_then(|o| o.pointer("/metadata/uid").cloned())
            .unwrap_or(json!(""));
        let ts = now();
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..16];
        self.apply_object(json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{name}.{suffix}"), "namespace": namespace},
            "involvedObject": {"kind": kind, "name": name, "namespace": namespace, "uid": uid, "apiVersion": "v1"},
            "reason": reason, "message": message, "type": event_type,
            "source": {"component": "kubelet", "host": "worker-0"},
            "firstTimestamp": ts, "lastTimestamp": ts, "count": 1,
            "reportingComponent": "kubelet", "reportingInstance": "worker-0",
        }))
    }
}
