//! Repository tools: search, create, fork, list, tree.

use serde_json::{Map, Value, json};

use super::{Ctx, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, b, n, owner_repo, paging, s};
use crate::gitea_client::{repo_path, seg};
use crate::slim;

pub(super) fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec::new(
            "search_repos",
            "search",
            Kind::Read,
            "Search repositories",
            "Find repositories by keyword.",
        )
        .params([
            s("query", "text to search for"),
            b("keywordIsTopic", "match the keyword against topics only"),
            b("keywordInDescription", "also match descriptions"),
            n("ownerID", "only repositories of this user/org id"),
            b(
                "isPrivate",
                "only private (true) or public (false) repositories",
            ),
            b(
                "isArchived",
                "only archived (true) or active (false) repositories",
            ),
            s("sort", "sort field: alpha, created, updated, size, id"),
            s("order", "asc or desc"),
        ])
        .params(paging(30))
        .required(&["query"]),
        ToolSpec::new(
            "create_repo",
            "repository",
            Kind::Write,
            "Create repository",
            "Create a repository for the current user or an organization.",
        )
        .params([
            s("name", "repository name"),
            s("description", "repository description"),
            b("private", "make it private"),
            s("issue_labels", "issue label set to install"),
            b("auto_init", "create an initial commit"),
            b("template", "mark as a template"),
            s("gitignores", "gitignore templates, comma separated"),
            s("license", "license template"),
            s("readme", "readme template"),
            s("default_branch", "default branch name"),
            s("trust_model", "commit signature trust model").one_of(&[
                "default",
                "collaborator",
                "committer",
                "collaboratorcommitter",
            ]),
            s("object_format_name", "object hash").one_of(&["sha1", "sha256"]),
            s(
                "organization",
                "create in this organization instead of your account",
            ),
        ])
        .required(&["name"]),
        ToolSpec::new(
            "fork_repo",
            "repository",
            Kind::Write,
            "Fork repository",
            "Fork a repository.",
        )
        .params([
            s("user", "owner of the repository to fork"),
            s("repo", "repository to fork"),
            s("organization", "fork into this organization"),
            s("name", "name of the fork"),
        ])
        .required(&["user", "repo"]),
        ToolSpec::new(
            "list_my_repos",
            "repository",
            Kind::Read,
            "My repositories",
            "Repositories the current user can access.",
        )
        .params(paging(30)),
        ToolSpec::new(
            "list_org_repos",
            "repository",
            Kind::Read,
            "Organization repositories",
            "Repositories of an organization.",
        )
        .params([s("org", "organization name")])
        .params(paging(100))
        .required(&["org"]),
        ToolSpec::new(
            "get_repository_tree",
            "repository",
            Kind::Read,
            "Repository tree",
            "Files and folders of a tree (commit, branch or tag).",
        )
        .params(owner_repo())
        .params([
            s("tree_sha", "commit SHA, branch or tag"),
            b("recursive", "include subfolders"),
        ])
        .params(paging(30))
        .required(&["owner", "repo", "tree_sha"]),
    ]
}

fn put_str(
    body: &mut Map<String, Value>,
    args: &Args,
    from: &str,
    to: &str,
) -> Result<(), ToolError> {
    if let Some(v) = args.str_opt(from)? {
        body.insert(to.into(), json!(v));
    }
    Ok(())
}

fn put_bool(
    body: &mut Map<String, Value>,
    args: &Args,
    from: &str,
    to: &str,
) -> Result<(), ToolError> {
    if let Some(v) = args.bool_opt(from)? {
        body.insert(to.into(), json!(v));
    }
    Ok(())
}

pub(super) async fn call(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    match name {
        "search_repos" => {
            let mut q = page_query(args, 30)?;
            q.push(("q", args.str_req("query")?));
            let flags = [
                ("keywordIsTopic", "topic"),
                ("keywordInDescription", "includeDesc"),
                ("isPrivate", "is_private"),
                ("isArchived", "archived"),
            ];
            for (from, to) in flags {
                if let Some(v) = args.bool_opt(from)? {
                    q.push((to, v.to_string()));
                }
            }
            if let Some(uid) = args.int_opt("ownerID")? {
                q.push(("uid", uid.to_string()));
            }
            for (from, to) in [("sort", "sort"), ("order", "order")] {
                if let Some(v) = args.str_opt(from)? {
                    q.push((to, v));
                }
            }
            let got = ctx.get("search repos", "/repos/search", &q).await?;
            Ok(slim::list(got.get("data").unwrap_or(&got), slim::repo))
        }
        "create_repo" => {
            let name = args.str_req("name")?;
            let mut body = Map::new();
            body.insert("name".into(), json!(name));
            for k in [
                "description",
                "issue_labels",
                "gitignores",
                "license",
                "readme",
                "default_branch",
                "trust_model",
                "object_format_name",
            ] {
                put_str(&mut body, args, k, k)?;
            }
            for k in ["private", "auto_init", "template"] {
                put_bool(&mut body, args, k, k)?;
            }
            let (path, what) = match args.str_opt("organization")? {
                Some(org) => (
                    format!("/orgs/{}/repos", seg(&org)),
                    format!("create org {org} repo {name}"),
                ),
                None => ("/user/repos".to_string(), format!("create repo {name}")),
            };
            Ok(slim::repo(
                &ctx.post(&what, &path, &Value::Object(body)).await?,
            ))
        }
        "fork_repo" => {
            let (user, repo) = (args.str_req("user")?, args.str_req("repo")?);
            let mut body = Map::new();
            put_str(&mut body, args, "organization", "organization")?;
            put_str(&mut body, args, "name", "name")?;
            let path = format!("{}/forks", repo_path(&user, &repo));
            ctx.post(&format!("fork {user}/{repo}"), &path, &Value::Object(body))
                .await?;
            Ok(json!("Fork success"))
        }
        "list_my_repos" => {
            let got = ctx
                .get("list my repos", "/user/repos", &page_query(args, 30)?)
                .await?;
            Ok(slim::list(&got, slim::repo))
        }
        "list_org_repos" => {
            let org = args.str_req("org")?;
            let path = format!("/orgs/{}/repos", seg(&org));
            ctx.get(&format!("list {org} repos"), &path, &page_query(args, 100)?)
                .await
        }
        _ => {
            let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
            let sha = args.str_req("tree_sha")?;
            let q = vec![
                (
                    "recursive",
                    args.bool_opt("recursive")?.unwrap_or(false).to_string(),
                ),
                ("page", args.page("page", 1)?.to_string()),
                ("per_page", args.page("per_page", 30)?.to_string()),
            ];
            let path = format!("{}/git/trees/{}", repo_path(&owner, &repo), seg(&sha));
            let got = ctx
                .get(&format!("get {owner}/{repo} tree {sha}"), &path, &q)
                .await?;
            let tree = slim::list(got.get("tree").unwrap_or(&Value::Null), |e| {
                json!({"path": e.get("path"), "mode": e.get("mode"), "type": e.get("type"),
                       "size": e.get("size"), "sha": e.get("sha")})
            });
            Ok(
                json!({"sha": got.get("sha"), "truncated": got.get("truncated"),
                      "total_count": got.get("total_count"), "tree": tree}),
            )
        }
    }
}
