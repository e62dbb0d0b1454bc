//! Issue tools: list, search, read (issue, comments, labels, dependencies) and write.

use serde_json::{Map, Value, json};

use super::{Output, RepoRef, ToolContext, page_query, resolve_labels};
use crate::args::{self, Args, ToolError};
use crate::catalog::{
    Kind, ToolSpec, bool_param, method, number_list_param, number_param, owner_repo, paging,
    string_list_param, string_param,
};
use crate::gitea_client::repo_path;
use crate::slim;
use crate::slim::prune::ISSUE;

const READ_METHODS: &[&str] = &[
    "get",
    "get_comments",
    "get_comment",
    "get_labels",
    "get_blocked_by",
    "get_blocking",
];
const WRITE_METHODS: &[&str] = &[
    "create",
    "update",
    "add_comment",
    "edit_comment",
    "add_labels",
    "remove_label",
    "replace_labels",
    "clear_labels",
    "add_dependency",
    "remove_dependency",
];

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new("list_issues", "issue", Kind::Read, "List issues", "Issues of a repository, filtered by state, labels and people.")
.runs(handler!(list_issues))
            .params(owner_repo())
            .params([
                string_param("state", "open, closed or all").one_of(&["open", "closed", "all"]).default(json!("all")),
                string_param("type", "issues or pulls").one_of(&["issues", "pulls"]),
                string_list_param("labels", "label names"),
                string_list_param("milestones", "milestone names or ids"),
                string_param("since", "only updated at or after (RFC 3339)"),
                string_param("before", "only updated before (RFC 3339)"),
                string_param("created_by", "author username"),
                string_param("assigned_by", "assignee username"),
                string_param("mentioned_by", "mentioned username"),
            ])
            .params(paging(30))
            .required(&["owner", "repo"]),
        ToolSpec::new("issue_read", "issue", Kind::Read, "Read issue", "Read an issue, its comments, labels or dependencies. issue_number is required except for get_comment, which needs comment_id.")
.runs(handler!(issue_read))
            .params([method(READ_METHODS)])
            .params(owner_repo())
            .params([number_param("issue_number", "issue number"), number_param("comment_id", "comment id (get_comment)")])
            .params(paging(30))
            .required(&["method", "owner", "repo"]),
        ToolSpec::new("issue_write", "issue", Kind::Destructive, "Write issue", "Create or update issues, comments, labels and dependencies. issue_number is required except for create; labels take ids or names.")
.runs(handler!(issue_write))
            .params([method(WRITE_METHODS)])
            .params(owner_repo())
            .params([
                number_param("issue_number", "issue number (all methods but create)"),
                string_param("title", "title (create; optional for update)"),
                string_param("body", "text (required for add_comment and edit_comment)"),
                string_list_param("assignees", "usernames"),
                number_param("milestone", "milestone id"),
                string_param("state", "open or closed (update)").one_of(&["open", "closed", "all"]),
                number_param("commentID", "comment id (edit_comment)"),
                number_list_param("labels", "label ids (names are accepted too)"),
                number_param("label_id", "label id or name (remove_label)"),
                string_param("ref", "branch or tag the issue refers to"),
                string_param("deadline", "due date (RFC 3339)"),
                bool_param("remove_deadline", "clear the due date (update)"),
                string_param("dependency_type", "blocked_by or blocking").one_of(&["blocked_by", "blocking"]),
                string_param("related_owner", "owner of the other issue (default: owner)"),
                string_param("related_repo", "repository of the other issue (default: repo)"),
                number_param("related_issue_number", "number of the other issue"),
            ])
            .required(&["method", "owner", "repo"]),
        ToolSpec::new("search_issues", "search", Kind::Read, "Search issues", "Search issues and pull requests across repositories.")
.runs(handler!(search_issues))
            .params([
                string_param("query", "text to search for"),
                string_param("state", "open, closed or all").one_of(&["open", "closed", "all"]),
                string_param("type", "issues or pulls").one_of(&["issues", "pulls"]),
                string_param("labels", "label names, comma separated"),
                string_param("owner", "only repositories of this owner"),
            ])
            .params(paging(30))
            .required(&["query"]),
    ]
}

