//! World objects rendered as Gitea's API JSON (field names and shapes from the swagger
//! definitions), with `url`/`html_url` built from the root URL. Go pointers and nil slices
//! serialize as `null`, so absent milestones, assignees and times are `null` here too.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::state::{Comment, Issue, Release, Repo, Token, User, World};

pub(super) fn time(ts: &Timestamp) -> Value {
    Value::String(ts.to_string())
}

pub(super) fn opt_time(ts: Option<&Timestamp>) -> Value {
    ts.map(time).unwrap_or(Value::Null)
}

/// Gitea's zero time, used for `last_login` of users who never signed in.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

impl World {
    pub(crate) fn api(&self) -> String {
        format!("{}api/v1", self.root_url)
    }

    /// `User`; the email is shown only to admins and the user (`viewer_sees_email`).
    pub(crate) fn user_json(&self, user: &User, viewer_sees_email: bool) -> Value {
        json!({
            "id": user.id,
            "login": user.login,
            "login_name": if viewer_sees_email { user.login_name.as_str() } else { "" },
            "source_id": user.source_id,
            "full_name": user.full_name,
            "email": if viewer_sees_email { user.email.clone() } else { format!("{}@noreply.localhost", user.login) },
            "avatar_url": format!("{}avatars/{}", self.root_url, super::state::sha_of(&[user.login.as_bytes()])),
            "html_url": format!("{}{}", self.root_url, user.login),
            "language": "",
            "is_admin": user.is_admin,
            "last_login": ZERO_TIME,
            "created": time(&user.created),
            "restricted": user.restricted,
            "active": user.active,
            "prohibit_login": user.prohibit_login,
            "location": user.location,
            "website": user.website,
            "description": user.description,
            "visibility": user.visibility,
            "followers_count": 0,
            "following_count": 0,
            "starred_repos_count": 0,
        })
    }

    /// A user by id, or Gitea's ghost user when it no longer exists.
    pub(crate) fn user_ref(&self, id: i64) -> Value {
        match self.user_by_id(id) {
            Some(user) => self.user_json(user, false),
            None => {
                json!({"id": -1, "login": "Ghost", "full_name": "", "email": "", "avatar_url": "", "html_url": "", "is_admin": false})
            }
        }
    }

    pub(crate) fn org_json(&self, org: &User) -> Value {
        json!({
            "id": org.id,
            "name": org.login,
            "username": org.login,
            "full_name": org.full_name,
            "email": org.email,
            "avatar_url": format!("{}avatars/{}", self.root_url, super::state::sha_of(&[org.login.as_bytes()])),
            "description": org.description,
            "website": org.website,
            "location": org.location,
            "visibility": org.visibility,
            "repo_admin_change_team_access": false,
        })
    }

    pub(crate) fn token_json(token: &Token, show_secret: bool) -> Value {
        let last_eight = token
            .sha1
            .get(token.sha1.len().saturating_sub(8)..)
            .unwrap_or_default();
        json!({
            "id": token.id,
            "name": token.name,
            "sha1": if show_secret { token.sha1.as_str() } else { "" },
            "token_last_eight": last_eight,
            "scopes": token.scopes,
            "created_at": time(&token.created),
            "last_used_at": time(&token.created),
        })
    }

    pub(crate) fn owner_login(&self, repo: &Repo) -> String {
        self.user_by_id(repo.owner_id)
            .map(|u| u.login.clone())
            .unwrap_or_default()
    }

    pub(crate) fn repo_html(&self, repo: &Repo) -> String {
        format!("{}{}/{}", self.root_url, self.owner_login(repo), repo.name)
    }

    pub(crate) fn repo_api(&self, repo: &Repo) -> String {
        format!(
            "{}/repos/{}/{}",
            self.api(),
            self.owner_login(repo),
            repo.name
        )
    }

