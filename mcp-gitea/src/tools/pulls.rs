//! Pull request tools: list, read and write (reviews live in `reviews`).

use serde_json::{Map, Value, json};

use super::reviews::{self, REVIEW};
use super::{RepoRef, ToolContext, page_query, resolve_labels};
use crate::args::{self, Args, ToolError};
use crate::catalog::{
    Kind, ToolSpec, bool_param, method, number_list_param, number_param, object_list_param,
    owner_repo, paging, string_list_param, string_param,
};
use crate::gitea_client::repo_path;
use crate::slim;

const READ: &[&str] = &[
    "get",
    "get_diff",
    "get_files",
    "get_status",
    "get_reviews",
    "get_review",
    "get_review_comments",
    "get_comments",
];
const WRITE: &[&str] = &[
    "create",
    "update",
    "close",
    "reopen",
    "merge",
    "update_branch",
    "add_reviewers",
    "remove_reviewers",
];

pub(super) fn specs() -> Vec<ToolSpec> {
    let comment = json!({"type": "object", "properties": {
        "path": {"type": "string"}, "body": {"type": "string"},
        "old_line_num": {"type": "number"}, "new_line_num": {"type": "number"}}});
    vec![
        ToolSpec::new("list_pull_requests", "pull_request", Kind::Read, "List pull requests", "Pull requests of a repository.")
.runs(handler!(list_pull_requests))
            .params(owner_repo())
            .params([
                string_param("state", "open, closed or all").one_of(&["open", "closed", "all"]).default(json!("all")),
                string_param("sort", "sort order").one_of(&["oldest", "recentupdate", "leastupdate", "mostcomment", "leastcomment", "priority"]).default(json!("recentupdate")),
                number_param("milestone", "milestone id"),
            ])
            .params(paging(30))
            .required(&["owner", "repo"]),
        ToolSpec::new("pull_request_read", "pull_request", Kind::Read, "Read pull request", "Read a pull request, its diff, files, status, reviews or comments.")
.runs(handler!(pull_request_read))
            .params([method(READ)])
            .params(owner_repo())
            .params([number_param("pull_number", "pull request number"), number_param("review_id", "review id (get_review, get_review_comments)"), bool_param("binary", "include binary changes in the diff")])
            .params(paging(30))
            .required(&["method", "owner", "repo", "pull_number"]),
        ToolSpec::new("pull_request_write", "pull_request", Kind::Destructive, "Write pull request", "Create, update, close, reopen or merge a pull request, update its branch, or change reviewers. pull_number is required except for create.")
.runs(handler!(pull_request_write))
            .params([method(WRITE)])
            .params(owner_repo())
            .params([
                number_param("pull_number", "pull request number"), string_param("title", "title"), string_param("body", "description"),
                string_param("head", "source branch (create)"), string_param("base", "target branch"), string_param("assignee", "assignee username"),
                string_list_param("assignees", "assignee usernames"), number_param("milestone", "milestone id"),
                string_param("state", "open or closed").one_of(&["open", "closed"]), bool_param("allow_maintainer_edit", "let maintainers push"),
                number_list_param("labels", "label ids (names are accepted too)"), string_param("deadline", "due date (RFC 3339)"),
                bool_param("remove_deadline", "clear the due date"),
                string_param("merge_style", "merge style").one_of(&["merge", "rebase", "rebase-merge", "squash", "fast-forward-only"]).default(json!("merge")),
                string_param("message", "merge commit message"), bool_param("delete_branch", "delete the head branch after merging"),
                bool_param("force_merge", "merge even if checks fail"), bool_param("merge_when_checks_succeed", "schedule the merge"),
                string_param("head_commit_id", "expected head commit"), string_list_param("reviewers", "reviewer usernames"),
                string_list_param("team_reviewers", "reviewer team names"), bool_param("draft", "mark as work in progress"),
            ])
            .required(&["method", "owner", "repo"]),
        ToolSpec::new("pull_request_review_write", "pull_request", Kind::Destructive, "Write review", "Create, submit, delete or dismiss reviews; resolve or unresolve review threads.")
.runs(handler!(pull_request_review_write))
            .params([method(REVIEW)])
            .params(owner_repo())
            .params([
                number_param("pull_number", "pull request number"), number_param("review_id", "review id"), number_param("comment_id", "review comment id"),
                string_param("state", "review verdict").one_of(&["APPROVED", "REQUEST_CHANGES", "COMMENT", "PENDING"]),
                string_param("body", "review text"), string_param("commit_id", "commit reviewed"), string_param("message", "dismissal reason"),
                object_list_param("comments", "line comments", comment),
            ])
            .required(&["method", "owner", "repo"]),
    ]
}