async fn search_issues(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let mut q = page_query(args, 30)?;
    q.push(("q", args.str_req("query")?));
    for k in ["state", "type", "labels", "owner"] {
        if let Some(v) = args.str_opt(k)? {
            q.push((k, v));
        }
    }
    let got = ctx
        .get("/repos/issues/search")
        .query(q)
        .send("search issues")
        .await?;
    Ok(slim::list(&got, slim::issue_search_item))
}

async fn list_issues(ctx: ToolContext<'_>, args: &Args) -> Result<Output, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let mut q = page_query(args, 30)?;
    q.push((
        "state",
        args.str_opt("state")?.unwrap_or_else(|| "all".into()),
    ));
    for k in [
        "type",
        "since",
        "before",
        "created_by",
        "assigned_by",
        "mentioned_by",
    ] {
        if let Some(v) = args.str_opt(k)? {
            q.push((k, v));
        }
    }
    for k in ["labels", "milestones"] {
        if let Some(v) = args.str_list(k)?.filter(|v| !v.is_empty()) {
            q.push((k, v.join(",")));
        }
    }
    let got = ctx
        .get(format!("{base}/issues"))
        .query(q)
        .send_raw(&format!("list {full} issues"))
        .await?;
    // The hot path: straight from Gitea's bytes to the slim text.
    if let Some(text) = got.as_deref().and_then(slim::issue_list::render) {
        return Ok(Output::ArrayText(text));
    }
    let got = ISSUE.decode(got.as_deref());
    Ok(slim::list(&got, slim::issue_item).into())
}

async fn issue_read(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    read(ctx, &base, &full, args).await
}

async fn issue_write(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { owner, repo, .. } = RepoRef::from_args(args)?;
    write(ctx, &owner, &repo, args).await
}

async fn read(
    ctx: ToolContext<'_>,
    base: &str,
    full: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    let m = args::method_in(args, READ_METHODS)?;
    if m == "get_comment" {
        let id = args.int_req("comment_id")?;
        let got = ctx
            .get(format!("{base}/issues/comments/{id}"))
            .send(&format!("get {full} comment {id}"))
            .await?;
        if got.is_null() {
            return Ok(json!(format!("comment {id} is not a discussion comment")));
        }
        return Ok(slim::comment(&got));
    }
    let num = args.int_req("issue_number")?;
    let path = format!("{base}/issues/{num}");
    let what = format!("get {full}/issue/{num}");
    match m.as_str() {
        "get" => Ok(slim::issue(&ctx.get(path).keep(ISSUE).send(&what).await?)),
        "get_comments" => {
            let got = ctx.get(format!("{path}/comments")).send(&what).await?;
            Ok(slim::list(&got, slim::comment))
        }
        "get_labels" => Ok(slim::list(
            &ctx.get(format!("{path}/labels")).send(&what).await?,
            slim::label,
        )),
        other => {
            let sub = if other == "get_blocked_by" {
                "dependencies"
            } else {
                "blocks"
            };
            let got = ctx
                .get(format!("{path}/{sub}"))
                .query(page_query(args, 30)?)
                .send(&what)
                .await?;
            Ok(slim::list(&got, dependency))
        }
    }
}

fn dependency(v: &Value) -> Value {
    let mut out = json!({"number": v.get("number"), "title": v.get("title"), "state": v.get("state"), "html_url": v.get("html_url")});
    if let Some(r) = v.pointer("/repository/full_name") {
        out["repository"] = r.clone();
    }
    out
}

/// Label ids from `labels` (ids or names).
async fn labels(
    ctx: ToolContext<'_>,
    owner: &str,
    repo: &str,
    args: &Args,
) -> Result<Option<Vec<i64>>, ToolError> {
    match args.str_list("labels")? {
        None => Ok(None),
        Some(list) => Ok(Some(resolve_labels(ctx, owner, repo, &list).await?)),
    }
}

fn issue_fields(args: &Args, body: &mut Map<String, Value>) -> Result<(), ToolError> {
    for k in ["title", "body", "ref"] {
        if let Some(v) = args.str_opt(k)? {
            body.insert(k.into(), json!(v));
        }
    }
    if let Some(a) = args.str_list("assignees")? {
        body.insert("assignees".into(), json!(a));
    }
    if let Some(m) = args.int_opt("milestone")? {
        body.insert("milestone".into(), json!(m));
    }
    if let Some(d) = args.str_opt("deadline")? {
        body.insert("due_date".into(), json!(d));
    }
    Ok(())
}

