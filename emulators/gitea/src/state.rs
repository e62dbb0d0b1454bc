//! The in-memory world behind the emulator: users, tokens, repositories with a tiny
//! snapshot-per-commit git model, issues, pulls, labels, milestones and releases.
//! Everything is plain data guarded by one mutex; rendering to Gitea JSON lives in
//! `render`, HTTP in the `routes_*` modules.

use std::collections::BTreeMap;

pub(crate) use super::git_objects::{Change, Commit, Tag};

use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// Gitea's `[api] DEFAULT_PAGING_NUM`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 30;
/// Gitea's `[api] MAX_RESPONSE_ITEMS`.
pub(crate) const MAX_PAGE_SIZE: usize = 50;

/// The whole server state.
#[derive(Debug)]
pub(crate) struct World {
    /// `ROOT_URL` with a trailing slash, e.g. `http://127.0.0.1:3000/`.
    pub(crate) root_url: String,
    next_id: i64,
    pub(crate) users: Vec<User>,
    pub(crate) tokens: Vec<Token>,
    pub(crate) repos: Vec<Repo>,
    /// `clone_addr` → `(owner, repo)` whose content a migration copies.
    pub(crate) migration_sources: std::collections::HashMap<String, (String, String)>,
    /// Organization labels: `(org user id, label)`; usable on the org's repositories.
    pub(crate) org_labels: Vec<(i64, Label)>,
    /// Issue dependencies as `(blocked issue id, blocking issue id)` (global issue ids,
    /// so they may cross repositories).
    pub(crate) dependencies: Vec<(i64, i64)>,
    /// Wiki, time tracking, notifications, packages, Actions and attachments.
    pub(crate) extra: super::state_extra::Extras,
}

/// A user or (with `is_org`) an organization.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) login: String,
    pub(crate) full_name: String,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) is_admin: bool,
    pub(crate) active: bool,
    pub(crate) restricted: bool,
    pub(crate) prohibit_login: bool,
    pub(crate) must_change_password: bool,
    pub(crate) visibility: String,
    pub(crate) description: String,
    pub(crate) website: String,
    pub(crate) location: String,
    pub(crate) login_name: String,
    pub(crate) source_id: i64,
    pub(crate) is_org: bool,
    /// Members of an organization (user ids); the creator is an owner.
    pub(crate) members: Vec<i64>,
    pub(crate) created: Timestamp,
}

/// A personal access token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) id: i64,
    pub(crate) user_id: i64,
    pub(crate) name: String,
    pub(crate) sha1: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) created: Timestamp,
}

/// A repository and everything that hangs off it.
#[derive(Debug, Clone)]
pub(crate) struct Repo {
    pub(crate) id: i64,
    pub(crate) owner_id: i64,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) private: bool,
    pub(crate) mirror: bool,
    pub(crate) default_branch: String,
    pub(crate) created: Timestamp,
    pub(crate) updated: Timestamp,
    pub(crate) commits: BTreeMap<String, Commit>,
    pub(crate) branches: BTreeMap<String, String>,
    pub(crate) tags: BTreeMap<String, Tag>,
    pub(crate) issues: Vec<Issue>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) labels: Vec<Label>,
    pub(crate) milestones: Vec<Milestone>,
    pub(crate) releases: Vec<Release>,
    pub(crate) statuses: Vec<CommitStatus>,
    pub(crate) next_index: i64,
    /// The repository this one was forked from (its id).
    pub(crate) parent: Option<i64>,
}

/// A commit status reported by CI.
#[derive(Debug, Clone)]
pub(crate) struct CommitStatus {
    pub(crate) id: i64,
    pub(crate) sha: String,
    pub(crate) state: String,
    pub(crate) target_url: String,
    pub(crate) description: String,
    pub(crate) context: String,
    pub(crate) creator_id: i64,
    pub(crate) created: Timestamp,
}

/// An issue or, with `pull` set, a pull request (they share the index space).
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub(crate) id: i64,
    pub(crate) index: i64,
    pub(crate) poster_id: i64,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) closed: bool,
    pub(crate) labels: Vec<i64>,
    pub(crate) milestone: Option<i64>,
    pub(crate) assignees: Vec<i64>,
    pub(crate) created: Timestamp,
    pub(crate) updated: Timestamp,
    pub(crate) closed_at: Option<Timestamp>,
    pub(crate) due_date: Option<Timestamp>,
    pub(crate) git_ref: String,
    pub(crate) pull: Option<Pull>,
}

/// The pull-request half of an [`Issue`].
#[derive(Debug, Clone)]
pub(crate) struct Pull {
    pub(crate) id: i64,
    pub(crate) head: String,
    pub(crate) base: String,
    pub(crate) head_sha: String,
    pub(crate) merge_base: String,
    pub(crate) merged: bool,
    pub(crate) merged_at: Option<Timestamp>,
    pub(crate) merged_by: Option<i64>,
    pub(crate) merge_sha: Option<String>,
    pub(crate) reviews: Vec<Review>,
}

/// A pull request review.
#[derive(Debug, Clone)]
pub(crate) struct Review {
    pub(crate) id: i64,
    pub(crate) user_id: i64,
    pub(crate) state: String,
    pub(crate) body: String,
    pub(crate) commit_id: String,
    pub(crate) submitted: Timestamp,
    pub(crate) dismissed: bool,
    /// Code comments the review was created with.
    pub(crate) comments: Vec<ReviewComment>,
}

