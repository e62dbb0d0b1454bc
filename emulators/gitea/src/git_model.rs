//! The git operations the API needs on a repository's snapshot history (resolve a ref,
//! walk history, commit a change, diff two commits); the objects themselves are in
//! `git_objects`.

use std::collections::BTreeMap;

use super::git_objects::{Change, Commit};
use super::state::{Repo, now, sha_of};

impl Repo {
    /// The commit a branch name, tag name or (prefix of a) sha points at.
    pub(crate) fn resolve(&self, reference: &str) -> Option<&Commit> {
        if let Some(sha) = self.branches.get(reference) {
            return self.commits.get(sha);
        }
        if let Some(tag) = self.tags.get(reference) {
            return self.commits.get(&tag.commit);
        }
        if reference.len() >= 7 {
            return self.commits.values().find(|c| c.sha.starts_with(reference));
        }
        None
    }

    /// The commit a `ref` query parameter selects (default branch when empty).
    pub(crate) fn resolve_or_default(&self, reference: Option<&str>) -> Option<&Commit> {
        match reference.filter(|r| !r.is_empty()) {
            Some(r) => self.resolve(r),
            None => self.resolve(&self.default_branch),
        }
    }

    /// Commits reachable from `sha`, newest first (first-parent order is enough here).
    pub(crate) fn history(&self, sha: &str) -> Vec<&Commit> {
        let mut out = Vec::new();
        let mut next = Some(sha.to_string());
        while let Some(current) = next.take() {
            let Some(commit) = self.commits.get(&current) else {
                break;
            };
            if out.iter().any(|c: &&Commit| c.sha == commit.sha) {
                break;
            }
            out.push(commit);
            next = commit.parents.first().cloned();
        }
        out
    }

    /// Records a commit on `change.branch` and returns its sha.
    pub(crate) fn commit(&mut self, change: Change<'_>) -> String {
        let parent = self
            .branches
            .get(change.branch)
            .or_else(|| change.from.and_then(|f| self.branches.get(f)))
            .cloned();
        let mut tree = parent
            .as_ref()
            .and_then(|p| self.commits.get(p))
            .map(|c| c.tree.clone())
            .unwrap_or_default();
        for (path, content) in change.files {
            match content {
                Some(bytes) => {
                    tree.insert(path, bytes);
                }
                None => {
                    tree.remove(&path);
                }
            }
        }
        let time = now();
        let stamp = time.to_string();
        let parent_sha = parent.clone().unwrap_or_default();
        let sha = sha_of(&[
            parent_sha.as_bytes(),
            change.message.as_bytes(),
            stamp.as_bytes(),
            &(self.commits.len() as u64).to_le_bytes(),
        ]);
        self.commits.insert(
            sha.clone(),
            Commit {
                sha: sha.clone(),
                parents: parent.into_iter().collect(),
                message: change.message.to_string(),
                author_name: change.author.0.to_string(),
                author_email: change.author.1.to_string(),
                time,
                tree,
            },
        );
        self.branches.insert(change.branch.to_string(), sha.clone());
        self.updated = time;
        sha
    }
}

impl Repo {
    fn tree_of(&self, sha: &str) -> BTreeMap<String, Vec<u8>> {
        self.commits
            .get(sha)
            .map(|c| c.tree.clone())
            .unwrap_or_default()
    }

    /// Paths that differ between two commits, with Gitea's status words.
    pub(crate) fn changed_paths(&self, from: &str, to: &str) -> Vec<(String, &'static str)> {
        let (old, new) = (self.tree_of(from), self.tree_of(to));
        let mut out = Vec::new();
        for (path, bytes) in &new {
            match old.get(path) {
                None => out.push((path.clone(), "added")),
                Some(before) if before != bytes => out.push((path.clone(), "modified")),
                Some(_) => {}
            }
        }
        for path in old.keys().filter(|p| !new.contains_key(*p)) {
            out.push((path.clone(), "removed"));
        }
        out.sort();
        out
    }

    /// `(changed files, added lines, deleted lines)` between two commits, counting lines as
    /// multisets (good enough for an emulator's statistics).
    pub(crate) fn diff_stats(&self, from: &str, to: &str) -> (usize, usize, usize) {
        let (old, new) = (self.tree_of(from), self.tree_of(to));
        let changed = self.changed_paths(from, to);
        let (mut added, mut deleted) = (0, 0);
        for (path, _) in &changed {
            let lines = |t: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
                t.get(path)
                    .map(|b| {
                        String::from_utf8_lossy(b)
                            .lines()
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (mut before, after) = (lines(&old), lines(&new));
            for line in after {
                match before.iter().position(|l| *l == line) {
                    Some(pos) => {
                        before.remove(pos);
                    }
                    None => added += 1,
                }
            }
            deleted += before.len();
        }
        (changed.len(), added, deleted)
    }
}
