//! Branch, tag, commit and release tools.

use serde_json::{Value, json};

use super::{RepoRef, ToolContext, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, bool_param, number_param, owner_repo, paging, string_param};
use crate::gitea_client::seg;
use crate::slim;

fn or() -> [crate::catalog::Param; 2] {
    owner_repo()
}

pub(super) fn specs() -> Vec<ToolSpec> {
    let t =
        |name, scope, kind, title, desc| ToolSpec::new(name, scope, kind, title, desc).params(or());
    vec![
        t(
            "create_branch",
            "branch",
            Kind::Write,
            "Create branch",
            "Create a branch from another branch.",
        )
        .runs(handler!(create_branch))
        .params([
            string_param("branch", "new branch name"),
            string_param(
                "old_branch",
                "branch to start from (default: the default branch)",
            ),
        ])
        .required(&["owner", "repo", "branch"]),
        t(
            "delete_branch",
            "branch",
            Kind::Destructive,
            "Delete branch",
            "Delete a branch.",
        )
        .runs(handler!(delete_branch))
        .params([string_param("branch", "branch to delete")])
        .required(&["owner", "repo", "branch"])
        .idempotent(),
        t(
            "list_branches",
            "branch",
            Kind::Read,
            "List branches",
            "Branches of a repository.",
        )
        .runs(handler!(list_branches))
        .params(paging(30))
        .required(&["owner", "repo"]),
        t(
            "rename_branch",
            "branch",
            Kind::Write,
            "Rename branch",
            "Rename a branch.",
        )
        .runs(handler!(rename_branch))
        .params([
            string_param("branch", "current branch name"),
            string_param("new_name", "new branch name"),
        ])
        .required(&["owner", "repo", "branch", "new_name"]),
        t(
            "create_tag",
            "tag",
            Kind::Write,
            "Create tag",
            "Create a tag.",
        )
        .runs(handler!(create_tag))
        .params([
            string_param("tag_name", "tag name"),
            string_param(
                "target",
                "commit, branch or tag to tag (default: default branch)",
            ),
            string_param("message", "annotation message"),
        ])
        .required(&["owner", "repo", "tag_name"]),
        t(
            "delete_tag",
            "tag",
            Kind::Destructive,
            "Delete tag",
            "Delete a tag.",
        )
        .runs(handler!(delete_tag))
        .params([string_param("tag_name", "tag name")])
        .required(&["owner", "repo", "tag_name"])
        .idempotent(),
        t("get_tag", "tag", Kind::Read, "Get tag", "One tag.")
            .runs(handler!(get_tag))
            .params([string_param("tag_name", "tag name")])
            .required(&["owner", "repo", "tag_name"]),
        t(
            "list_tags",
            "tag",
            Kind::Read,
            "List tags",
            "Tags of a repository.",
        )
        .runs(handler!(list_tags))
        .params(paging(20))
        .required(&["owner", "repo"]),
        t(
            "list_commits",
            "commit",
            Kind::Read,
            "List commits",
            "Commits of a branch or path, newest first.",
        )
        .runs(handler!(list_commits))
        .params([
            string_param("sha", "branch or commit to start from"),
            string_param("path", "only commits touching this path"),
        ])
        .params(paging(30))
        .required(&["owner", "repo"]),
        t(
            "get_commit",
            "commit",
            Kind::Read,
            "Get commit",
            "One commit.",
        )
        .runs(handler!(get_commit))
        .params([string_param("sha", "commit SHA")])
        .required(&["owner", "repo", "sha"]),
        t(
            "create_release",
            "release",
            Kind::Write,
            "Create release",
            "Create a release (and its tag if missing).",
        )
        .runs(handler!(create_release))
        .params([
            string_param("tag_name", "tag name"),
            string_param("target", "commit or branch for the tag"),
            string_param("title", "release title"),
            bool_param("is_draft", "save as draft"),
            bool_param("is_pre_release", "mark as pre-release"),
            string_param("body", "release notes"),
        ])
        .required(&["owner", "repo", "tag_name", "target", "title"]),
        t(
            "delete_release",
            "release",
            Kind::Destructive,
            "Delete release",
            "Delete a release (the tag stays).",
        )
        .runs(handler!(delete_release))
        .params([number_param("id", "release id")])
        .required(&["owner", "repo", "id"])
        .idempotent(),
        t(
            "get_release",
            "release",
            Kind::Read,
            "Get release",
            "One release by id.",
        )
        .runs(handler!(get_release))
        .params([number_param("id", "release id")])
        .required(&["owner", "repo", "id"]),
        t(
            "get_latest_release",
            "release",
            Kind::Read,
            "Latest release",
            "The newest published release.",
        )
        .runs(handler!(get_latest_release))
        .required(&["owner", "repo"]),
        t(
            "list_releases",
            "release",
            Kind::Read,
            "List releases",
            "Releases of a repository.",
        )
        .runs(handler!(list_releases))
        .params([
            bool_param("is_draft", "filter drafts"),
            bool_param("is_pre_release", "filter pre-releases"),
        ])
        .params(paging(20))
        .required(&["owner", "repo"]),
    ]
}