/// A code comment of a review (a conversation that can be resolved).
#[derive(Debug, Clone)]
pub(crate) struct ReviewComment {
    pub(crate) id: i64,
    pub(crate) user_id: i64,
    pub(crate) path: String,
    pub(crate) body: String,
    /// Line in the new file (0 = none).
    pub(crate) new_line: i64,
    /// Line in the old file (0 = none).
    pub(crate) old_line: i64,
    pub(crate) commit_id: String,
    pub(crate) created: Timestamp,
    /// Who marked the conversation resolved, if anyone.
    pub(crate) resolver: Option<i64>,
}

/// An issue comment.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: i64,
    pub(crate) issue_index: i64,
    pub(crate) poster_id: i64,
    pub(crate) body: String,
    pub(crate) created: Timestamp,
    pub(crate) updated: Timestamp,
}

/// A repository label.
#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) color: String,
    pub(crate) description: String,
    pub(crate) exclusive: bool,
    pub(crate) is_archived: bool,
}

/// A milestone.
#[derive(Debug, Clone)]
pub(crate) struct Milestone {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) closed: bool,
    pub(crate) due_on: Option<Timestamp>,
    pub(crate) created: Timestamp,
    pub(crate) updated: Timestamp,
    pub(crate) closed_at: Option<Timestamp>,
}

/// A release.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub(crate) id: i64,
    pub(crate) tag_name: String,
    pub(crate) target: String,
    pub(crate) name: String,
    pub(crate) body: String,
    pub(crate) draft: bool,
    pub(crate) prerelease: bool,
    pub(crate) author_id: i64,
    pub(crate) created: Timestamp,
}

/// Current time rounded to whole seconds, as Gitea stores it.
pub(crate) fn now() -> Timestamp {
    let ts = Timestamp::now();
    Timestamp::from_second(ts.as_second()).unwrap_or(ts)
}

/// A 40-hex-digit id derived from `parts`, shaped like a git SHA-1.
pub(crate) fn sha_of(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let digest = hex::encode(hasher.finalize());
    digest.get(..40).unwrap_or(&digest).to_string()
}

/// A fresh random 40-hex-digit token value.
pub(crate) fn random_sha() -> String {
    let bytes: [u8; 20] = rand::random();
    hex::encode(bytes)
}

impl World {
    /// An empty world served under `root_url`.
    pub(crate) fn new(root_url: &str) -> Self {
        Self {
            root_url: root_url.to_string(),
            next_id: 0,
            users: Vec::new(),
            tokens: Vec::new(),
            repos: Vec::new(),
            migration_sources: std::collections::HashMap::new(),
            org_labels: Vec::new(),
            dependencies: Vec::new(),
            extra: Default::default(),
        }
    }

    /// A new id; one counter for every table keeps ids unique and increasing.
    pub(crate) fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn user(&self, login: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    pub(crate) fn user_mut(&mut self, login: &str) -> Option<&mut User> {
        self.users
            .iter_mut()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    pub(crate) fn user_by_id(&self, id: i64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub(crate) fn repo_index(&self, owner: &str, name: &str) -> Option<usize> {
        let owner_id = self.user(owner)?.id;
        self.repos
            .iter()
            .position(|r| r.owner_id == owner_id && r.name.eq_ignore_ascii_case(name))
    }

    /// Adds a user with Gitea's defaults; the caller checks for duplicates.
    pub(crate) fn add_user(&mut self, login: &str, email: &str, password: &str) -> &mut User {
        let id = self.next_id();
        self.users.push(User {
            id,
            login: login.to_string(),
            full_name: String::new(),
            email: email.to_string(),
            password: password.to_string(),
            is_admin: false,
            active: true,
            restricted: false,
            prohibit_login: false,
            must_change_password: false,
            visibility: "public".to_string(),
            description: String::new(),
            website: String::new(),
            location: String::new(),
            login_name: login.to_string(),
            source_id: 0,
            is_org: false,
            members: Vec::new(),
            created: now(),
        });
        let last = self.users.len() - 1;
        &mut self.users[last]
    }

    /// Adds an empty repository (no commits, default branch `main`).
    pub(crate) fn add_repo(&mut self, owner_id: i64, name: &str, private: bool) -> usize {
        let id = self.next_id();
        let created = now();
        self.repos.push(Repo {
            id,
            owner_id,
            name: name.to_string(),
            description: String::new(),
            private,
            mirror: false,
            default_branch: "main".to_string(),
            created,
            updated: created,
            commits: BTreeMap::new(),
            branches: BTreeMap::new(),
            tags: BTreeMap::new(),
            issues: Vec::new(),
            comments: Vec::new(),
            labels: Vec::new(),
            milestones: Vec::new(),
            releases: Vec::new(),
            statuses: Vec::new(),
            next_index: 1,
            parent: None,
        });
        self.repos.len() - 1
    }
}

impl World {
    /// The labels usable on `repo`'s issues: its own, then its organization's.
    pub(crate) fn usable_labels<'w>(&'w self, repo: &'w Repo) -> Vec<&'w Label> {
        let org = self
            .org_labels
            .iter()
            .filter(|(org, _)| *org == repo.owner_id)
            .map(|(_, l)| l);
        repo.labels.iter().chain(org).collect()
    }

    /// `(repo index, issue index)` of the issue with global id `id`.
    pub(crate) fn issue_by_id(&self, id: i64) -> Option<(usize, i64)> {
        self.repos
            .iter()
            .enumerate()
            .find_map(|(pos, r)| r.issues.iter().find(|i| i.id == id).map(|i| (pos, i.index)))
    }
}

impl Repo {
    pub(crate) fn issue(&self, index: i64) -> Option<&Issue> {
        self.issues.iter().find(|i| i.index == index)
    }

    pub(crate) fn issue_mut(&mut self, index: i64) -> Option<&mut Issue> {
        self.issues.iter_mut().find(|i| i.index == index)
    }
}