    /// `Repository` with the caller's permissions.
    pub(crate) fn repo_json(&self, repo: &Repo, perms: (bool, bool, bool)) -> Value {
        let owner = self.owner_login(repo);
        let html = self.repo_html(repo);
        let host = self
            .root_url
            .trim_start_matches("http://")
            .trim_start_matches("https://");
        let host = host.split(['/', ':']).next().unwrap_or("localhost");
        let open = |pull: bool| {
            repo.issues
                .iter()
                .filter(|i| !i.closed && i.pull.is_some() == pull)
                .count()
        };
        let out = json!({
            "id": repo.id,
            "owner": self.user_by_id(repo.owner_id).map(|u| self.user_json(u, false)).unwrap_or(Value::Null),
            "name": repo.name,
            "full_name": format!("{owner}/{}", repo.name),
            "description": repo.description,
            "empty": repo.commits.is_empty(),
            "private": repo.private,
            // A fork whose parent was deleted is a plain repository again, as in Gitea.
            "fork": repo.parent.is_some_and(|id| self.repos.iter().any(|r| r.id == id)),
            "template": false,
            "mirror": repo.mirror,
            "size": repo.commits.values().map(|c| c.tree.values().map(Vec::len).sum::<usize>()).max().unwrap_or(0) / 1024,
            "language": "",
            "languages_url": format!("{}/languages", self.repo_api(repo)),
            "html_url": html,
            "url": self.repo_api(repo),
            "link": "",
            "ssh_url": format!("git@{host}:{owner}/{}.git", repo.name),
            "clone_url": format!("{html}.git"),
            "original_url": "",
            "website": "",
            "stars_count": 0,
            "forks_count": self.repos.iter().filter(|r| r.parent == Some(repo.id)).count(),
            "watchers_count": 1,
            "open_issues_count": open(false),
            "open_pr_counter": open(true),
            "release_counter": repo.releases.len(),
            "default_branch": repo.default_branch,
            "archived": false,
            "created_at": time(&repo.created),
            "updated_at": time(&repo.updated),
            "archived_at": "1970-01-01T00:00:00Z",
            "permissions": {"admin": perms.0, "push": perms.1, "pull": perms.2},
        });
        let settings = json!({
            "has_issues": true,
            "internal_tracker": {"enable_time_tracker": true, "allow_only_contributors_to_track_time": true, "enable_issue_dependencies": true},
            "has_wiki": true,
            "has_pull_requests": true,
            "has_projects": true,
            "has_releases": true,
            "has_packages": true,
            "has_actions": true,
            "has_code": true,
            "ignore_whitespace_conflicts": false,
            "allow_merge_commits": true,
            "allow_rebase": true,
            "allow_rebase_explicit": true,
            "allow_squash_merge": true,
            "allow_fast_forward_only_merge": true,
            "allow_rebase_update": true,
            "allow_manual_merge": false,
            "autodetect_manual_merge": false,
            "default_delete_branch_after_merge": false,
            "default_merge_style": "merge",
            "default_allow_maintainer_edit": false,
            "default_target_branch": repo.default_branch,
            "avatar_url": "",
            "internal": false,
            "mirror_interval": "",
            "object_format_name": "sha1",
            "mirror_updated": "0001-01-01T00:00:00Z",
            "topics": [],
            "licenses": [],
            "projects_mode": "all",
            "branch_count": repo.branches.len(),
        });
        let (mut out, extra) = (out, settings);
        if let (Value::Object(map), Value::Object(more)) = (&mut out, extra) {
            map.extend(more);
            // Gitea renders the parent one level deep (the parent's own parent is left out).
            let parent = repo
                .parent
                .and_then(|id| self.repos.iter().find(|r| r.id == id))
                .map(|p| {
                    let mut p = p.clone();
                    p.parent = None;
                    self.repo_json(&p, (false, false, true))
                });
            if let Some(parent) = parent {
                map.insert("parent".into(), parent);
            }
        }
        out
    }

    fn issue_common(&self, repo: &Repo, issue: &Issue, kind: &str) -> Value {
        let usable = self.usable_labels(repo);
        let labels: Vec<Value> = issue
            .labels
            .iter()
            .filter_map(|id| usable.iter().find(|l| l.id == *id))
            .map(|l| self.label_json(repo, l))
            .collect();
        let assignees: Vec<Value> = issue
            .assignees
            .iter()
            .map(|id| self.user_ref(*id))
            .collect();
        let milestone = issue
            .milestone
            .and_then(|id| repo.milestones.iter().find(|m| m.id == id))
            .map(|m| Self::milestone_json(repo, m))
            .unwrap_or(Value::Null);
        let comments = repo
            .comments
            .iter()
            .filter(|c| c.issue_index == issue.index)
            .count();
        json!({
            "id": issue.id,
            "url": format!("{}/{kind}/{}", self.repo_api(repo), issue.index),
            "html_url": format!("{}/{kind}/{}", self.repo_html(repo), issue.index),
            "number": issue.index,
            "user": self.user_ref(issue.poster_id),
            "original_author": "",
            "original_author_id": 0,
            "title": issue.title,
            "body": issue.body,
            "labels": labels,
            "milestone": milestone,
            "assignee": assignees.first().cloned().unwrap_or(Value::Null),
            "assignees": if assignees.is_empty() { Value::Null } else { Value::Array(assignees) },
            "state": if issue.closed { "closed" } else { "open" },
            "is_locked": false,
            "comments": comments,
            "created_at": time(&issue.created),
            "updated_at": time(&issue.updated),
            "closed_at": opt_time(issue.closed_at.as_ref()),
            "due_date": opt_time(issue.due_date.as_ref()),
            "pin_order": 0,
            "content_version": 0,
        })
    }