async fn create_branch(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let branch = args.str_req("branch")?;
    let mut body = json!({"new_branch_name": branch});
    if let Some(old) = args.str_opt("old_branch")? {
        body["old_branch_name"] = json!(old);
    }
    ctx.post(format!("{base}/branches"))
        .json(&body)
        .send(&format!("create {full} branch {branch}"))
        .await?;
    Ok(json!("Branch Created"))
}

async fn delete_branch(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let branch = args.str_req("branch")?;
    ctx.delete(format!("{base}/branches/{}", seg(&branch)))
        .send(&format!("delete {full} branch {branch}"))
        .await?;
    Ok(json!("Branch Deleted"))
}

async fn list_branches(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let got = ctx
        .get(format!("{base}/branches"))
        .query(page_query(args, 30)?)
        .send(&format!("list {full} branches"))
        .await?;
    Ok(slim::list(&got, slim::branch))
}

async fn rename_branch(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let (branch, new_name) = (args.str_req("branch")?, args.str_req("new_name")?);
    ctx.patch(format!("{base}/branches/{}", seg(&branch)))
        .json(&json!({"name": new_name}))
        .send(&format!("rename {full} branch {branch}"))
        .await?;
    Ok(json!("Branch renamed"))
}

async fn create_tag(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let tag = args.str_req("tag_name")?;
    let mut body = json!({"tag_name": tag});
    if let Some(t) = args.str_opt("target")? {
        body["target"] = json!(t);
    }
    if let Some(m) = args.str_opt("message")? {
        body["message"] = json!(m);
    }
    ctx.post(format!("{base}/tags"))
        .json(&body)
        .send(&format!("create {full} tag {tag}"))
        .await?;
    Ok(json!("Tag Created"))
}

async fn delete_tag(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let tag = args.str_req("tag_name")?;
    ctx.delete(format!("{base}/tags/{}", seg(&tag)))
        .send(&format!("delete {full} tag {tag}"))
        .await?;
    Ok(json!("Tag deleted"))
}

async fn get_tag(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let tag = args.str_req("tag_name")?;
    let got = ctx
        .get(format!("{base}/tags/{}", seg(&tag)))
        .send(&format!("get {full} tag {tag}"))
        .await?;
    Ok(slim::tag(&got, true))
}

async fn list_tags(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let got = ctx
        .get(format!("{base}/tags"))
        .query(page_query(args, 20)?)
        .send(&format!("list {full} tags"))
        .await?;
    Ok(slim::list(&got, |t| slim::tag(t, false)))
}

async fn list_commits(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let mut q = page_query(args, 30)?;
    for k in ["sha", "path"] {
        if let Some(v) = args.str_opt(k)? {
            q.push((k, v));
        }
    }
    let got = ctx
        .get(format!("{base}/commits"))
        .query(q)
        .send(&format!("list {full} commits"))
        .await?;
    Ok(slim::list(&got, slim::commit))
}

async fn get_commit(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let sha = args.str_req("sha")?;
    let got = ctx
        .get(format!("{base}/git/commits/{}", seg(&sha)))
        .send(&format!("get {full} commit {sha}"))
        .await?;
    Ok(slim::commit(&got))
}

async fn create_release(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let body = json!({
        "tag_name": args.str_req("tag_name")?,
        "target_commitish": args.str_req("target")?,
        "name": args.str_req("title")?,
        "body": args.str_opt("body")?.unwrap_or_default(),
        "draft": args.bool_opt("is_draft")?.unwrap_or(false),
        "prerelease": args.bool_opt("is_pre_release")?.unwrap_or(false),
    });
    ctx.post(format!("{base}/releases"))
        .json(&body)
        .send(&format!("create {full} release"))
        .await?;
    Ok(json!("Release Created"))
}

async fn delete_release(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let id = args.int_req("id")?;
    ctx.delete(format!("{base}/releases/{id}"))
        .send(&format!("delete {full} release {id}"))
        .await?;
    Ok(json!("Release deleted"))
}

async fn get_release(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let id = args.int_req("id")?;
    let got = ctx
        .get(format!("{base}/releases/{id}"))
        .send(&format!("get {full} release {id}"))
        .await?;
    Ok(slim::release(&got))
}

async fn get_latest_release(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let got = ctx
        .get(format!("{base}/releases/latest"))
        .send(&format!("get {full} latest release"))
        .await?;
    Ok(slim::release(&got))
}

async fn list_releases(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let RepoRef { base, full, .. } = RepoRef::from_args(args)?;
    let mut q = page_query(args, 20)?;
    if let Some(d) = args.bool_opt("is_draft")? {
        q.push(("draft", d.to_string()));
    }
    if let Some(p) = args.bool_opt("is_pre_release")? {
        q.push(("pre-release", p.to_string()));
    }
    let got = ctx
        .get(format!("{base}/releases"))
        .query(q)
        .send(&format!("list {full} releases"))
        .await?;
    Ok(slim::list(&got, slim::release))
}
