//! Pre-consolidation tool names (upstream ≤ 2026-03) mapped onto current tools.
//!
//! Agents and prompts written for older images call e.g. `create_issue` or
//! `get_issue_by_index`; these run the current tool with the `method` fixed and answer in
//! the old `{"Result": …}` envelope.

/// `(old name, current tool, method)`.
pub const ALIASES: &[(&str, &str, Option<&str>)] = &[
    ("get_my_user_info", "get_me", None),
    ("get_file_content", "get_file_contents", None),
    ("get_dir_content", "get_dir_contents", None),
    ("create_file", "create_or_update_file", None),
    ("update_file", "create_or_update_file", None),
    ("list_repo_commits", "list_commits", None),
    ("list_repo_issues", "list_issues", None),
    ("get_issue_by_index", "issue_read", Some("get")),
    (
        "get_issue_comments_by_index",
        "issue_read",
        Some("get_comments"),
    ),
    ("create_issue", "issue_write", Some("create")),
    ("edit_issue", "issue_write", Some("update")),
    ("create_issue_comment", "issue_write", Some("add_comment")),
    ("edit_issue_comment", "issue_write", Some("edit_comment")),
    ("add_issue_labels", "issue_write", Some("add_labels")),
    (
        "replace_issue_labels",
        "issue_write",
        Some("replace_labels"),
    ),
    ("clear_issue_labels", "issue_write", Some("clear_labels")),
    ("remove_issue_label", "issue_write", Some("remove_label")),
    ("list_repo_labels", "label_read", Some("list_repo_labels")),
    ("get_repo_label", "label_read", Some("get_repo_label")),
    ("list_org_labels", "label_read", Some("list_org_labels")),
    (
        "create_repo_label",
        "label_write",
        Some("create_repo_label"),
    ),
    ("edit_repo_label", "label_write", Some("edit_repo_label")),
    (
        "delete_repo_label",
        "label_write",
        Some("delete_repo_label"),
    ),
    ("create_org_label", "label_write", Some("create_org_label")),
    ("edit_org_label", "label_write", Some("edit_org_label")),
    ("delete_org_label", "label_write", Some("delete_org_label")),
    ("get_milestone", "milestone_read", Some("get")),
    ("list_milestones", "milestone_read", Some("list")),
    ("create_milestone", "milestone_write", Some("create")),
    ("edit_milestone", "milestone_write", Some("update")),
    ("delete_milestone", "milestone_write", Some("delete")),
    ("list_repo_pull_requests", "list_pull_requests", None),
    (
        "get_pull_request_by_index",
        "pull_request_read",
        Some("get"),
    ),
    (
        "get_pull_request_diff",
        "pull_request_read",
        Some("get_diff"),
    ),
    (
        "list_pull_request_reviews",
        "pull_request_read",
        Some("get_reviews"),
    ),
    (
        "get_pull_request_review",
        "pull_request_read",
        Some("get_review"),
    ),
    (
        "list_pull_request_review_comments",
        "pull_request_read",
        Some("get_review_comments"),
    ),
    ("create_pull_request", "pull_request_write", Some("create")),
    ("edit_pull_request", "pull_request_write", Some("update")),
    ("merge_pull_request", "pull_request_write", Some("merge")),
    (
        "create_pull_request_reviewer",
        "pull_request_write",
        Some("add_reviewers"),
    ),
    (
        "delete_pull_request_reviewer",
        "pull_request_write",
        Some("remove_reviewers"),
    ),
    (
        "create_pull_request_review",
        "pull_request_review_write",
        Some("create"),
    ),
    (
        "submit_pull_request_review",
        "pull_request_review_write",
        Some("submit"),
    ),
    (
        "delete_pull_request_review",
        "pull_request_review_write",
        Some("delete"),
    ),
    (
        "dismiss_pull_request_review",
        "pull_request_review_write",
        Some("dismiss"),
    ),
];

/// The current tool and fixed method for an old name.
pub fn lookup(name: &str) -> Option<(&'static str, Option<&'static str>)> {
    ALIASES
        .iter()
        .find(|(old, _, _)| *old == name)
        .map(|(_, new, m)| (*new, *m))
}
