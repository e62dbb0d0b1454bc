//! The edits issues and pull requests share (`EditIssueOption`/`EditPullRequestOption`):
//! state changes, title, body and due date, with Gitea's validation.

use axum::http::StatusCode;

use super::body::Body;
use super::error::ApiError;
use super::state::{Issue, now};

/// The requested `state`, which must be `open` or `closed` when present.
pub(crate) fn requested_state(body: &Body) -> Result<Option<String>, ApiError> {
    let state = body.str("state")?;
    if let Some(s) = state
        .as_deref()
        .filter(|s| !matches!(*s, "open" | "closed"))
    {
        return Err(ApiError::unprocessable(format!(
            "[State]: unknown state {s:?}"
        )));
    }
    Ok(state)
}

/// Title (never empty), body and due date (`unset_due_date` wins); bumps `updated`.
pub(crate) fn apply_text(issue: &mut Issue, body: &Body) -> Result<(), ApiError> {
    if let Some(title) = body.str("title")? {
        if title.trim().is_empty() {
            return Err(ApiError::unprocessable("[Title]: Required"));
        }
        issue.title = title;
    }
    if let Some(text) = body.str("body")? {
        issue.body = text;
    }
    if body.bool("unset_due_date")? == Some(true) {
        issue.due_date = None;
    } else if let Some(due) = body.time("due_date")? {
        issue.due_date = Some(due);
    }
    issue.updated = now();
    Ok(())
}

/// Opens or closes; a merged pull request cannot be reopened (412).
pub(crate) fn apply_state(issue: &mut Issue, state: Option<&str>) -> Result<(), ApiError> {
    match state {
        Some("closed") if !issue.closed => {
            issue.closed = true;
            issue.closed_at = Some(issue.updated);
        }
        Some("open") if issue.closed => {
            if issue.pull.as_ref().is_some_and(|p| p.merged) {
                return Err(ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "cannot reopen a merged pull request",
                ));
            }
            issue.closed = false;
            issue.closed_at = None;
        }
        _ => {}
    }
    Ok(())
}
