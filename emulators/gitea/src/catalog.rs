//! The operations the emulator serves, as `(METHOD, route)` with axum route syntax under
//! `/api/v1`. Tests use it to prove that every operation exists in Gitea's swagger and is
//! covered by the conformance test; a unit test checks it against the `.route(...)` calls
//! of the `routes_*` modules so it cannot silently fall behind.

/// Every emulated operation.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/repos/{owner}/{repo}/contents"),
    ("POST", "/repos/{owner}/{repo}/contents"),
    ("GET", "/repos/{owner}/{repo}/contents/{*path}"),
    ("POST", "/repos/{owner}/{repo}/contents/{*path}"),
    ("PUT", "/repos/{owner}/{repo}/contents/{*path}"),
    ("DELETE", "/repos/{owner}/{repo}/contents/{*path}"),
    ("GET", "/repos/{owner}/{repo}/raw/{*path}"),
    ("GET", "/repos/{owner}/{repo}/media/{*path}"),
    ("GET", "/repos/{owner}/{repo}/branches"),
    ("POST", "/repos/{owner}/{repo}/branches"),
    ("GET", "/repos/{owner}/{repo}/branches/{*branch}"),
    ("DELETE", "/repos/{owner}/{repo}/branches/{*branch}"),
    ("PATCH", "/repos/{owner}/{repo}/branches/{*branch}"),
    ("GET", "/repos/{owner}/{repo}/tags"),
    ("POST", "/repos/{owner}/{repo}/tags"),
    ("GET", "/repos/{owner}/{repo}/tags/{*tag}"),
    ("DELETE", "/repos/{owner}/{repo}/tags/{*tag}"),
    ("GET", "/repos/{owner}/{repo}/commits"),
    ("GET", "/repos/{owner}/{repo}/git/commits/{sha}"),
    ("GET", "/repos/{owner}/{repo}/git/trees/{sha}"),
    ("GET", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("POST", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/statuses"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/status"),
    ("GET", "/repos/issues/search"),
    ("GET", "/repos/{owner}/{repo}/issues"),
    ("POST", "/repos/{owner}/{repo}/issues"),
    ("GET", "/repos/{owner}/{repo}/issues/{index}"),
    ("PATCH", "/repos/{owner}/{repo}/issues/{index}"),
    ("GET", "/repos/{owner}/{repo}/issues/comments"),
    ("GET", "/repos/{owner}/{repo}/issues/comments/{id}"),
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{id}"),
    ("DELETE", "/repos/{owner}/{repo}/issues/comments/{id}"),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/comments"),
    ("POST", "/repos/{owner}/{repo}/issues/{index}/comments"),
    ("GET", "/repos/{owner}/{repo}/labels"),
    ("POST", "/repos/{owner}/{repo}/labels"),
    ("GET", "/repos/{owner}/{repo}/labels/{id}"),
    ("PATCH", "/repos/{owner}/{repo}/labels/{id}"),
    ("DELETE", "/repos/{owner}/{repo}/labels/{id}"),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/labels"),
    ("POST", "/repos/{owner}/{repo}/issues/{index}/labels"),
    ("PUT", "/repos/{owner}/{repo}/issues/{index}/labels"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{index}/labels"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{index}/labels/{id}"),
    ("GET", "/repos/{owner}/{repo}/milestones"),
    ("POST", "/repos/{owner}/{repo}/milestones"),
    ("GET", "/repos/{owner}/{repo}/milestones/{id}"),
    ("PATCH", "/repos/{owner}/{repo}/milestones/{id}"),
    ("DELETE", "/repos/{owner}/{repo}/milestones/{id}"),
    ("GET", "/repos/{owner}/{repo}/pulls"),
    ("POST", "/repos/{owner}/{repo}/pulls"),
    ("GET", "/repos/{owner}/{repo}/pulls/{index}"),
    ("PATCH", "/repos/{owner}/{repo}/pulls/{index}"),
    ("GET", "/repos/{owner}/{repo}/pulls/{index}/files"),
    ("GET", "/repos/{owner}/{repo}/pulls/{index}/merge"),
    ("POST", "/repos/{owner}/{repo}/pulls/{index}/merge"),
    ("GET", "/repos/{owner}/{repo}/pulls/{index}/reviews"),
    ("POST", "/repos/{owner}/{repo}/pulls/{index}/reviews"),
    ("GET", "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}"),
    ("POST", "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}"),
    ("DELETE", "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}"),
    (
        "GET",
        "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/dismissals",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers",
    ),
    ("POST", "/repos/{owner}/{repo}/pulls/{index}/update"),
    ("GET", "/repos/{owner}/{repo}/releases"),
    ("POST", "/repos/{owner}/{repo}/releases"),
    ("GET", "/repos/{owner}/{repo}/releases/latest"),
    ("GET", "/repos/{owner}/{repo}/releases/tags/{tag}"),
    ("GET", "/repos/{owner}/{repo}/releases/{id}"),
    ("DELETE", "/repos/{owner}/{repo}/releases/{id}"),
    ("GET", "/repos/{owner}/{repo}"),
    ("DELETE", "/repos/{owner}/{repo}"),
    ("GET", "/repos/{owner}/{repo}/forks"),
    ("POST", "/repos/{owner}/{repo}/forks"),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/dependencies"),
    ("POST", "/repos/{owner}/{repo}/issues/{index}/dependencies"),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{index}/dependencies",
    ),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/blocks"),
    ("POST", "/repos/{owner}/{repo}/issues/{index}/blocks"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{index}/blocks"),
    ("GET", "/orgs/{org}/labels"),
    ("POST", "/orgs/{org}/labels"),
    ("GET", "/orgs/{org}/labels/{id}"),
    ("PATCH", "/orgs/{org}/labels/{id}"),
    ("DELETE", "/orgs/{org}/labels/{id}"),
    ("POST", "/repos/{owner}/{repo}/pulls/comments/{id}/resolve"),
    (
        "POST",
        "/repos/{owner}/{repo}/pulls/comments/{id}/unresolve",
    ),
    ("GET", "/user/repos"),
    ("POST", "/user/repos"),
    ("GET", "/users/{username}/repos"),
    ("GET", "/orgs/{org}/repos"),
    ("POST", "/orgs/{org}/repos"),
    ("POST", "/admin/users/{username}/repos"),
    ("POST", "/repos/migrate"),
    ("GET", "/repos/search"),
    ("GET", "/version"),
    ("GET", "/user"),
    ("GET", "/user/orgs"),
    ("GET", "/users/search"),
    ("GET", "/users/{username}"),
    ("GET", "/users/{username}/tokens"),
    ("POST", "/users/{username}/tokens"),
    ("DELETE", "/users/{username}/tokens/{token}"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("PATCH", "/admin/users/{username}"),
    ("DELETE", "/admin/users/{username}"),
    ("POST", "/orgs"),
    ("GET", "/orgs/{org}"),
    ("GET", "/orgs/{org}/teams/search"),
    ("GET", "/repos/{owner}/{repo}/wiki/pages"),
    ("POST", "/repos/{owner}/{repo}/wiki/new"),
    ("GET", "/repos/{owner}/{repo}/wiki/page/{pageName}"),
    ("PATCH", "/repos/{owner}/{repo}/wiki/page/{pageName}"),
    ("DELETE", "/repos/{owner}/{repo}/wiki/page/{pageName}"),
    ("GET", "/repos/{owner}/{repo}/wiki/revisions/{pageName}"),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/times"),
    ("POST", "/repos/{owner}/{repo}/issues/{index}/times"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{index}/times/{id}"),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{index}/stopwatch/start",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/issues/{index}/stopwatch/stop",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/issues/{index}/stopwatch/delete",
    ),
    ("GET", "/repos/{owner}/{repo}/times"),
    ("GET", "/user/times"),
    ("GET", "/user/stopwatches"),
    ("GET", "/notifications"),
    ("PUT", "/notifications"),
    ("GET", "/notifications/threads/{id}"),
    ("PATCH", "/notifications/threads/{id}"),
    ("GET", "/repos/{owner}/{repo}/notifications"),
    ("PUT", "/repos/{owner}/{repo}/notifications"),
    ("GET", "/packages/{owner}"),
    ("GET", "/packages/{owner}/{type}/{name}"),
    ("GET", "/packages/{owner}/{type}/{name}/{version}"),
    ("DELETE", "/packages/{owner}/{type}/{name}/{version}"),
    ("GET", "/repos/{owner}/{repo}/actions/secrets"),
    ("PUT", "/repos/{owner}/{repo}/actions/secrets/{secretname}"),
    (
        "DELETE",
        "/repos/{owner}/{repo}/actions/secrets/{secretname}",
    ),
    ("GET", "/repos/{owner}/{repo}/actions/variables"),
    (
        "GET",
        "/repos/{owner}/{repo}/actions/variables/{variablename}",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/actions/variables/{variablename}",
    ),
    (
        "PUT",
        "/repos/{owner}/{repo}/actions/variables/{variablename}",
    ),
    (
        "DELETE",
        "/repos/{owner}/{repo}/actions/variables/{variablename}",
    ),
    ("GET", "/orgs/{org}/actions/secrets"),
    ("PUT", "/orgs/{org}/actions/secrets/{secretname}"),
    ("DELETE", "/orgs/{org}/actions/secrets/{secretname}"),
    ("GET", "/orgs/{org}/actions/variables"),
    ("GET", "/orgs/{org}/actions/variables/{variablename}"),
    ("POST", "/orgs/{org}/actions/variables/{variablename}"),
    ("PUT", "/orgs/{org}/actions/variables/{variablename}"),
    ("DELETE", "/orgs/{org}/actions/variables/{variablename}"),
    ("GET", "/repos/{owner}/{repo}/actions/workflows"),
    (
        "GET",
        "/repos/{owner}/{repo}/actions/workflows/{workflow_id}",
    ),
    (
        "POST",
        "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    ),
    ("GET", "/repos/{owner}/{repo}/actions/runs"),
    ("GET", "/repos/{owner}/{repo}/actions/runs/{run}"),
    ("POST", "/repos/{owner}/{repo}/actions/runs/{run}/rerun"),
    ("GET", "/repos/{owner}/{repo}/actions/runs/{run}/jobs"),
    ("GET", "/repos/{owner}/{repo}/actions/runs/{run}/artifacts"),
    ("GET", "/repos/{owner}/{repo}/actions/jobs"),
    ("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}"),
    ("GET", "/repos/{owner}/{repo}/actions/jobs/{job_id}/logs"),
    ("GET", "/repos/{owner}/{repo}/actions/artifacts"),
    (
        "GET",
        "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
    ),
    ("GET", "/repos/{owner}/{repo}/issues/{index}/assets"),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/{index}/assets/{attachment_id}",
    ),
    ("GET", "/repos/{owner}/{repo}/issues/comments/{id}/assets"),
    (
        "GET",
        "/repos/{owner}/{repo}/issues/comments/{id}/assets/{attachment_id}",
    ),
];

/// Operations served by a route of [`OPERATIONS`] (Gitea's `/pulls/{index}.diff` shares
/// the `{index}` segment), listed so coverage checks know about them.
pub const SUFFIX_OPERATIONS: &[(&str, &str)] =
    &[("GET", "/repos/{owner}/{repo}/pulls/{index}.{diffType}")];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::OPERATIONS;

    /// `(METHOD, path)` pairs declared by `.route("path", get(..).post(..))` calls in the
    /// module's `routes()` function.
    fn declared(source: &str) -> Vec<(String, String)> {
        let start = source.find("fn routes()").unwrap();
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").unwrap()];
        let path = regex::Regex::new(r#""([^"]+)""#).unwrap();
        let method = regex::Regex::new(r"\b(get|post|put|patch|delete)\(").unwrap();
        let mut out = Vec::new();
        for chunk in body.split(".route(").skip(1) {
            let route = path.captures(chunk).unwrap()[1].to_string();
            for m in method.captures_iter(chunk) {
                out.push((m[1].to_uppercase(), route.clone()));
            }
        }
        out
    }

    #[test]
    fn catalog_matches_the_routers() {
        let sources = [
            include_str!("routes_admin.rs"),
            include_str!("routes_comments.rs"),
            include_str!("routes_contents.rs"),
            include_str!("routes_dependencies.rs"),
            include_str!("routes_forks.rs"),
            include_str!("routes_git.rs"),
            include_str!("routes_issues.rs"),
            include_str!("routes_labels.rs"),
            include_str!("routes_milestones.rs"),
            include_str!("routes_org_labels.rs"),
            include_str!("routes_pull_changes.rs"),
            include_str!("routes_pulls.rs"),
            include_str!("routes_releases.rs"),
            include_str!("routes_repos.rs"),
            include_str!("routes_review_comments.rs"),
            include_str!("routes_reviews.rs"),
            include_str!("routes_statuses.rs"),
            include_str!("routes_users.rs"),
            include_str!("routes_wiki.rs"),
            include_str!("routes_times.rs"),
            include_str!("routes_notifications.rs"),
            include_str!("routes_packages.rs"),
            include_str!("routes_actions_config.rs"),
            include_str!("routes_actions_runs.rs"),
            include_str!("routes_attachments.rs"),
        ];
        let routes: BTreeSet<_> = sources.iter().flat_map(|s| declared(s)).collect();
        let catalog: BTreeSet<_> = OPERATIONS
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(routes, catalog);
        assert_eq!(catalog.len(), OPERATIONS.len(), "duplicates in OPERATIONS");
    }
}
