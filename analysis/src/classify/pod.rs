//! Reading a pod: its containers' states, which one failed, and whether the caller's
//! container is real.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A terminated state (current or last) of a container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terminated {
    /// The process exit code.
    pub exit_code: i64,
    /// The kubelet's reason (`Error`, `OOMKilled`, `Completed`, …).
    pub reason: String,
    /// The termination message (Tekton writes a JSON list of results here).
    pub message: String,
    /// RFC 3339 finish time, when known.
    pub finished_at: Option<String>,
}

/// One container of a pod, flattened from `spec` and `status`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContainerView {
    /// Container name (`step-build`, `sidecar-x`, `prepare`).
    pub name: String,
    /// Whether it is an init container.
    pub init: bool,
    /// Position in the spec (steps run in this order).
    pub index: usize,
    /// The image, from status or spec.
    pub image: String,
    /// `resources.limits.memory` from the spec, when set.
    pub memory_limit: Option<String>,
    /// Waiting reason and message.
    pub waiting: Option<(String, String)>,
    /// Whether it is running now.
    pub running: bool,
    /// Current terminated state.
    pub terminated: Option<Terminated>,
    /// Previous terminated state (restarts).
    pub last_terminated: Option<Terminated>,
    /// Restarts so far.
    pub restart_count: i64,
}

/// Waiting reasons that are normal start-up, not failures.
const BENIGN_WAITING: &[&str] = &["", "ContainerCreating", "PodInitializing"];

impl ContainerView {
    /// True when this container failed: terminated non-zero or OOMKilled, or waiting in an
    /// error state; a step Tekton skipped after an earlier failure does not count.
    pub fn failed(&self) -> bool {
        if self.skipped() {
            return false;
        }
        let term = self
            .terminated
            .as_ref()
            .is_some_and(|t| t.exit_code != 0 || t.reason == "OOMKilled");
        let waiting = self
            .waiting
            .as_ref()
            .is_some_and(|(r, _)| !BENIGN_WAITING.contains(&r.as_str()));
        term || waiting
    }

    /// Tekton step containers are `step-<name>`.
    pub fn is_step(&self) -> bool {
        self.name.starts_with("step-")
    }

    /// Tekton marks steps after a failed one as skipped; they are not the cause.
    fn skipped(&self) -> bool {
        self.terminated
            .as_ref()
            .is_some_and(|t| t.message.contains("Skipped"))
    }

