//! Seeding helpers and readers for organizations, forks, issue dependencies and review
//! threads, so tests can set up and check those without going through HTTP.

use serde_json::Value;

use super::GiteaEmulator;

impl GiteaEmulator {
    /// Creates organization `org` (public) with `member` as its owner (the member user is
    /// created if missing). No-op if `org` exists.
    pub fn create_org(&self, org: &str, member: &str) {
        self.shared.with(|w| {
            if w.user(org).is_some() {
                return;
            }
            let member_id = match w.user(member) {
                Some(u) => u.id,
                None => w.add_user(member, &format!("{member}@example.com"), "").id,
            };
            let org = w.add_user(org, &format!("{org}@example.com"), "");
            org.is_org = true;
            org.members.push(member_id);
        });
    }

    /// A repository as `GET /repos/{owner}/{repo}` renders it for a reader (with `fork`
    /// and `parent`).
    pub fn repo(&self, owner: &str, name: &str) -> Option<Value> {
        self.shared.with(|w| {
            let r = w.repo_index(owner, name).and_then(|i| w.repos.get(i))?;
            Some(w.repo_json(r, (false, false, true)))
        })
    }

    /// The organization's labels as the API renders them.
    pub fn org_labels(&self, org: &str) -> Vec<Value> {
        self.shared.with(|w| {
            let Some(id) = w.user(org).map(|u| u.id) else {
                return Vec::new();
            };
            w.org_labels
                .iter()
                .filter(|(o, _)| *o == id)
                .map(|(_, l)| w.org_label_json(org, l))
                .collect()
        })
    }

    /// The issues blocking `owner/repo#number`, as `owner/repo#n`.
    pub fn blockers(&self, owner: &str, repo: &str, number: i64) -> Vec<String> {
        self.shared.with(|w| {
            let Some(id) = w
                .repo_index(owner, repo)
                .and_then(|i| w.repos.get(i))
                .and_then(|r| r.issue(number))
                .map(|i| i.id)
            else {
                return Vec::new();
            };
            w.dependencies
                .iter()
                .filter(|(blocked, _)| *blocked == id)
                .filter_map(|(_, blocker)| {
                    let (pos, n) = w.issue_by_id(*blocker)?;
                    let r = w.repos.get(pos)?;
                    let login = w.user_by_id(r.owner_id)?.login.clone();
                    Some(format!("{login}/{}#{n}", r.name))
                })
                .collect()
        })
    }

    /// Who resolved review comment `id` of `owner/repo`: `None` if there is no such
    /// comment, `Some(None)` if its conversation is open.
    pub fn review_comment_resolver(
        &self,
        owner: &str,
        repo: &str,
        id: i64,
    ) -> Option<Option<String>> {
        self.shared.with(|w| {
            let r = w.repo_index(owner, repo).and_then(|i| w.repos.get(i))?;
            let comment = r
                .issues
                .iter()
                .filter_map(|i| i.pull.as_ref())
                .flat_map(|p| p.reviews.iter())
                .flat_map(|rv| rv.comments.iter())
                .find(|c| c.id == id)?;
            Some(
                comment
                    .resolver
                    .and_then(|uid| w.user_by_id(uid))
                    .map(|u| u.login.clone()),
            )
        })
    }
}