    /// `Issue` (pull requests listed as issues get `pull_request` set).
    pub(crate) fn issue_json(&self, repo: &Repo, issue: &Issue) -> Value {
        let kind = if issue.pull.is_some() {
            "pulls"
        } else {
            "issues"
        };
        let mut value = self.issue_common(repo, issue, kind);
        if let Value::Object(map) = &mut value {
            map.insert("assets".into(), json!([]));
            map.insert("ref".into(), json!(issue.git_ref));
            map.insert("time_estimate".into(), json!(0));
            map.insert(
                "repository".into(),
                json!({"id": repo.id, "name": repo.name, "owner": self.owner_login(repo), "full_name": format!("{}/{}", self.owner_login(repo), repo.name)}),
            );
            let pr = issue.pull.as_ref().map(|p| {
                json!({"merged": p.merged, "merged_at": opt_time(p.merged_at.as_ref()), "draft": false, "html_url": format!("{}/pulls/{}", self.repo_html(repo), issue.index)})
            });
            map.insert("pull_request".into(), pr.unwrap_or(Value::Null));
        }
        value
    }

    fn branch_info(&self, repo: &Repo, branch: &str, sha: &str) -> Value {
        json!({"label": branch, "ref": branch, "sha": sha, "repo_id": repo.id, "repo": self.repo_json(repo, (false, false, true))})
    }

    /// `PullRequest`.
    pub(crate) fn pull_json(&self, repo: &Repo, issue: &Issue) -> Value {
        let mut value = self.issue_common(repo, issue, "pulls");
        let Some(pull) = issue.pull.as_ref() else {
            return value;
        };
        let base_sha = repo.branches.get(&pull.base).cloned().unwrap_or_default();
        let head_sha = repo
            .branches
            .get(&pull.head)
            .cloned()
            .unwrap_or_else(|| pull.head_sha.clone());
        let (changed, additions, deletions) = repo.diff_stats(&pull.merge_base, &head_sha);
        let html = format!("{}/pulls/{}", self.repo_html(repo), issue.index);
        if let Value::Object(map) = &mut value {
            // PullRequest has no original-author fields.
            map.remove("original_author");
            map.remove("original_author_id");
            map.insert("id".into(), json!(pull.id));
            for (k, v) in [
                ("draft", json!(false)),
                ("mergeable", json!(!pull.merged && !issue.closed)),
                ("merged", json!(pull.merged)),
                ("merged_at", opt_time(pull.merged_at.as_ref())),
                (
                    "merge_commit_sha",
                    pull.merge_sha
                        .clone()
                        .map(Value::String)
                        .unwrap_or(Value::Null),
                ),
                (
                    "merged_by",
                    pull.merged_by
                        .map(|id| self.user_ref(id))
                        .unwrap_or(Value::Null),
                ),
                ("allow_maintainer_edit", json!(false)),
                ("base", self.branch_info(repo, &pull.base, &base_sha)),
                ("head", self.branch_info(repo, &pull.head, &head_sha)),
                ("merge_base", json!(pull.merge_base)),
                ("diff_url", json!(format!("{html}.diff"))),
                ("patch_url", json!(format!("{html}.patch"))),
                ("additions", json!(additions)),
                ("deletions", json!(deletions)),
                ("changed_files", json!(changed)),
                ("review_comments", json!(0)),
                (
                    "requested_reviewers",
                    json!(
                        pull.reviews
                            .iter()
                            .filter(|r| r.state == "REQUEST_REVIEW")
                            .map(|r| self.user_ref(r.user_id))
                            .collect::<Vec<_>>()
                    ),
                ),
                ("requested_reviewers_teams", json!([])),
            ] {
                map.insert(k.into(), v);
            }
        }
        value
    }

    pub(crate) fn comment_json(&self, repo: &Repo, comment: &Comment) -> Value {
        let is_pull = repo
            .issue(comment.issue_index)
            .is_some_and(|i| i.pull.is_some());
        let kind = if is_pull { "pulls" } else { "issues" };
        let issue_html = format!("{}/{kind}/{}", self.repo_html(repo), comment.issue_index);
        json!({
            "id": comment.id,
            "html_url": format!("{issue_html}#issuecomment-{}", comment.id),
            "pull_request_url": if is_pull { issue_html.clone() } else { String::new() },
            "issue_url": if is_pull { String::new() } else { issue_html.clone() },
            "user": self.user_ref(comment.poster_id),
            "original_author": "",
            "original_author_id": 0,
            "body": comment.body,
            "assets": [],
            "created_at": time(&comment.created),
            "updated_at": time(&comment.updated),
        })
    }

    pub(crate) fn release_json(&self, repo: &Repo, rel: &Release) -> Value {
        let html = self.repo_html(repo);
        json!({
            "id": rel.id,
            "tag_name": rel.tag_name,
            "target_commitish": rel.target,
            "name": rel.name,
            "body": rel.body,
            "url": format!("{}/releases/{}", self.repo_api(repo), rel.id),
            "html_url": format!("{html}/releases/tag/{}", rel.tag_name),
            "tarball_url": format!("{html}/archive/{}.tar.gz", rel.tag_name),
            "zipball_url": format!("{html}/archive/{}.zip", rel.tag_name),
            "upload_url": format!("{}/releases/{}/assets", self.repo_api(repo), rel.id),
            "draft": rel.draft,
            "prerelease": rel.prerelease,
            "created_at": time(&rel.created),
            "published_at": time(&rel.created),
            "author": self.user_ref(rel.author_id),
            "assets": [],
        })
    }
}
