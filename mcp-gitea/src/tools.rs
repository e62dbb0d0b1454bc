//! The tool registry: each domain module lists its tools as [`ToolSpec`]s that carry their
//! handlers, [`registry`] joins those lists (the catalog `tools/list` and `-read-only`,
//! `-tools` and `-scope` filter), and [`dispatch`] runs a tool by name through its spec.
//!
//! Adding a tool is one place: write its `async fn(ToolContext, &Args)` in the domain
//! module and add its spec, with `.runs(handler!(that_fn))`, to that module's `specs()`.

use crate::args::{Args, ToolError};
use crate::catalog::ToolSpec;
pub use crate::context::{Output, ToolContext};
use crate::gitea_client::{repo_path, seg};

/// A [`crate::catalog::Handler`] from an `async fn(ToolContext<'_>, &Args) -> Result<T,
/// ToolError>` where `T` is a [`serde_json::Value`] or an [`Output`].
macro_rules! handler {
    ($run:path) => {{
        let handler: $crate::catalog::Handler = |ctx, args| {
            Box::pin(async move { $run(ctx, args).await.map($crate::context::Output::from) })
        };
        handler
    }};
}

mod actions_config;
mod actions_run;
mod attachments;
mod files;
mod issues;
mod labels;
mod milestones;
mod notifications;
mod packages;
mod projects;
mod pulls;
mod refs;
mod repos;
mod reviews;
mod timetracking;
mod users;
mod wiki;

/// `page`/`limit` query pairs from `page` and `per_page`.
pub fn page_query(args: &Args, per_page: i64) -> Result<Vec<(&'static str, String)>, ToolError> {
    Ok(vec![
        ("page", args.page("page", 1)?.to_string()),
        ("limit", args.page("per_page", per_page)?.to_string()),
    ])
}

/// The repository a tool works on, from its `owner` and `repo` arguments (read in that
/// order, so a call missing both names `owner`).
pub(crate) struct RepoRef {
    /// `owner` as given.
    pub(crate) owner: String,
    /// `repo` as given.
    pub(crate) repo: String,
    /// `/repos/{owner}/{repo}`, encoded.
    pub(crate) base: String,
    /// `owner/repo`, for messages.
    pub(crate) full: String,
}

impl RepoRef {
    /// Reads `owner` and `repo` (both required).
    pub(crate) fn from_args(args: &Args) -> Result<Self, ToolError> {
        let (owner, repo) = (args.str_req("owner")?, args.str_req("repo")?);
        Ok(RepoRef {
            base: repo_path(&owner, &repo),
            full: format!("{owner}/{repo}"),
            owner,
            repo,
        })
    }
}

/// Every tool this server implements, with its handler, in a stable order: the catalog.
pub fn registry() -> Vec<ToolSpec> {
    let mut all = Vec::new();
    all.extend(users::specs());
    all.extend(repos::specs());
    all.extend(refs::specs());
    all.extend(files::specs());
    all.extend(issues::specs());
    all.extend(labels::specs());
    all.extend(milestones::specs());
    all.extend(pulls::specs());
    all.extend(attachments::specs());
    all.extend(notifications::specs());
    all.extend(wiki::specs());
    all.extend(timetracking::specs());
    all.extend(packages::specs());
    all.extend(projects::specs());
    all.extend(actions_config::specs());
    all.extend(actions_run::specs());
    all
}

/// Runs `spec`'s handler (the caller has checked that the tool is allowed).
pub async fn run(spec: &ToolSpec, ctx: ToolContext<'_>, args: &Args) -> Result<Output, ToolError> {
    match spec.handler() {
        Some(handler) => handler(ctx, args).await,
        None => Err(ToolError::Other(format!(
            "tool {} is not implemented",
            spec.name
        ))),
    }
}

/// Runs tool `name` of `specs` by name.
pub async fn dispatch(
    specs: &[ToolSpec],
    ctx: ToolContext<'_>,
    name: &str,
    args: &Args,
) -> Result<Output, ToolError> {
    match specs.iter().find(|s| s.name == name) {
        Some(spec) => run(spec, ctx, args).await,
        None => Err(ToolError::Other(format!("tool {name} is not implemented"))),
    }
}

/// Resolves label names (or IDs) to IDs for `owner/repo`, listing the repository's labels
/// once when a name is given (and the owning organization's labels once when a name is not
/// among them); an unknown name is an error that lists the valid names.
pub async fn resolve_labels(
    ctx: ToolContext<'_>,
    owner: &str,
    repo: &str,
    wanted: &[String],
) -> Result<Vec<i64>, ToolError> {
    let mut ids = Vec::new();
    let mut known: Option<Vec<(i64, String)>> = None;
    let mut org_checked = false;
    for item in wanted {
        if let Ok(id) = item.trim().parse::<i64>() {
            ids.push(id);
            continue;
        }
        if known.is_none() {
            known = Some(repo_labels(ctx, owner, repo).await?);
        }
        let find = |labels: &[(i64, String)]| {
            labels
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(item.trim()))
                .map(|(id, _)| *id)
        };
        let mut found = find(known.as_deref().unwrap_or_default());
        if found.is_none() && !org_checked {
            // Labels of the owning organization are usable too; a user owner has none
            // (Gitea answers 404), which is not an error here.
            org_checked = true;
            let org = format!("/orgs/{}/labels", seg(owner));
            if let Some(extra) = label_pages(ctx, &org).await.ok().filter(|l| !l.is_empty()) {
                known.get_or_insert_with(Vec::new).extend(extra);
            }
            found = find(known.as_deref().unwrap_or_default());
        }
        let labels = known.as_deref().unwrap_or_default();
        match found {
            Some(id) => ids.push(id),
            None => {
                let names: Vec<&str> = labels.iter().map(|(_, n)| n.as_str()).collect();
                return Err(ToolError::invalid(
                    "labels",
                    format!("contains unknown label {item:?}; labels of {owner}/{repo}: {names:?}"),
                ));
            }
        }
    }
    Ok(ids)
}

async fn repo_labels(
    ctx: ToolContext<'_>,
    owner: &str,
    repo: &str,
) -> Result<Vec<(i64, String)>, ToolError> {
    let path = format!("{}/labels", repo_path(owner, repo));
    label_pages(ctx, &path).await
}

/// `(id, name)` of every label at `path` (up to 20 pages of 50).
async fn label_pages(ctx: ToolContext<'_>, path: &str) -> Result<Vec<(i64, String)>, ToolError> {
    let mut out = Vec::new();
    for page in 1..=20 {
        let q = [("page", page.to_string()), ("limit", "50".to_string())];
        let got = ctx.get(path).query(q).send("list labels").await?;
        let items = got.as_array().cloned().unwrap_or_default();
        let n = items.len();
        out.extend(
            items.iter().filter_map(|l| {
                Some((l.get("id")?.as_i64()?, l.get("name")?.as_str()?.to_string()))
            }),
        );
        if n < 50 {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