    /// Ordering among failed containers: init containers first (they block the rest), real
    /// failures before skipped steps, steps before other containers before sidecars, then
    /// the earliest to finish, then spec order.
    fn rank(&self) -> (u8, u8, u8, String, usize) {
        let kind = if self.is_step() {
            0
        } else if self.name.starts_with("sidecar-") {
            2
        } else {
            1
        };
        let finished = self
            .terminated
            .as_ref()
            .and_then(|t| t.finished_at.clone())
            .unwrap_or_else(|| "~".into());
        (
            u8::from(!self.init),
            u8::from(self.skipped()),
            kind,
            finished,
            self.index,
        )
    }
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn terminated(state: Option<&Value>) -> Option<Terminated> {
    let t = state?.get("terminated")?;
    Some(Terminated {
        exit_code: t.get("exitCode").and_then(Value::as_i64).unwrap_or(0),
        reason: str_at(t, "/reason").to_owned(),
        message: str_at(t, "/message").to_owned(),
        finished_at: t
            .get("finishedAt")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// All containers of a pod (init containers first), from the spec and the statuses. Missing
/// or malformed fields read as empty; never fails.
pub fn containers(pod: &Value) -> Vec<ContainerView> {
    let mut out: Vec<ContainerView> = Vec::new();
    for (init, spec_key, status_key) in [
        (
            true,
            "/spec/initContainers",
            "/status/initContainerStatuses",
        ),
        (false, "/spec/containers", "/status/containerStatuses"),
    ] {
        let specs = pod
            .pointer(spec_key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (index, spec) in specs.iter().enumerate() {
            out.push(ContainerView {
                name: str_at(spec, "/name").to_owned(),
                init,
                index,
                image: str_at(spec, "/image").to_owned(),
                memory_limit: spec
                    .pointer("/resources/limits/memory")
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned)),
                ..Default::default()
            });
        }
        let statuses = pod
            .pointer(status_key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for status in &statuses {
            let name = str_at(status, "/name");
            let pos = out.iter().position(|c| c.init == init && c.name == name);
            let view = match pos.and_then(|p| out.get_mut(p)) {
                Some(v) => v,
                None => {
                    let index = out.iter().filter(|c| c.init == init).count();
                    out.push(ContainerView {
                        name: name.to_owned(),
                        init,
                        index,
                        ..Default::default()
                    });
                    match out.last_mut() {
                        Some(v) => v,
                        None => continue,
                    }
                }
            };
            let state = status.get("state");
            view.waiting = state.and_then(|s| s.get("waiting")).map(|w| {
                (
                    str_at(w, "/reason").to_owned(),
                    str_at(w, "/message").to_owned(),
                )
            });
            view.running = state.is_some_and(|s| s.get("running").is_some());
            view.terminated = terminated(state);
            view.last_terminated = terminated(status.get("lastState"));
            view.restart_count = status
                .get("restartCount")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let image = str_at(status, "/image");
            if !image.is_empty() && view.image.is_empty() {
                view.image = image.to_owned();
            }
        }
    }
    out.retain(|c| !c.name.is_empty());
    out
}

/// The name of the container that failed first (see [`ContainerView::failed`]), if any.
pub fn failed_container(pod: &Value) -> Option<String> {
    let views = containers(pod);
    views
        .iter()
        .filter(|c| c.failed())
        .min_by_key(|c| c.rank())
        .map(|c| c.name.clone())
}

/// Which container to read, and what to tell the caller about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSelection {
    /// The container to read logs from; `None` when the pod has none.
    pub container: Option<String>,
    /// What the caller asked for.
    pub requested: Option<String>,
    /// Whether the caller's container is the one used.
    pub used_requested: bool,
    /// A sentence for the response when the choice differs from the request.
    pub note: Option<String>,
    /// Read the previous instance's log (`pods_log` with `previous: true`): the container is
    /// crash-looping or restarted, so the current instance has not failed yet.
    #[serde(default)]
    pub previous: bool,
}

/// Validates the caller's container against the pod. The caller's container is used when it
/// exists and either failed or nothing failed; otherwise the failed container is used and the
/// note says why. Without a failure, the last step that started is used (where execution
/// stopped).
pub fn select_container(pod: &Value, requested: Option<&str>) -> ContainerSelection {
    let views = containers(pod);
    let mut sel = choose(&views, str_at(pod, "/metadata/name"), requested);
    sel.previous = sel
        .container
        .as_deref()
        .and_then(|name| views.iter().find(|c| c.name == name))
        .is_some_and(|c| {
            let looping = c
                .waiting
                .as_ref()
                .is_some_and(|(r, _)| r == "CrashLoopBackOff");
            looping || (c.restart_count > 0 && c.terminated.is_none())
        });
    sel
}

fn choose(views: &[ContainerView], pod_name: &str, requested: Option<&str>) -> ContainerSelection {
    let failed = views
        .iter()
        .filter(|c| c.failed())
        .min_by_key(|c| c.rank())
        .map(|c| c.name.clone());
    let fallback = failed.clone().or_else(|| {
        let started = |c: &&ContainerView| !c.init && (c.running || c.terminated.is_some());
        let last_step = views
            .iter()
            .filter(started)
            .filter(|c| c.is_step())
            .max_by_key(|c| c.index);
        let any = views
            .iter()
            .filter(|c| !c.init)
            .max_by_key(|c| (started(c), c.index));
        last_step.or(any).map(|c| c.name.clone())
    });
    let mut sel = ContainerSelection {
        container: fallback.clone(),
        requested: requested.map(str::to_owned),
        used_requested: false,
        note: None,
        previous: false,
    };
    let Some(req) = requested.filter(|r| !r.is_empty()) else {
        if let Some(f) = &fallback {
            sel.note = Some(format!("no container given; using `{f}`"));
        }
        return sel;
    };
    match (views.iter().find(|c| c.name == req), &failed) {
        (Some(c), Some(f)) if !c.failed() && &c.name != f => {
            sel.note = Some(format!(
                "container `{req}` did not fail; using the failed container `{f}`"
            ));
        }
        (Some(_), _) => {
            sel.container = Some(req.to_owned());
            sel.used_requested = true;
        }
        (None, _) => {
            let names: Vec<&str> = views.iter().map(|c| c.name.as_str()).collect();
            let using = fallback
                .as_deref()
                .map_or("none".to_owned(), |f| format!("`{f}`"));
            sel.note = Some(format!(
                "container `{req}` does not exist in pod `{pod_name}` (containers: {}); using {using}",
                names.join(", ")
            ));
        }
    }
    sel
}

#[cfg(test)]
mod tests;
