//! Repository tools: search, create, fork, list, tree.

use serde_json::{Map, Value, json};

use super::{ToolContext, page_query};
use crate::args::{Args, ToolError};
use crate::catalog::{Kind, ToolSpec, bool_param, number_param, owner_repo, paging, string_param};
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
        .runs(handler!(search_repos))
        .params([
            string_param("query", "text to search for"),
            bool_param("keywordIsTopic", "match the keyword against topics only"),
            bool_param("keywordInDescription", "also match descriptions"),
            number_param("ownerID", "only repositories of this user/org id"),
            bool_param(
                "isPrivate",
                "only private (true) or public (false) repositories",
            ),
            bool_param(
                "isArchived",
                "only archived (true) or active (false) repositories",
            ),
            string_param("sort", "sort field: alpha, created, updated, size, id"),
            string_param("order", "asc or desc"),
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
        .runs(handler!(create_repo))
        .params([
            string_param("name", "repository name"),
            string_param("description", "repository description"),
            bool_param("private", "make it private"),
            string_param("issue_labels", "issue label set to install"),
            bool_param("auto_init", "create an initial commit"),
            bool_param("template", "mark as a template"),
            string_param("gitignores", "gitignore templates, comma separated"),
            string_param("license", "license template"),
            string_param("readme", "readme template"),
            string_param("default_branch", "default branch name"),
            string_param("trust_model", "commit signature trust model").one_of(&[
                "default",
                "collaborator",
                "committer",
                "collaboratorcommitter",
            ]),
            string_param("object_format_name", "object hash").one_of(&["sha1", "sha256"]),
            string_param(
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
        .runs(handler!(fork_repo))
        .params([
            string_param("user", "owner of the repository to fork"),
            string_param("repo", "repository to fork"),
            string_param("organization", "fork into this organization"),
            string_param("name", "name of the fork"),
        ])
        .required(&["user", "repo"]),
        ToolSpec::new(
            "list_my_repos",
            "repository",
            Kind::Read,
            "My repositories",
            "Repositories the current user can access.",
        )
        .runs(handler!(list_my_repos))
        .params(paging(30)),
        ToolSpec::new(
            "list_org_repos",
            "repository",
            Kind::Read,
            "Organization repositories",
            "Repositories of an organization.",
        )
        .runs(handler!(list_org_repos))
        .params([string_param("org", "organization name")])
        .params(paging(100))
        .required(&["org"]),
        ToolSpec::new(
            "get_repository_tree",
            "repository",
            Kind::Read,
            "Repository tree",
            "Files and folders of a tree (commit, branch or tag).",
        )
        .runs(handler!(get_repository_tree))
        .params(owner_repo())
        .params([
            string_param("tree_sha", "commit SHA, branch or tag"),
            bool_param("recursive", "include subfolders"),
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

async fn search_repos(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
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
    let got = ctx
        .get("/repos/search")
        .query(q)
        .send("search repos")
        .await?;
    Ok(slim::list(got.get("data").unwrap_or(&got), slim::repo))
}

async fn create_repo(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
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
    let body = Value::Object(body);
    Ok(slim::repo(&ctx.post(path).json(&body).send(&what).await?))
}

async fn fork_repo(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let (user, repo) = (args.str_req("user")?, args.str_req("repo")?);
    let mut body = Map::new();
    put_str(&mut body, args, "organization", "organization")?;
    put_str(&mut body, args, "name", "name")?;
    let body = Value::Object(body);
    ctx.post(format!("{}/forks", repo_path(&user, &repo)))
        .json(&body)
        .send(&format!("fork {user}/{repo}"))
        .await?;
    Ok(json!("Fork success"))
}

async fn list_my_repos(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let got = ctx
        .get("/user/repos")
        .query(page_query(args, 30)?)
        .send("list my repos")
        .await?;
    Ok(slim::list(&got, slim::repo))
}

async fn list_org_repos(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
    let org = args.str_req("org")?;
    ctx.get(format!("/orgs/{}/repos", seg(&org)))
        .query(page_query(args, 100)?)
        .send(&format!("list {org} repos"))
        .await
}

async fn get_repository_tree(ctx: ToolContext<'_>, args: &Args) -> Result<Value, ToolError> {
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
        .get(path)
        .query(q)
        .send(&format!("get {owner}/{repo} tree {sha}"))
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