async fn list_pull_requests(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let mut q = page_query(args, 30)?;
    q.push((
        "state",
        args.str_opt("state")?.unwrap_or_else(|| "all".into()),
    ));
    q.push((
        "sort",
        args.str_opt("sort")?
            .unwrap_or_else(|| "recentupdate".into()),
    ));
    if let Some(m) = args.int_opt("milestone")? {
        q.push(("milestone", m.to_string()));
    }
    let got = ctx
        .get(format!("{base}/pulls"))
        .query(q)
        .send(&format!("list {full} pull requests"))
        .await?;
    Ok(slim::list(&got, slim::pull_item))
}

async fn pull_request_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    read(ctx, &base, &full, args).await
}

async fn pull_request_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { owner, repo, .. } = RepoRef::from_args(args)?;
    write(ctx, &owner, &repo, args).await
}

async fn pull_request_review_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    reviews::write(ctx, &base, &full, args).await
}

async fn read(
    ctx: ToolContext<'_>,
    base: &str,
    full: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ)?;
    let num = args.int_req("pull_number")?;
    let path = format!("{base}/pulls/{num}");
    let what = format!("{m} {full}/pull/{num}");
    match m.as_str() {
        "get" => Ok(slim::pull(&ctx.get(path).send(&what).await?)),
        "get_diff" => {
            let q = [(
                "binary",
                args.bool_opt("binary")?.unwrap_or(false).to_string(),
            )];
            let got = ctx.get(format!("{path}.diff")).query(q).send(&what).await?;
            Ok(match got {
                Value::String(s) => Value::String(s),
                other => Value::String(other.to_string()),
            })
        }
        "get_files" => {
            ctx.get(format!("{path}/files"))
                .query(page_query(args, 30)?)
                .send(&what)
                .await
        }
        "get_status" => {
            let pr = ctx.get(path).send(&what).await?;
            let sha = pr
                .pointer("/head/sha")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if sha.is_empty() {
                return Err(ToolError::Other(format!(
                    "pull request {num} has no head commit"
                )));
            }
            ctx.get(format!("{base}/commits/{sha}/status"))
                .send(&what)
                .await
        }
        "get_reviews" => Ok(slim::list(
            &ctx.get(format!("{path}/reviews"))
                .query(page_query(args, 30)?)
                .send(&what)
                .await?,
            slim::review,
        )),
        "get_review" => {
            let id = args.int_req("review_id")?;
            Ok(slim::review(
                &ctx.get(format!("{path}/reviews/{id}")).send(&what).await?,
            ))
        }
        "get_review_comments" => reviews::code_comments(ctx, &path, &what, args).await,
        _ => Ok(slim::list(
            &ctx.get(format!("{base}/issues/{num}/comments"))
                .send(&what)
                .await?,
            slim::comment,
        )),
    }
}

fn wip(title: &str, draft: bool) -> String {
    let bare = title
        .trim_start_matches("WIP: ")
        .trim_start_matches("[WIP] ")
        .to_string();
    if draft { format!("WIP: {bare}") } else { bare }
}

