//! A Tenant's conditions from the steps a reconcile ran: each step belongs to a group
//! ([`group_of`], by name, so a step added to provision or destroy lands in its group
//! without the operator listing it), each group becomes one condition with the summed
//! duration, and `Ready` sums up. A transition time is kept while the status is unchanged.

use super::crd::TenantCondition;
use crate::journal::StepOutcome;

/// The condition types in display order (`Ready` last).
pub const GROUPS: [&str; 8] = [
    "Namespaces",
    "Identity",
    "Gitea",
    "LlmKey",
    "Secrets",
    "Deployed",
    "Guide",
    "Ready",
];

/// The condition a step reports under. Unknown steps get a group of their own, named
/// after them (`foo-bar` → `FooBar`), so nothing a step does is hidden.
pub fn group_of(step: &str) -> String {
    let known = match step {
        "domain" | "namespaces" => Some("Namespaces"),
        s if s.starts_with("identity")
            || s.starts_with("keycloak")
            || s.starts_with("openshift-user")
            || s.starts_with("user-") =>
        {
            Some("Identity")
        }
        s if s.starts_with("gitea") => Some("Gitea"),
        s if s.starts_with("llm") => Some("LlmKey"),
        "state" | "secrets" | "scc" => Some("Secrets"),
        "appproject" | "deploy" | "wait" | "applications" | "direct-objects" => Some("Deployed"),
        s if s.starts_with("showroom") || s.starts_with("guide") || s == "userinfo" => {
            Some("Guide")
        }
        _ => None,
    };
    known.map(str::to_string).unwrap_or_else(|| camel(step))
}

/// `foo-bar` → `FooBar`.
pub fn camel(step: &str) -> String {
    step.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A condition as computed, before its transition time is settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// Type.
    pub type_: String,
    /// `True`, `False`, `Unknown`.
    pub status: &'static str,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// Summed step time, when steps ran.
    pub millis: Option<u64>,
}

impl Computed {
    /// A condition with no duration.
    pub fn new(type_: &str, status: &'static str, reason: &str, message: String) -> Self {
        Computed {
            type_: type_.into(),
            status,
            reason: reason.into(),
            message,
            millis: None,
        }
    }
}

/// The group conditions from one run's steps (`waiting`: the failed step only waits for
/// controllers). Groups without a step in this run are not returned.
pub fn from_steps(steps: &[StepOutcome], waiting: bool) -> Vec<Computed> {
    let mut out: Vec<Computed> = Vec::new();
    for s in steps {
        let group = group_of(s.step);
        let idx = match out.iter().position(|c| c.type_ == group) {
            Some(i) => i,
            None => {
                out.push(Computed::new(&group, "True", "Done", String::new()));
                out.len() - 1
            }
        };
        let c = &mut out[idx];
        c.millis = Some(c.millis.unwrap_or(0) + u64::try_from(s.millis).unwrap_or(u64::MAX));
        let line = match &s.result {
            Ok(detail) => format!("{}: {detail}", s.step),
            Err(e) => {
                c.status = "False";
                c.reason = if waiting { "Waiting" } else { "StepFailed" }.into();
                format!("{}: {e}", s.step)
            }
        };
        if !c.message.is_empty() {
            c.message.push_str("; ");
        }
        c.message.push_str(&truncate(&line, 1024));
    }
    out
}

/// Merges freshly computed conditions into the previous ones: computed ones replace,
/// others stay; the transition time moves only when the status changes.
pub fn merge(prev: &[TenantCondition], computed: Vec<Computed>, now: &str) -> Vec<TenantCondition> {
    let mut out: Vec<TenantCondition> = prev.to_vec();
    for c in computed {
        let previous = out.iter().position(|p| p.type_ == c.type_);
        let time = match previous {
            Some(i) if out[i].status == c.status => out[i].last_transition_time.clone(),
            _ => now.to_string(),
        };
        let cond = TenantCondition {
            type_: c.type_,
            status: c.status.into(),
            reason: c.reason,
            message: c.message,
            last_transition_time: time,
            duration_millis: c.millis,
        };
        match previous {
            Some(i) => out[i] = cond,
            None => out.push(cond),
        }
    }
    out.sort_by_key(|c| {
        GROUPS
            .iter()
            .position(|g| *g == c.type_)
            .unwrap_or(GROUPS.len() - 1)
    });
    out
}

/// Whether two condition lists say the same (times and durations aside).
pub fn same(a: &[TenantCondition], b: &[TenantCondition]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.type_ == y.type_
                && x.status == y.status
                && x.reason == y.reason
                && x.message == y.message
        })
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(step: &'static str, result: Result<&str, &str>) -> StepOutcome {
        StepOutcome {
            action: "provision",
            step,
            millis: 5,
            result: result.map(str::to_string).map_err(str::to_string),
        }
    }

    #[test]
    fn steps_group_by_name_and_new_steps_get_a_group() {
        assert_eq!(group_of("gitea-token"), "Gitea");
        assert_eq!(group_of("keycloak-user"), "Identity");
        assert_eq!(group_of("showroom"), "Guide");
        assert_eq!(group_of("wait"), "Deployed");
        assert_eq!(group_of("brand-new-step"), "BrandNewStep");
    }

    #[test]
    fn a_failed_step_makes_its_group_false_and_durations_add_up() {
        let c = from_steps(
            &[
                step("gitea-user", Ok("created")),
                step("gitea-repo", Err("HTTP 500")),
            ],
            false,
        );
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].status, c[0].reason.as_str()), ("False", "StepFailed"));
        assert_eq!(c[0].millis, Some(10));
        assert!(c[0].message.contains("gitea-repo: HTTP 500"), "{:?}", c[0]);
    }

    #[test]
    fn the_transition_time_stays_while_the_status_does() {
        let first = merge(
            &[],
            from_steps(&[step("llm-key", Ok("generated"))], false),
            "t1",
        );
        let second = merge(
            &first,
            from_steps(&[step("llm-key", Ok("reused"))], false),
            "t2",
        );
        assert_eq!(second[0].last_transition_time, "t1");
        let third = merge(
            &second,
            from_steps(&[step("llm-key", Err("x"))], false),
            "t3",
        );
        assert_eq!(third[0].last_transition_time, "t3");
    }
}
