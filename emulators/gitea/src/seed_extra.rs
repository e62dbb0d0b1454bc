//! Seeding helpers and readers for the newer API areas (notifications, packages, Actions
//! runs and artifacts, attachments, wiki, time tracking, Actions settings), so tests can
//! set up what Gitea would create by itself (a CI run, a notification) and check effects
//! without going through HTTP.

use serde_json::Value;

use super::GiteaEmulator;
use super::state::{now, random_sha};
use super::state_extra::{ActionsOwner, Artifact, Attachment, Job, Notification, Package, Run};

/// One job of a seeded run: its name, its outcome (`success`, `failure`, `cancelled`,
/// `skipped` finish it; `running` or `queued` leave it open) and its log.
#[derive(Debug, Clone, Copy)]
pub struct SeedJob<'a> {
    /// Job name.
    pub name: &'a str,
    /// Outcome, see above.
    pub outcome: &'a str,
    /// The log text.
    pub log: &'a str,
}

fn job_status(outcome: &str) -> (&'static str, String) {
    match outcome {
        "running" | "in_progress" => ("in_progress", String::new()),
        "queued" | "waiting" => ("queued", String::new()),
        done => ("completed", done.to_string()),
    }
}

impl GiteaEmulator {
    /// A notification thread for `user` about issue `index` of `owner/repo` (unread);
    /// returns its id (0 if the user or repository is unknown).
    pub fn notify(&self, user: &str, owner: &str, repo: &str, index: i64) -> i64 {
        self.shared.with(|w| {
            let (Some(uid), Some(pos)) = (w.user(user).map(|u| u.id), w.repo_index(owner, repo))
            else {
                return 0;
            };
            let repo_id = w.repos[pos].id;
            let id = w.next_id();
            w.extra.notifications.push(Notification {
                id,
                user_id: uid,
                repo_id,
                issue_index: index,
                unread: true,
                pinned: false,
                updated: now(),
            });
            id
        })
    }

    /// Whether notification `id` is unread (`None`: no such thread).
    pub fn notification_unread(&self, id: i64) -> Option<bool> {
        self.shared.with(|w| {
            w.extra
                .notifications
                .iter()
                .find(|n| n.id == id)
                .map(|n| n.unread)
        })
    }

    /// Publishes version `version` of package `kind/name` owned by `owner` (created by the
    /// owner).
    pub fn add_package(&self, owner: &str, kind: &str, name: &str, version: &str) {
        self.shared.with(|w| {
            let Some(uid) = w.user(owner).map(|u| u.id) else {
                return;
            };
            let id = w.next_id();
            w.extra.packages.push(Package {
                id,
                owner_id: uid,
                kind: kind.to_string(),
                name: name.to_string(),
                version: version.to_string(),
                creator_id: uid,
                created: now(),
            });
        });
    }

    /// `type/name@version` of every package of `owner`.
    pub fn packages(&self, owner: &str) -> Vec<String> {
        self.shared.with(|w| {
            let uid = w.user(owner).map(|u| u.id);
            w.extra
                .packages
                .iter()
                .filter(|p| Some(p.owner_id) == uid)
                .map(|p| format!("{}/{}@{}", p.kind, p.name, p.version))
                .collect()
        })
    }

