//! Labels (a repository's own or its organization's) and milestones rendered as
//! Gitea's `Label` and `Milestone`.

use serde_json::{Value, json};

use super::render::{opt_time, time};
use super::state::{Label, Milestone, Repo, World};

impl World {
    /// `Label`; an organization label (not one of `repo`'s own) gets its org URL.
    pub(crate) fn label_json(&self, repo: &Repo, label: &Label) -> Value {
        if repo.labels.iter().any(|l| l.id == label.id) {
            let url = format!("{}/labels/{}", self.repo_api(repo), label.id);
            return Self::label_value(label, url);
        }
        let org = self
            .user_by_id(repo.owner_id)
            .map(|u| u.login.as_str())
            .unwrap_or_default();
        self.org_label_json(org, label)
    }

    /// `Label` of organization `org`.
    pub(crate) fn org_label_json(&self, org: &str, label: &Label) -> Value {
        let url = format!("{}/orgs/{org}/labels/{}", self.api(), label.id);
        Self::label_value(label, url)
    }

    fn label_value(label: &Label, url: String) -> Value {
        json!({
            "id": label.id,
            "name": label.name,
            "exclusive": label.exclusive,
            "is_archived": label.is_archived,
            "color": label.color,
            "description": label.description,
            "url": url,
        })
    }

    pub(crate) fn milestone_json(repo: &Repo, ms: &Milestone) -> Value {
        let count = |closed: bool| {
            repo.issues
                .iter()
                .filter(|i| i.milestone == Some(ms.id) && i.closed == closed)
                .count()
        };
        json!({
            "id": ms.id,
            "title": ms.title,
            "description": ms.description,
            "state": if ms.closed { "closed" } else { "open" },
            "open_issues": count(false),
            "closed_issues": count(true),
            "created_at": time(&ms.created),
            "updated_at": time(&ms.updated),
            "closed_at": opt_time(ms.closed_at.as_ref()),
            "due_on": opt_time(ms.due_on.as_ref()),
        })
    }
}
