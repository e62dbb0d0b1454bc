//! Detectors that read the kubelet's and Tekton's own words: waiting reasons, termination
//! reasons, exit codes, pod and TaskRun deadlines, and events.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::pod::{ContainerView, Terminated};
use super::{Category, Confidence, Finding};
use crate::static_regex;

/// What the status detectors look at.
pub(super) struct StatusContext<'a> {
    pub(super) pod: Option<&'a Value>,
    pub(super) task_run: Option<&'a Value>,
    pub(super) target: Option<&'a ContainerView>,
    pub(super) all: &'a [ContainerView],
    pub(super) events: &'a [String],
}

impl StatusContext<'_> {
    /// The target first, then every other container.
    fn ordered(&self) -> impl Iterator<Item = &ContainerView> {
        let target = self.target;
        target.into_iter().chain(
            self.all
                .iter()
                .filter(move |c| Some(c.name.as_str()) != target.map(|t| t.name.as_str())),
        )
    }
}

pub(super) fn finding(
    category: Category,
    headline: String,
    summary: String,
    cause: &str,
    fixes: &[&str],
) -> Finding {
    Finding {
        category,
        headline,
        summary,
        cause: cause.to_owned(),
        fixes: fixes.iter().map(|f| (*f).to_owned()).collect(),
        evidence: Vec::new(),
        confidence: Confidence::High,
    }
}

pub(super) fn term_line(c: &ContainerView, t: &Terminated, which: &str) -> String {
    format!(
        "container {}: {which} terminated, reason {}, exit code {}",
        c.name, t.reason, t.exit_code
    )
}

/// Explicit reasons from the kubelet and Tekton, most specific first.
pub(super) fn kubelet_reasons(ctx: &StatusContext<'_>) -> Option<Finding> {
    for c in ctx.ordered() {
        if let Some((reason, message)) = &c.waiting {
            let f = match reason.as_str() {
                "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
                    Some(image_pull(c, message, ctx.events))
                }
                "CreateContainerConfigError" | "CreateContainerError" => {
                    Some(config_error(c, message))
                }
                "CrashLoopBackOff" => Some(crash_loop(c)),
                _ => None,
            };
            if let Some(mut f) = f {
                f.evidence.insert(
                    0,
                    format!("container {}: waiting, reason {reason}: {message}", c.name),
                );
                f.evidence.extend(
                    ctx.events
                        .iter()
                        .filter(|e| e.starts_with("Warning"))
                        .take(3)
                        .cloned(),
                );
                return Some(f);
            }
        }
    }
    if let Some(f) = deadline(ctx) {
        return Some(f);
    }
    let oom = ctx.ordered().find_map(|c| {
        c.terminated
            .as_ref()
            .filter(|t| t.reason == "OOMKilled")
            .map(|t| (c, t))
    });
    let tekton_oom = matches!(
        tekton_reason(ctx).as_str(),
        "StepOOM" | "InitContainerOOM" | "SidecarOOM"
    );
    if let Some((c, t)) = oom {
        let mut f = oom_killed(c);
        f.evidence.push(term_line(c, t, "state"));
        return Some(f);
    }
    if tekton_oom {
        let name = ctx.target.map_or("a step", |c| c.name.as_str());
        let c = ContainerView {
            name: name.to_owned(),
            ..Default::default()
        };
        let mut f = oom_killed(&c);
        f.evidence
            .push(format!("TaskRun reason {}", tekton_reason(ctx)));
        return Some(f);
    }
    None
}

/// The reason of the TaskRun's `Succeeded` condition (or of a pod built from it).
fn tekton_reason(ctx: &StatusContext<'_>) -> String {
    let from_tr = ctx.task_run.and_then(|tr| {
        tr.pointer("/status/conditions")?
            .as_array()?
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some("Succeeded"))?
            .get("reason")?
            .as_str()
            .map(str::to_owned)
    });
    from_tr
        .or_else(|| {
            ctx.pod
                .and_then(|p| p.pointer("/status/reason"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

static IMAGE: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"(?:image|pulling image) "([^"]+)""#));
static AUTH: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)unauthori[sz]ed|authentication required|denied|forbidden|\b40[13]\b|no basic auth credentials|insufficient_scope",
    )
});
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)not found|manifest unknown|name unknown|does not exist|no such image|\b404\b",
    )
});

