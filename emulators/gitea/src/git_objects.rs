//! The snapshot git model's objects: commits holding whole trees (the repositories here are
//! tiny), tags, and a change to commit on a branch.

use std::collections::BTreeMap;

use jiff::Timestamp;

/// One commit: a full snapshot of the tree (the repositories here are tiny).
#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    pub(crate) parents: Vec<String>,
    pub(crate) message: String,
    pub(crate) author_name: String,
    pub(crate) author_email: String,
    pub(crate) time: Timestamp,
    pub(crate) tree: BTreeMap<String, Vec<u8>>,
}

/// A lightweight or annotated tag.
#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) commit: String,
    pub(crate) message: String,
    pub(crate) id: String,
}

/// What a commit on a branch changes.
pub(crate) struct Change<'a> {
    pub(crate) branch: &'a str,
    /// Start the branch from this branch when it does not exist yet.
    pub(crate) from: Option<&'a str>,
    pub(crate) message: &'a str,
    pub(crate) author: (&'a str, &'a str),
    /// `(path, Some(content))` writes, `(path, None)` deletes.
    pub(crate) files: Vec<(String, Option<Vec<u8>>)>,
}