    /// A `push` run of workflow file `workflow` on `branch` of `owner/repo` with `jobs`,
    /// triggered by the owner; returns `(run id, job ids)` (empty when the repository or
    /// branch is unknown).
    pub fn add_action_run(
        &self,
        (owner, repo): (&str, &str),
        workflow: &str,
        branch: &str,
        jobs: &[SeedJob<'_>],
    ) -> (i64, Vec<i64>) {
        self.shared.with(|w| {
            let Some(pos) = w.repo_index(owner, repo) else {
                return (0, Vec::new());
            };
            let r = &w.repos[pos];
            let Some(sha) = r.resolve(branch).map(|c| c.sha.clone()) else {
                return (0, Vec::new());
            };
            let (repo_id, actor) = (r.id, r.owner_id);
            let number = super::routes_actions_runs::next_run_number(w, repo_id);
            let mut seeded = Vec::new();
            for j in jobs {
                let (status, conclusion) = job_status(j.outcome);
                seeded.push(Job {
                    id: w.next_id(),
                    name: j.name.to_string(),
                    status: status.to_string(),
                    conclusion,
                    log: j.log.to_string(),
                });
            }
            let open = seeded.iter().any(|j| j.status != "completed");
            let failed = seeded.iter().any(|j| j.conclusion == "failure");
            let (status, conclusion) = match (open, failed) {
                (true, _) if seeded.iter().any(|j| j.status == "in_progress") => {
                    ("in_progress", "")
                }
                (true, _) => ("queued", ""),
                (false, true) => ("completed", "failure"),
                (false, false) => ("completed", "success"),
            };
            let ids = seeded.iter().map(|j| j.id).collect();
            let id = w.next_id();
            w.extra.runs.push(Run {
                id,
                repo_id,
                workflow_id: workflow.to_string(),
                run_number: number,
                attempt: 1,
                title: format!("{workflow} on {branch}"),
                event: "push".into(),
                status: status.into(),
                conclusion: conclusion.into(),
                head_branch: branch.to_string(),
                head_sha: sha,
                actor_id: actor,
                created: now(),
                completed: (!open).then(now),
                inputs: serde_json::Map::new(),
                jobs: seeded,
            });
            (id, ids)
        })
    }

    /// An artifact `name` of `size` bytes uploaded by run `run_id`; returns its id.
    pub fn add_artifact(&self, run_id: i64, name: &str, size: i64) -> i64 {
        self.shared.with(|w| {
            let Some(repo_id) = w
                .extra
                .runs
                .iter()
                .find(|r| r.id == run_id)
                .map(|r| r.repo_id)
            else {
                return 0;
            };
            let id = w.next_id();
            w.extra.artifacts.push(Artifact {
                id,
                repo_id,
                run_id,
                name: name.to_string(),
                size,
                created: now(),
            });
            id
        })
    }

    /// Runs of `owner/repo` as the API renders them, newest first.
    pub fn action_runs(&self, owner: &str, repo: &str) -> Vec<Value> {
        self.shared.with(|w| {
            let Some(r) = w.repo_index(owner, repo).and_then(|i| w.repos.get(i)) else {
                return Vec::new();
            };
            w.extra
                .runs
                .iter()
                .rev()
                .filter(|run| run.repo_id == r.id)
                .map(|run| {
                    let mut v = serde_json::json!({"id": run.id, "status": run.status, "attempt": run.attempt, "event": run.event, "head_branch": run.head_branch});
                    v["inputs"] = Value::Object(run.inputs.clone());
                    v
                })
                .collect()
        })
    }

    /// Attaches `content` as `name` to issue `index` of `owner/repo`, or to its comment
    /// `comment_id`; returns `(attachment id, uuid)`.
    pub fn attach(
        &self,
        (owner, repo, index): (&str, &str, i64),
        comment_id: Option<i64>,
        name: &str,
        content: &[u8],
    ) -> (i64, String) {
        self.shared.with(|w| {
            let Some(repo_id) = w.repo_index(owner, repo).map(|i| w.repos[i].id) else {
                return (0, String::new());
            };
            let id = w.next_id();
            let uuid = random_sha()[..32].to_string();
            w.extra.attachments.push(Attachment {
                id,
                uuid: uuid.clone(),
                repo_id,
                issue_index: index,
                comment_id,
                name: name.to_string(),
                content: content.to_vec(),
                created: now(),
            });
            (id, uuid)
        })
    }

    /// The content of wiki page `title` of `owner/repo`.
    pub fn wiki_page(&self, owner: &str, repo: &str, title: &str) -> Option<Vec<u8>> {
        self.shared.with(|w| {
            let repo_id = w.repo_index(owner, repo).map(|i| w.repos[i].id)?;
            w.extra
                .wiki
                .iter()
                .find(|p| p.repo_id == repo_id && p.title == title)
                .map(|p| p.content.clone())
        })
    }

    /// Seconds tracked on issue `index` of `owner/repo`, one entry per record.
    pub fn tracked_times(&self, owner: &str, repo: &str, index: i64) -> Vec<i64> {
        self.shared.with(|w| {
            let Some(repo_id) = w.repo_index(owner, repo).map(|i| w.repos[i].id) else {
                return Vec::new();
            };
            w.extra
                .times
                .iter()
                .filter(|t| t.repo_id == repo_id && t.issue_index == index)
                .map(|t| t.seconds)
                .collect()
        })
    }

    /// Number of running stopwatches of `user`.
    pub fn stopwatches(&self, user: &str) -> usize {
        self.shared.with(|w| {
            let uid = w.user(user).map(|u| u.id);
            w.extra
                .stopwatches
                .iter()
                .filter(|s| Some(s.user_id) == uid)
                .count()
        })
    }

    /// `(name, value)` of the Actions variables and the names of the secrets of
    /// `owner/repo`, or of organization `owner` when `repo` is `None`.
    pub fn action_settings(
        &self,
        owner: &str,
        repo: Option<&str>,
    ) -> (Vec<(String, String)>, Vec<String>) {
        self.shared.with(|w| {
            let scope = match repo {
                Some(r) => w
                    .repo_index(owner, r)
                    .map(|i| ActionsOwner::Repo(w.repos[i].id)),
                None => w.user(owner).map(|u| ActionsOwner::Org(u.id)),
            };
            let Some(scope) = scope else {
                return (Vec::new(), Vec::new());
            };
            let vars = w
                .extra
                .variables
                .iter()
                .filter(|v| v.owner == scope)
                .map(|v| (v.name.clone(), v.data.clone()))
                .collect();
            let secrets = w
                .extra
                .secrets
                .iter()
                .filter(|s| s.owner == scope)
                .map(|s| s.name.clone())
                .collect();
            (vars, secrets)
        })
    }
}
