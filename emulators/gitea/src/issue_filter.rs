//! The issue filters shared by the repository issue list and the global issue search:
//! state, type, labels and milestones (any of, names or ids), keyword, time window and
//! people filters, with Gitea's defaults (state `open`, newest first).

use jiff::Timestamp;

use super::query::Query;
use super::state::{Issue, Repo, World};

/// Filters parsed from the query string.
#[derive(Debug, Default)]
pub(crate) struct IssueFilter {
    state: String,
    pulls: Option<bool>,
    labels: Vec<String>,
    milestones: Vec<String>,
    q: String,
    since: Option<Timestamp>,
    before: Option<Timestamp>,
    created_by: Option<i64>,
    assigned_to: Option<i64>,
    unknown_user: bool,
}

impl IssueFilter {
    /// Reads the filters; `doer` resolves the search's `created`/`assigned` flags.
    pub(crate) fn from_query(w: &World, query: &Query, doer: Option<i64>) -> Self {
        let user_id = |key: &str| query.get(key).map(|login| w.user(login).map(|u| u.id));
        let created_by = user_id("created_by");
        let assigned_by = user_id("assigned_by");
        let unknown_user = matches!(created_by, Some(None)) || matches!(assigned_by, Some(None));
        let mut filter = Self {
            state: query.get("state").unwrap_or("open").to_string(),
            pulls: match query.get("type") {
                Some("pulls") => Some(true),
                Some("issues") => Some(false),
                _ => None,
            },
            labels: query.list("labels"),
            milestones: query.list("milestones"),
            q: query.get("q").unwrap_or_default().to_lowercase(),
            since: query.get("since").and_then(|s| s.parse().ok()),
            before: query.get("before").and_then(|s| s.parse().ok()),
            created_by: created_by.flatten(),
            assigned_to: assigned_by.flatten(),
            unknown_user,
        };
        if query.flag("created") == Some(true) {
            filter.created_by = doer;
        }
        if query.flag("assigned") == Some(true) {
            filter.assigned_to = doer;
        }
        filter
    }

    /// Whether `issue` of `repo` passes every filter.
    pub(crate) fn matches(&self, repo: &Repo, issue: &Issue) -> bool {
        if self.unknown_user {
            return false;
        }
        let state_ok = match self.state.as_str() {
            "all" => true,
            "closed" => issue.closed,
            _ => !issue.closed,
        };
        let label_ok = self.labels.is_empty() || {
            let wanted: Vec<i64> = repo
                .labels
                .iter()
                .filter(|l| {
                    self.labels
                        .iter()
                        .any(|n| n == &l.name || *n == l.id.to_string())
                })
                .map(|l| l.id)
                .collect();
            issue.labels.iter().any(|id| wanted.contains(id))
        };
        let milestone_ok = self.milestones.is_empty()
            || issue.milestone.is_some_and(|mid| {
                repo.milestones.iter().any(|m| {
                    m.id == mid
                        && self
                            .milestones
                            .iter()
                            .any(|n| *n == m.title || *n == m.id.to_string())
                })
            });
        let text_ok = self.q.is_empty()
            || issue.title.to_lowercase().contains(&self.q)
            || issue.body.to_lowercase().contains(&self.q);
        state_ok
            && label_ok
            && milestone_ok
            && text_ok
            && self.pulls.is_none_or(|p| issue.pull.is_some() == p)
            && self.since.is_none_or(|t| issue.updated >= t)
            && self.before.is_none_or(|t| issue.updated <= t)
            && self.created_by.is_none_or(|u| issue.poster_id == u)
            && self
                .assigned_to
                .is_none_or(|u| issue.assignees.contains(&u))
    }
}
