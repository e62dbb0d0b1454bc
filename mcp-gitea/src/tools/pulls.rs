//! Pull request tools: list, read and write (reviews live in `reviews`).

use serde_json::{Map, Value, json};

use super::reviews::{self, REVIEW};
use super::{Ctx, page_query, resolve_labels};
use crate::args::{self, Args, ToolError};
use crate::catalog::{Kind, ToolSpec, b, method, n, nums, objs, owner_repo, paging, s, strs};
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
            .params(owner_repo())
            .params([
                s("state", "open, closed or all").one_of(&["open", "closed", "all"]).default(json!("all")),
                s("sort", "sort order").one_of(&["oldest", "recentupdate", "leastupdate", "mostcomment", "leastcomment", "priority"]).default(json!("recentupdate")),
                n("milestone", "milestone id"),
            ])
            .params(paging(30))
            .required(&["owner", "repo"]),
        ToolSpec::new("pull_request_read", "pull_request", Kind::Read, "Read pull request", "Read a pull request, its diff, files, status, reviews or comments.")
            .params([method(READ)])
            .params(owner_repo())
            .params([n("pull_number", "pull request number"), n("review_id", "review id (get_review, get_review_comments)"), b("binary", "include binary changes in the diff")])
            .params(paging(30))
            .required(&["method", "owner", "repo", "pull_number"]),
        ToolSpec::new("pull_request_write", "pull_request", Kind::Destructive, "Write pull request", "Create, update, close, reopen or merge a pull request, update its branch, or change reviewers. pull_number is required except for create.")
            .params([method(WRITE)])
            .params(owner_repo())
            .params([
                n("pull_number", "pull request number"), s("title", "title"), s("body", "description"),
                s("head", "source branch (create)"), s("base", "target branch"), s("assignee", "assignee username"),
                strs("assignees", "assignee usernames"), n("milestone", "milestone id"),
                s("state", "open or closed").one_of(&["open", "closed"]), b("allow_maintainer_edit", "let maintainers push"),
                nums("labels", "label ids (names are accepted too)"), s("deadline", "due date (RFC 3339)"),
                b("remove_deadline", "clear the due date"),
                s("merge_style", "merge style").one_of(&["merge", "rebase", "rebase-merge", "squash", "fast-forward-only"]).default(json!("merge")),
                s("message", "merge commit message"), b("delete_branch", "delete the head branch after merging"),
                b("force_merge", "merge even if checks fail"), b("merge_when_checks_succeed", "schedule the merge"),
                s("head_commit_id", "expected head commit"), strs("reviewers", "reviewer usernames"),
                strs("team_reviewers", "reviewer team names"), b("draft", "mark as work in progress"),
            ])
            .required(&["method", "owner", "repo"]),
        ToolSpec::new("pull_request_review_write", "pull_request", Kind::Destructive, "Write review", "Create, submit, delete or dismiss reviews; resolve or unresolve review threads.")
            .params([method(REVIEW)])
            .params(owner_repo())
            .params([
                n("pull_number", "pull request number"), n("review_id", "review id"), n("comment_id", "review comment id"),
                s("state", "review verdict").one_of(&["APPROVED", "REQUEST_CHANGES", "COMMENT", "PENDING"]),
                s("body", "review text"), s("commit_id", "commit reviewed"), s("message", "dismissal reason"),
                objs("comments", "line comments", comment),
            ])
            .required(&["method", "owner", "repo"]),
    ]
}

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
    let base = repo_path(&owner, &repo);
    let full = format!("{owner}/{repo}");
    match name {
        "list_pull_requests" => {
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
                .get(
                    &format!("list {full} pull requests"),
                    &format!("{base}/pulls"),
                    &q,
                )
                .await?;
            Ok(slim::list(&got, slim::pull_item))
        }
        "pull_request_read" => read(ctx, &base, &full, args).await,
        "pull_request_write" => write(ctx, &owner, &repo, args).await,
        _ => reviews::write(ctx, &base, &full, args).await,
    }
}

