//! State of the API areas added for the Gitea MCP server's newer tool groups: wiki pages,
//! tracked times and stopwatches, notification threads, packages, Actions (secrets,
//! variables, runs with jobs and logs, artifacts) and issue attachments. Kept apart from
//! `state` so the core world stays small; every record names the repository or owner it
//! belongs to by id. Rendering and HTTP live in the `routes_*` module of each area.

use jiff::Timestamp;

/// Everything of the newer areas, one list per kind.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub(crate) wiki: Vec<WikiPage>,
    pub(crate) times: Vec<TrackedTime>,
    pub(crate) stopwatches: Vec<Stopwatch>,
    pub(crate) notifications: Vec<Notification>,
    pub(crate) packages: Vec<Package>,
    pub(crate) secrets: Vec<Secret>,
    pub(crate) variables: Vec<Variable>,
    pub(crate) runs: Vec<Run>,
    pub(crate) artifacts: Vec<Artifact>,
    pub(crate) attachments: Vec<Attachment>,
}

/// One wiki page of a repository with its history (newest revision last).
#[derive(Debug, Clone)]
pub(crate) struct WikiPage {
    pub(crate) repo_id: i64,
    pub(crate) title: String,
    pub(crate) content: Vec<u8>,
    pub(crate) revisions: Vec<WikiRevision>,
}

/// One commit of a wiki page.
#[derive(Debug, Clone)]
pub(crate) struct WikiRevision {
    pub(crate) sha: String,
    pub(crate) message: String,
    pub(crate) author_id: i64,
    pub(crate) at: Timestamp,
}

/// Time a user spent on an issue.
#[derive(Debug, Clone)]
pub(crate) struct TrackedTime {
    pub(crate) id: i64,
    pub(crate) repo_id: i64,
    pub(crate) issue_index: i64,
    pub(crate) user_id: i64,
    pub(crate) seconds: i64,
    pub(crate) created: Timestamp,
}

/// A running stopwatch of a user on an issue.
#[derive(Debug, Clone)]
pub(crate) struct Stopwatch {
    pub(crate) user_id: i64,
    pub(crate) repo_id: i64,
    pub(crate) issue_index: i64,
    pub(crate) started: Timestamp,
}

/// A notification thread of a user about an issue or pull request.
#[derive(Debug, Clone)]
pub(crate) struct Notification {
    pub(crate) id: i64,
    pub(crate) user_id: i64,
    pub(crate) repo_id: i64,
    pub(crate) issue_index: i64,
    pub(crate) unread: bool,
    pub(crate) pinned: bool,
    pub(crate) updated: Timestamp,
}

/// One version of a package.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    pub(crate) id: i64,
    pub(crate) owner_id: i64,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) creator_id: i64,
    pub(crate) created: Timestamp,
}

/// Who an Actions secret or variable belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionsOwner {
    /// A repository (its id).
    Repo(i64),
    /// An organization (its user id).
    Org(i64),
}

/// An Actions secret (its value is never shown again).
#[derive(Debug, Clone)]
pub(crate) struct Secret {
    pub(crate) owner: ActionsOwner,
    pub(crate) name: String,
    pub(crate) data: String,
    pub(crate) description: String,
    pub(crate) created: Timestamp,
}

/// An Actions variable.
#[derive(Debug, Clone)]
pub(crate) struct Variable {
    pub(crate) owner: ActionsOwner,
    pub(crate) name: String,
    pub(crate) data: String,
    pub(crate) description: String,
}

/// A workflow run with its jobs.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) id: i64,
    pub(crate) repo_id: i64,
    /// The workflow file name, e.g. `build.yml`.
    pub(crate) workflow_id: String,
    pub(crate) run_number: i64,
    pub(crate) attempt: i64,
    pub(crate) title: String,
    pub(crate) event: String,
    pub(crate) status: String,
    pub(crate) conclusion: String,
    pub(crate) head_branch: String,
    pub(crate) head_sha: String,
    pub(crate) actor_id: i64,
    pub(crate) created: Timestamp,
    pub(crate) completed: Option<Timestamp>,
    pub(crate) inputs: serde_json::Map<String, serde_json::Value>,
    pub(crate) jobs: Vec<Job>,
}

/// One job of a run.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) status: String,
    pub(crate) conclusion: String,
    pub(crate) log: String,
}

/// A file uploaded by a run.
#[derive(Debug, Clone)]
pub(crate) struct Artifact {
    pub(crate) id: i64,
    pub(crate) repo_id: i64,
    pub(crate) run_id: i64,
    pub(crate) name: String,
    pub(crate) size: i64,
    pub(crate) created: Timestamp,
}

/// A file attached to an issue or to one of its comments.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    pub(crate) id: i64,
    pub(crate) uuid: String,
    pub(crate) repo_id: i64,
    pub(crate) issue_index: i64,
    /// The comment it belongs to (`None`: the issue itself).
    pub(crate) comment_id: Option<i64>,
    pub(crate) name: String,
    pub(crate) content: Vec<u8>,
    pub(crate) created: Timestamp,
}
