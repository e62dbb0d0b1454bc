//! Branch, tag, commit and release tools.

use serde_json::{Value, json};

use super::{Ctx, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, b, n, owner_repo, paging, s};
use crate::gitea_client::{repo_path, seg};
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
        .params([
            s("branch", "new branch name"),
            s(
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
        .params([s("branch", "branch to delete")])
        .required(&["owner", "repo", "branch"])
        .idempotent(),
        t(
            "list_branches",
            "branch",
            Kind::Read,
            "List branches",
            "Branches of a repository.",
        )
        .params(paging(30))
        .required(&["owner", "repo"]),
        t(
            "rename_branch",
            "branch",
            Kind::Write,
            "Rename branch",
            "Rename a branch.",
        )
        .params([
            s("branch", "current branch name"),
            s("new_name", "new branch name"),
        ])
        .required(&["owner", "repo", "branch", "new_name"]),
        t(
            "create_tag",
            "tag",
            Kind::Write,
            "Create tag",
            "Create a tag.",
        )
        .params([
            s("tag_name", "tag name"),
            s(
                "target",
                "commit, branch or tag to tag (default: default branch)",
            ),
            s("message", "annotation message"),
        ])
        .required(&["owner", "repo", "tag_name"]),
        t(
            "delete_tag",
            "tag",
            Kind::Destructive,
            "Delete tag",
            "Delete a tag.",
        )
        .params([s("tag_name", "tag name")])
        .required(&["owner", "repo", "tag_name"])
        .idempotent(),
        t("get_tag", "tag", Kind::Read, "Get tag", "One tag.")
            .params([s("tag_name", "tag name")])
            .required(&["owner", "repo", "tag_name"]),
        t(
            "list_tags",
            "tag",
            Kind::Read,
            "List tags",
            "Tags of a repository.",
        )
        .params(paging(20))
        .required(&["owner", "repo"]),
        t(
            "list_commits",
            "commit",
            Kind::Read,
            "List commits",
            "Commits of a branch or path, newest first.",
        )
        .params([
            s("sha", "branch or commit to start from"),
            s("path", "only commits touching this path"),
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
        .params([s("sha", "commit SHA")])
        .required(&["owner", "repo", "sha"]),
        t(
            "create_release",
            "release",
            Kind::Write,
            "Create release",
            "Create a release (and its tag if missing).",
        )
        .params([
            s("tag_name", "tag name"),
            s("target", "commit or branch for the tag"),
            s("title", "release title"),
            b("is_draft", "save as draft"),
            b("is_pre_release", "mark as pre-release"),
            s("body", "release notes"),
        ])
        .required(&["owner", "repo", "tag_name", "target", "title"]),
        t(
            "delete_release",
            "release",
            Kind::Destructive,
            "Delete release",
            "Delete a release (the tag stays).",
        )
        .params([n("id", "release id")])
        .required(&["owner", "repo", "id"])
        .idempotent(),
        t(
            "get_release",
            "release",
            Kind::Read,
            "Get release",
            "One release by id.",
        )
        .params([n("id", "release id")])
        .required(&["owner", "repo", "id"]),
        t(
            "get_latest_release",
            "release",
            Kind::Read,
            "Latest release",
            "The newest published release.",
        )
        .required(&["owner", "repo"]),
        t(
            "list_releases",
            "release",
            Kind::Read,
            "List releases",
            "Releases of a repository.",
        )
        .params([
            b("is_draft", "filter drafts"),
            b("is_pre_release", "filter pre-releases"),
        ])
        .params(paging(20))
        .required(&["owner", "repo"]),
    ]
}

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
    let base = repo_path(&owner, &repo);
    let full = format!("{owner}/{repo}");
    match name {
        "create_branch" => {
            let branch = args.str_req("branch")?;
            let mut body = json!({"new_branch_name": branch});
            if let Some(old) = args.str_opt("old_branch")? {
                body["old_branch_name"] = json!(old);
            }
            ctx.post(
                &format!("create {full} branch {branch}"),
                &format!("{base}/branches"),
                &body,
            )
            .await?;
            Ok(json!("Branch Created"))
        }
        "delete_branch" => {
            let branch = args.str_req("branch")?;
            let path = format!("{base}/branches/{}", seg(&branch));
            ctx.delete(&format!("delete {full} branch {branch}"), &path, None)
                .await?;
            Ok(json!("Branch Deleted"))
        }
        "list_branches" => {
            let got = ctx
                .get(
                    &format!("list {full} branches"),
                    &format!("{base}/branches"),
                    &page_query(args, 30)?,
                )
                .await?;
            Ok(slim::list(&got, slim::branch))
        }
        "rename_branch" => {
            let (branch, new_name) = (args.str_req("branch")?, args.str_req("new_name")?);
            let path = format!("{base}/branches/{}", seg(&branch));
            ctx.patch(
                &format!("rename {full} branch {branch}"),
                &path,
                &json!({"name": new_name}),
            )
            .await?;
            Ok(json!("Branch renamed"))
        }
        "create_tag" => {
            let tag = args.str_req("tag_name")?;
            let mut body = json!({"tag_name": tag});
            if let Some(t) = args.str_opt("target")? {
                body["target"] = json!(t);
            }
            if let Some(m) = args.str_opt("message")? {
                body["message"] = json!(m);
            }
            ctx.post(
                &format!("create {full} tag {tag}"),
                &format!("{base}/tags"),
                &body,
            )
            .await?;
            Ok(json!("Tag Created"))
        }
        "delete_tag" => {
            let tag = args.str_req("tag_name")?;
            ctx.delete(
                &format!("delete {full} tag {tag}"),
                &format!("{base}/tags/{}", seg(&tag)),
                None,
            )
            .await?;
            Ok(json!("Tag deleted"))
        }
        "get_tag" => {
            let tag = args.str_req("tag_name")?;
            let got = ctx
                .get(
                    &format!("get {full} tag {tag}"),
                    &format!("{base}/tags/{}", seg(&tag)),
                    &[],
                )
                .await?;
            Ok(slim::tag(&got, true))
        }
        "list_tags" => {
            let got = ctx
                .get(
                    &format!("list {full} tags"),
                    &format!("{base}/tags"),
                    &page_query(args, 20)?,
                )
                .await?;
            Ok(slim::list(&got, |t| slim::tag(t, false)))
        }
        "list_commits" => {
            let mut q = page_query(args, 30)?;
            for k in ["sha", "path"] {
                if let Some(v) = args.str_opt(k)? {
                    q.push((k, v));
                }
            }
            let got = ctx
                .get(
                    &format!("list {full} commits"),
                    &format!("{base}/commits"),
                    &q,
                )
                .await?;
            Ok(slim::list(&got, slim::commit))
        }
        "get_commit" => {
            let sha = args.str_req("sha")?;
            let path = format!("{base}/git/commits/{}", seg(&sha));
            Ok(slim::commit(
                &ctx.get(&format!("get {full} commit {sha}"), &path, &[])
                    .await?,
            ))
        }
        "create_release" => {
            let body = json!({
                "tag_name": args.str_req("tag_name")?,
                "target_commitish": args.str_req("target")?,
                "name": args.str_req("title")?,
                "body": args.str_opt("body")?.unwrap_or_default(),
                "draft": args.bool_opt("is_draft")?.unwrap_or(false),
                "prerelease": args.bool_opt("is_pre_release")?.unwrap_or(false),
            });
            ctx.post(
                &format!("create {full} release"),
                &format!("{base}/releases"),
                &body,
            )
            .await?;
            Ok(json!("Release Created"))
        }
        "delete_release" => {
            let id = args.int_req("id")?;
            ctx.delete(
                &format!("delete {full} release {id}"),
                &format!("{base}/releases/{id}"),
                None,
            )
            .await?;
            Ok(json!("Release deleted"))
        }
        "get_release" => {
            let id = args.int_req("id")?;
            Ok(slim::release(
                &ctx.get(
                    &format!("get {full} release {id}"),
                    &format!("{base}/releases/{id}"),
                    &[],
                )
                .await?,
            ))
        }
        "get_latest_release" => Ok(slim::release(
            &ctx.get(
                &format!("get {full} latest release"),
                &format!("{base}/releases/latest"),
                &[],
            )
            .await?,
        )),
        _ => {
            let mut q = page_query(args, 20)?;
            if let Some(d) = args.bool_opt("is_draft")? {
                q.push(("draft", d.to_string()));
            }
            if let Some(p) = args.bool_opt("is_pre_release")? {
                q.push(("pre-release", p.to_string()));
            }
            let got = ctx
                .get(
                    &format!("list {full} releases"),
                    &format!("{base}/releases"),
                    &q,
                )
                .await?;
            Ok(slim::list(&got, slim::release))
        }
    }
}
