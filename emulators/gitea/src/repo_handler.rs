//! What the handlers under `/repos/{owner}/{repo}` share: the path extractors for the repository and for one item in it, and the step from the
//! index [`find_repo`](super::access::find_repo) returns to the repository itself.

use axum::extract::Path;

use super::error::{ApiError, Result};
use super::state::{Repo, World};

/// `/repos/{owner}/{repo}`.
pub(crate) type RepoPath = Path<(String, String)>;
/// `/repos/{owner}/{repo}/…/{item}`: one named or numbered thing in the repository.
pub(crate) type ItemPath = Path<(String, String, String)>;

/// The repository at `index`; 404 if it is gone (the index comes from an earlier lookup).
pub(crate) fn repo_at(w: &World, index: usize) -> Result<&Repo> {
    w.repos.get(index).ok_or_else(ApiError::not_found)
}

/// Like [`repo_at`], for a change.
pub(crate) fn repo_at_mut(w: &mut World, index: usize) -> Result<&mut Repo> {
    w.repos.get_mut(index).ok_or_else(ApiError::not_found)
}