async fn write(
    ctx: ToolContext<'_>,
    owner: &str,
    repo: &str,
    args: &Args,
) -> Result<Value, ToolError> {
    let m = args::method_in(args, WRITE_METHODS)?;
    let base = repo_path(owner, repo);
    let full = format!("{owner}/{repo}");
    if m == "create" {
        let mut body = Map::new();
        body.insert("title".into(), json!(args.str_req("title")?));
        issue_fields(args, &mut body)?;
        if let Some(ids) = labels(ctx, owner, repo, args).await? {
            body.insert("labels".into(), json!(ids));
        }
        let body = Value::Object(body);
        let got = ctx
            .post(format!("{base}/issues"))
            .json(&body)
            .keep(ISSUE)
            .send(&format!("create {full}/issue"))
            .await?;
        return Ok(slim::issue(&got));
    }
    if m == "edit_comment" {
        let id = args.int_req("commentID")?;
        let body = json!({"body": args.str_req("body")?});
        let got = ctx
            .patch(format!("{base}/issues/comments/{id}"))
            .json(&body)
            .send(&format!("edit {full} comment {id}"))
            .await?;
        return Ok(slim::comment(&got));
    }
    let num = args.int_req("issue_number")?;
    let path = format!("{base}/issues/{num}");
    let what = format!("{m} {full}/issue/{num}");
    match m.as_str() {
        "update" => {
            let mut body = Map::new();
            issue_fields(args, &mut body)?;
            if let Some(st) = args.str_opt("state")?.filter(|s| s != "all") {
                body.insert("state".into(), json!(st));
            }
            if args.bool_opt("remove_deadline")?.unwrap_or(false) {
                body.insert("unset_due_date".into(), json!(true));
            }
            if let Some(ids) = labels(ctx, owner, repo, args).await? {
                let body = json!({"labels": ids});
                ctx.put(format!("{path}/labels"))
                    .json(&body)
                    .send(&what)
                    .await?;
            }
            let body = Value::Object(body);
            Ok(slim::issue(
                &ctx.patch(path).json(&body).keep(ISSUE).send(&what).await?,
            ))
        }
        "add_comment" => {
            let body = json!({"body": args.str_req("body")?});
            Ok(slim::comment(
                &ctx.post(format!("{path}/comments"))
                    .json(&body)
                    .send(&what)
                    .await?,
            ))
        }
        "add_labels" | "replace_labels" => {
            let ids = labels(ctx, owner, repo, args)
                .await?
                .ok_or_else(|| ToolError::Missing("labels".into()))?;
            let body = json!({"labels": ids});
            let got = if m == "add_labels" {
                ctx.post(format!("{path}/labels"))
            } else {
                ctx.put(format!("{path}/labels"))
            }
            .json(&body)
            .send(&what)
            .await?;
            Ok(slim::list(&got, slim::label))
        }
        "remove_label" => {
            let label = args.str_req("label_id")?;
            let id = resolve_labels(ctx, owner, repo, &[label])
                .await?
                .first()
                .copied()
                .unwrap_or_default();
            ctx.delete(format!("{path}/labels/{id}"))
                .send(&what)
                .await?;
            Ok(json!("Label removed successfully"))
        }
        "clear_labels" => {
            ctx.delete(format!("{path}/labels")).send(&what).await?;
            Ok(json!("Labels cleared successfully"))
        }
        _ => {
            let other = json!({
                "owner": args.str_opt("related_owner")?.unwrap_or_else(|| owner.to_string()),
                "repo": args.str_opt("related_repo")?.unwrap_or_else(|| repo.to_string()),
                "index": args.int_req("related_issue_number")?,
            });
            let sub = match args
                .str_opt("dependency_type")?
                .as_deref()
                .unwrap_or("blocked_by")
            {
                "blocked_by" => "dependencies",
                "blocking" => "blocks",
                other => {
                    return Err(ToolError::invalid(
                        "dependency_type",
                        format!("must be blocked_by or blocking (got {other:?})"),
                    ));
                }
            };
            let url = format!("{path}/{sub}");
            let got = if m == "add_dependency" {
                ctx.post(url)
            } else {
                ctx.delete(url)
            }
            .json(&other)
            .send(&what)
            .await?;
            Ok(dependency(&got))
        }
    }
}