fn image_pull(c: &ContainerView, message: &str, events: &[String]) -> Finding {
    let text = std::iter::once(message)
        .chain(events.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n");
    let image = IMAGE
        .captures(&text)
        .and_then(|m| m.get(1))
        .map_or(c.image.clone(), |m| m.as_str().to_owned());
    let image = if image.is_empty() {
        "the image".to_owned()
    } else {
        image
    };
    if AUTH.is_match(&text) {
        finding(
            Category::ImagePullAuth,
            format!("image pull not authorised for {image}"),
            format!(
                "Container `{}` cannot start: the registry refused to let it pull `{image}`.",
                c.name
            ),
            "The pod's service account has no valid pull secret for this registry, or the credentials lack read access to the repository.",
            &[
                "Create a pull secret for the registry and link it to the service account that runs the pod (Tekton: `pipeline`): `oc secrets link pipeline <secret> --for=pull`.",
                "Check that the credentials in the pull secret are current and can read the repository.",
                "For the internal registry, grant `system:image-puller` on the source namespace.",
            ],
        )
    } else if NOT_FOUND.is_match(&text) {
        finding(
            Category::ImagePullNotFound,
            format!("image {image} not found"),
            format!(
                "Container `{}` cannot start: `{image}` does not exist in the registry.",
                c.name
            ),
            "The image name or tag is wrong, or the image was never pushed (for example the build that produces it failed).",
            &[
                "Check the image reference for typos in the registry, repository and tag.",
                "Make sure the image was built and pushed before this run (check the build task).",
                "Pin an existing tag or digest instead of a moving or deleted tag.",
            ],
        )
    } else {
        finding(
            Category::ImagePullRegistry,
            format!("image pull failed for {image}"),
            format!(
                "Container `{}` cannot start: pulling `{image}` failed.",
                c.name
            ),
            "The registry is unreachable or misconfigured from the node (DNS, network policy, proxy, TLS certificate), or the image name is invalid.",
            &[
                "Check that the registry host resolves and is reachable from the cluster nodes.",
                "For a self-signed registry, trust its CA or configure it as insecure in the cluster image config.",
                "Validate the image reference format (`registry/namespace/name:tag`).",
            ],
        )
    }
}

static CONFIG_REF: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r#"(?i)(configmap|secret) "([^"]+)" not found|couldn't find key (\S+) in (ConfigMap|Secret) (\S+)"#,
    )
});

fn config_error(c: &ContainerView, message: &str) -> Finding {
    let caps = CONFIG_REF.captures(message);
    let get = |i: usize| {
        caps.as_ref()
            .and_then(|m| m.get(i))
            .map_or("", |m| m.as_str())
    };
    let (kind, name, key) = if !get(1).is_empty() {
        (get(1), get(2), "")
    } else {
        (get(4), get(5), get(3))
    };
    let what = if key.is_empty() {
        format!("`{name}`")
    } else {
        format!("key `{key}` of `{name}`")
    };
    match kind.to_ascii_lowercase().as_str() {
        "configmap" => finding(
            Category::MissingConfigMap,
            format!("missing ConfigMap {name}"),
            format!(
                "Container `{}` cannot be created: ConfigMap {what} is missing.",
                c.name
            ),
            "The pod references a ConfigMap (or key) that does not exist in its namespace.",
            &[
                "Create the ConfigMap (with the expected key) in the pod's namespace, or fix the name in `env`/`envFrom`/`volumes`.",
                "If the value is optional, mark the reference `optional: true`.",
                "Check that the ConfigMap is created before the pod (ordering in the deployment tooling).",
            ],
        ),
        "secret" => finding(
            Category::MissingSecret,
            format!("missing Secret {name}"),
            format!(
                "Container `{}` cannot be created: Secret {what} is missing.",
                c.name
            ),
            "The pod references a Secret (or key) that does not exist in its namespace.",
            &[
                "Create the Secret (with the expected key) in the pod's namespace, or fix the name in `env`/`envFrom`/`volumes`.",
                "If the value is optional, mark the reference `optional: true`.",
                "Check the tooling that should provision the Secret (sealed secrets, external secrets, provisioner).",
            ],
        ),
        _ => finding(
            Category::ContainerConfig,
            format!("{} cannot be created", c.name),
            format!("Container `{}` cannot be created: {message}", c.name),
            "The container's configuration is invalid for the kubelet.",
            &[
                "Fix the container specification according to the kubelet message.",
                "Check the pod's events for details.",
            ],
        ),
    }
}

