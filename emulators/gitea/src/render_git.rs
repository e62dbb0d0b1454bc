//! Git objects rendered as Gitea JSON: branches, commits, tags, file contents and the
//! commit part of file-change responses.

use base64::Engine;
use serde_json::{Value, json};

use super::state::{Commit, Repo, Tag, World};

fn time(ts: &jiff::Timestamp) -> Value {
    Value::String(ts.to_string())
}

impl World {
    fn commit_user(commit: &Commit) -> Value {
        json!({"name": commit.author_name, "email": commit.author_email, "date": time(&commit.time)})
    }

    fn commit_author(&self, commit: &Commit) -> Value {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(&commit.author_email))
            .map(|u| self.user_json(u, false))
            .unwrap_or(Value::Null)
    }

    /// `Branch`.
    pub(crate) fn branch_json(
        &self,
        repo: &Repo,
        name: &str,
        commit: &Commit,
        can_push: bool,
    ) -> Value {
        let user =
            json!({"name": commit.author_name, "email": commit.author_email, "username": ""});
        json!({
            "name": name,
            "commit": {
                "id": commit.sha,
                "message": commit.message,
                "url": format!("{}/commit/{}", self.repo_html(repo), commit.sha),
                "author": user,
                "committer": user,
                "verification": null,
                "timestamp": time(&commit.time),
                "added": null,
                "removed": null,
                "modified": null,
            },
            "protected": false,
            "required_approvals": 0,
            "enable_status_check": false,
            "status_check_contexts": [],
            "user_can_push": can_push,
            "user_can_merge": can_push,
            "effective_branch_protection_name": "",
        })
    }

    fn commit_meta(&self, repo: &Repo, sha: &str) -> Value {
        json!({"url": format!("{}/git/commits/{sha}", self.repo_api(repo)), "sha": sha, "created": self.commit_created(repo, sha)})
    }

    fn commit_created(&self, repo: &Repo, sha: &str) -> Value {
        repo.commits
            .get(sha)
            .map(|c| time(&c.time))
            .unwrap_or(Value::Null)
    }

    /// `Commit` (with `files` and `stats`, as Gitea returns by default).
    pub(crate) fn commit_json(&self, repo: &Repo, commit: &Commit) -> Value {
        let parent = commit.parents.first().cloned().unwrap_or_default();
        let files: Vec<Value> = repo
            .changed_paths(&parent, &commit.sha)
            .into_iter()
            .map(|(path, status)| json!({"filename": path, "status": status}))
            .collect();
        let (_, additions, deletions) = repo.diff_stats(&parent, &commit.sha);
        let who = Self::commit_user(commit);
        json!({
            "url": format!("{}/git/commits/{}", self.repo_api(repo), commit.sha),
            "sha": commit.sha,
            "created": time(&commit.time),
            "html_url": format!("{}/commit/{}", self.repo_html(repo), commit.sha),
            "commit": {
                "url": format!("{}/git/commits/{}", self.repo_api(repo), commit.sha),
                "author": who,
                "committer": who,
                "message": commit.message,
                "tree": {"url": format!("{}/git/trees/{}", self.repo_api(repo), commit.sha), "sha": commit.sha, "created": time(&commit.time)},
                "verification": {"verified": false, "reason": "gpg.error.not_signed_commit", "signature": "", "signer": null, "payload": ""},
            },
            "author": self.commit_author(commit),
            "committer": self.commit_author(commit),
            "parents": commit.parents.iter().map(|p| self.commit_meta(repo, p)).collect::<Vec<_>>(),
            "files": files,
            "stats": {"total": additions + deletions, "additions": additions, "deletions": deletions},
        })
    }

    /// `FileCommitResponse`.
    pub(crate) fn file_commit_json(&self, repo: &Repo, commit: &Commit) -> Value {
        let who = Self::commit_user(commit);
        json!({
            "url": format!("{}/git/commits/{}", self.repo_api(repo), commit.sha),
            "sha": commit.sha,
            "created": time(&commit.time),
            "html_url": format!("{}/commit/{}", self.repo_html(repo), commit.sha),
            "author": who,
            "committer": who,
            "parents": commit.parents.iter().map(|p| self.commit_meta(repo, p)).collect::<Vec<_>>(),
            "message": commit.message,
            "tree": {"url": format!("{}/git/trees/{}", self.repo_api(repo), commit.sha), "sha": commit.sha, "created": time(&commit.time)},
        })
    }

    pub(crate) fn tag_json(&self, repo: &Repo, tag: &Tag) -> Value {
        let html = self.repo_html(repo);
        json!({
            "name": tag.name,
            "message": tag.message,
            "id": tag.id,
            "commit": self.commit_meta(repo, &tag.commit),
            "zipball_url": format!("{html}/archive/{}.zip", tag.name),
            "tarball_url": format!("{html}/archive/{}.tar.gz", tag.name),
        })
    }

    /// `ContentsResponse` for a file (with content) or a directory entry (without).
    pub(crate) fn contents_json(
        &self,
        repo: &Repo,
        at: &Commit,
        reference: &str,
        path: &str,
        with_content: bool,
    ) -> Value {
        let name = path.rsplit('/').next().unwrap_or(path);
        let file = at.tree.get(path);
        let (kind, size, sha) = match file {
            Some(bytes) => ("file", bytes.len(), super::state::sha_of(&[b"blob", bytes])),
            None => (
                "dir",
                0,
                super::state::sha_of(&[b"tree", path.as_bytes(), at.sha.as_bytes()]),
            ),
        };
        let self_url = format!("{}/contents/{path}?ref={reference}", self.repo_api(repo));
        let git_url = format!(
            "{}/git/{}s/{sha}",
            self.repo_api(repo),
            if kind == "file" { "blob" } else { "tree" }
        );
        let html_url = format!("{}/src/branch/{reference}/{path}", self.repo_html(repo));
        let content = match (file, with_content) {
            (Some(bytes), true) => {
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            }
            _ => Value::Null,
        };
        json!({
            "name": name,
            "path": path,
            "sha": sha,
            "last_commit_sha": at.sha,
            "last_commit_message": at.message,
            "last_author_date": time(&at.time),
            "last_committer_date": time(&at.time),
            "type": kind,
            "size": size,
            "encoding": if content.is_null() { Value::Null } else { json!("base64") },
            "content": content,
            "target": null,
            "url": self_url,
            "html_url": html_url,
            "git_url": git_url,
            "download_url": if kind == "file" { Value::String(format!("{}/raw/branch/{reference}/{path}", self.repo_html(repo))) } else { Value::Null },
            "submodule_git_url": null,
            "_links": {"self": self_url, "git": git_url, "html": html_url},
        })
    }
}