async fn read(ctx: Ctx<'_>, base: &str, full: &str, args: &Args) -> Result<Value, ToolError> {
    let m = args::method(args)?;
    if !READ.contains(&m.as_str()) {
        return Err(ToolError::UnknownMethod(m));
    }
    let num = args.int_req("pull_number")?;
    let path = format!("{base}/pulls/{num}");
    let what = format!("{m} {full}/pull/{num}");
    match m.as_str() {
        "get" => Ok(slim::pull(&ctx.get(&what, &path, &[]).await?)),
        "get_diff" => {
            let q = [(
                "binary",
                args.bool_opt("binary")?.unwrap_or(false).to_string(),
            )];
            let got = ctx.get(&what, &format!("{path}.diff"), &q).await?;
            Ok(match got {
                Value::String(s) => Value::String(s),
                other => Value::String(other.to_string()),
            })
        }
        "get_files" => {
            ctx.get(&what, &format!("{path}/files"), &page_query(args, 30)?)
                .await
        }
        "get_status" => {
            let pr = ctx.get(&what, &path, &[]).await?;
            let sha = pr
                .pointer("/head/sha")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if sha.is_empty() {
                return Err(ToolError::Other(format!(
                    "pull request {num} has no head commit"
                )));
            }
            ctx.get(&what, &format!("{base}/commits/{sha}/status"), &[])
                .await
        }
        "get_reviews" => Ok(slim::list(
            &ctx.get(&what, &format!("{path}/reviews"), &page_query(args, 30)?)
                .await?,
            slim::review,
        )),
        "get_review" => {
            let id = args.int_req("review_id")?;
            Ok(slim::review(
                &ctx.get(&what, &format!("{path}/reviews/{id}"), &[]).await?,
            ))
        }
        "get_review_comments" => reviews::code_comments(ctx, &path, &what, args).await,
        _ => Ok(slim::list(
            &ctx.get(&what, &format!("{base}/issues/{num}/comments"), &[])
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

async fn write(ctx: Ctx<'_>, owner: &str, repo: &str, args: &Args) -> Result<Value, ToolError> {
    let m = args::method(args)?;
    if !WRITE.contains(&m.as_str()) {
        return Err(ToolError::UnknownMethod(m));
    }
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
        let got = ctx
            .post(
                &format!("create {full} pull request"),
                &format!("{base}/pulls"),
                &Value::Object(body),
            )
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
                        .get(&what, &path, &[])
                        .await?
                        .get("title")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                };
                body.insert("title".into(), json!(wip(&title, d)));
            }
            Ok(slim::pull(
                &ctx.patch(&what, &path, &Value::Object(body)).await?,
            ))
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
            ctx.post(&what, &format!("{path}/merge"), &mb).await?;
            Ok(
                json!({"merged": true, "pr_index": num, "repository": full, "merge_style": style,
                      "branch_deleted": args.bool_opt("delete_branch")?.unwrap_or(false)}),
            )
        }
        "update_branch" => {
            ctx.post(&what, &format!("{path}/update"), &json!({}))
                .await?;
            Ok(json!({"message": "branch updated from base"}))
        }
        _ => {
            let rb = json!({"reviewers": args.str_list("reviewers")?.unwrap_or_default(),
                            "team_reviewers": args.str_list("team_reviewers")?.unwrap_or_default()});
            let url = format!("{path}/requested_reviewers");
            if m == "add_reviewers" {
                ctx.post(&what, &url, &rb).await?;
            } else {
                ctx.delete(&what, &url, Some(&rb)).await?;
            }
            Ok(
                json!({"message": if m == "add_reviewers" { "reviewers requested" } else { "reviewers removed" },
                      "reviewers": rb["reviewers"], "team_reviewers": rb["team_reviewers"], "pr_index": num, "repository": full}),
            )
        }
    }
}