fn oom_killed(c: &ContainerView) -> Finding {
    let limit = c
        .memory_limit
        .as_deref()
        .map(|m| format!(" of {m}"))
        .unwrap_or_default();
    finding(
        Category::OomKilled,
        format!("{} was OOMKilled (out of memory)", c.name),
        format!(
            "Container `{}` was killed because it used more than its memory limit{limit}.",
            c.name
        ),
        "The step needs more memory than it is allowed (large build, parallel compilation, big test suite or a leak).",
        &[
            "Raise the memory limit of the step (Tekton: the step's `computeResources` or the Task's `stepTemplate`; pod: `resources.limits.memory`).",
            "Lower the step's memory use: fewer parallel jobs (`-j1`, `--jobs 1`, `--maxWorkers`), smaller test shards.",
            "If memory grows over time, look for a leak or an unbounded cache.",
        ],
    )
}

fn crash_loop(c: &ContainerView) -> Finding {
    let last = c.last_terminated.clone().unwrap_or_default();
    let why = if last.reason.is_empty() {
        "unknown".to_owned()
    } else {
        last.reason.clone()
    };
    let mut f = finding(
        Category::CrashLoopBackOff,
        format!(
            "{} in CrashLoopBackOff (last exit: {why}, code {})",
            c.name, last.exit_code
        ),
        format!(
            "Container `{}` keeps crashing ({} restarts); the last termination reason is {why} with exit code {}.",
            c.name, c.restart_count, last.exit_code
        ),
        "The process exits soon after starting; the kubelet restarts it with growing back-off.",
        &[],
    );
    let mut fixes: Vec<String> = match why.as_str() {
        "OOMKilled" => oom_killed(c).fixes,
        _ => vec!["Read the previous container's log (`pods_log` with `previous: true`) for the error before the exit.".into()],
    };
    fixes.push(
        "Check the command, arguments, environment and mounted configuration of the container."
            .into(),
    );
    fixes.push(
        "Check liveness probes: a probe that fails too early also restarts the container.".into(),
    );
    f.fixes = fixes;
    f.evidence.push(term_line(c, &last, "last"));
    f
}

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)failed to finish within|deadline exceeded|DeadlineExceeded|TaskRunTimeout|PipelineRunTimeout",
    )
});

fn deadline(ctx: &StatusContext<'_>) -> Option<Finding> {
    let reason = tekton_reason(ctx);
    let pod_msg = ctx
        .pod
        .and_then(|p| p.pointer("/status/message"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let step_timeout = ctx.all.iter().find_map(|c| {
        c.terminated
            .as_ref()
            .filter(|t| t.reason == "TaskRunTimeout")
    });
    let event = ctx.events.iter().find(|e| DEADLINE.is_match(e));
    let hit = matches!(
        reason.as_str(),
        "DeadlineExceeded" | "TaskRunTimeout" | "PipelineRunTimeout"
    ) || step_timeout.is_some()
        || event.is_some();
    if !hit {
        return None;
    }
    let detail = [reason.as_str(), pod_msg]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(": ");
    let mut f = finding(
        Category::DeadlineExceeded,
        "run timed out (deadline exceeded)".to_owned(),
        format!("The run was stopped because it exceeded its time limit ({detail})."),
        "A step took longer than the TaskRun/PipelineRun timeout (or the pod's activeDeadlineSeconds): slow network, a hung process, or a timeout set too low.",
        &[
            "Raise the timeout (`spec.timeouts.pipeline`/`tasks` on the PipelineRun, `spec.timeout` on the TaskRun) if the work is legitimately long.",
            "Find the step that hung (waiting on the network, a prompt, a lock) and make it fail fast.",
            "Speed the step up (dependency caches, smaller builds).",
        ],
    );
    f.evidence.extend(Some(detail).filter(|d| !d.is_empty()));
    f.evidence.extend(event.cloned());
    Some(f)
}