async fn write(
    ctx: ToolContext<'_>,
    owner: &str,
    repo: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE)?;
    let base = repo_path(owner, repo);
    let full = format!("{owner}/{repo}");
    let mut body = Map::new();
    for (from, to) in [
        ("title", "title"),
        ("body", "body"),
        ("base", "base"),
        ("assignee", "assignee"),
        ("deadline", "due_date"),
    ] {
        if let Some(v) = args.str_opt(from)? {
            body.insert(to.into(), json!(v));
        }
    }
    if let Some(a) = args.str_list("assignees")? {
        body.insert("assignees".into(), json!(a));
    }
    if let Some(ms) = args.int_opt("milestone")? {
        body.insert("milestone".into(), json!(ms));
    }
    if let Some(list) = args.str_list("labels")? {
        body.insert(
            "labels".into(),
            json!(resolve_labels(ctx, owner, repo, &list).await?),
        );
    }
    if m == "create" {
        let title = args.str_req("title")?;
        body.insert(
            "title".into(),
            json!(wip(&title, args.bool_opt("draft")?.unwrap_or(false))),
        );
        body.insert("head".into(), json!(args.str_req("head")?));
        body.insert("base".into(), json!(args.str_req("base")?));
        let body = Value::Object(body);
        let got = ctx
            .post(format!("{base}/pulls"))
            .json(&body)
            .send(&format!("create {full} pull request"))
            .await?;
        return Ok(slim::pull(&got));
    }
    let num = args.int_req("pull_number")?;
    let path = format!("{base}/pulls/{num}");
    let what = format!("{m} {full}/pull/{num}");
    match m.as_str() {
        "update" | "close" | "reopen" => {
            let state = match m.as_str() {
                "close" => Some("closed".to_string()),
                "reopen" => Some("open".to_string()),
                _ => args.str_opt("state")?,
            };
            if let Some(st) = state {
                body.insert("state".into(), json!(st));
            }
            if let Some(a) = args.bool_opt("allow_maintainer_edit")? {
                body.insert("allow_maintainer_edit".into(), json!(a));
            }
            if args.bool_opt("remove_deadline")?.unwrap_or(false) {
                body.insert("unset_due_date".into(), json!(true));
            }
            if let Some(d) = args.bool_opt("draft")? {
                let title = match args.str_opt("title")? {
                    Some(t) => t,
                    None => ctx
                        .get(path.as_str())
                        .send(&what)
                        .await?
                        .get("title")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                };
                body.insert("title".into(), json!(wip(&title, d)));
            }
            let body = Value::Object(body);
            Ok(slim::pull(&ctx.patch(path).json(&body).send(&what).await?))
        }
        "merge" => {
            let style = args
                .str_opt("merge_style")?
                .unwrap_or_else(|| "merge".into());
            let mut mb = json!({"Do": style, "delete_branch_after_merge": args.bool_opt("delete_branch")?.unwrap_or(false)});
            if let Some(t) = args.str_opt("title")? {
                mb["MergeTitleField"] = json!(t);
            }
            if let Some(msg) = args.str_opt("message")? {
                mb["MergeMessageField"] = json!(msg);
            }
            for k in ["force_merge", "merge_when_checks_succeed"] {
                if let Some(v) = args.bool_opt(k)? {
                    mb[k] = json!(v);
                }
            }
            if let Some(h) = args.str_opt("head_commit_id")? {
                mb["head_commit_id"] = json!(h);
            }
            ctx.post(format!("{path}/merge"))
                .json(&mb)
                .send(&what)
                .await?;
            Ok(
                json!({"merged": true, "pr_index": num, "repository": full, "merge_style": style,
                      "branch_deleted": args.bool_opt("delete_branch")?.unwrap_or(false)}),
            )
        }
        "update_branch" => {
            ctx.post(format!("{path}/update"))
                .json(&json!({}))
                .send(&what)
                .await?;
            Ok(json!({"message": "branch updated from base"}))
        }
        _ => {
            let rb = json!({"reviewers": args.str_list("reviewers")?.unwrap_or_default(),
                            "team_reviewers": args.str_list("team_reviewers")?.unwrap_or_default()});
            let url = format!("{path}/requested_reviewers");
            if m == "add_reviewers" {
                ctx.post(url)
            } else {
                ctx.delete(url)
            }
            .json(&rb)
            .send(&what)
            .await?;
            Ok(
                json!({"message": if m == "add_reviewers" { "reviewers requested" } else { "reviewers removed" },
                      "reviewers": rb["reviewers"], "team_reviewers": rb["team_reviewers"], "pr_index": num, "repository": full}),
            )
        }
    }
}
