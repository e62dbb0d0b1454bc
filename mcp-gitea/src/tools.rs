//! The tool catalogue and its dispatcher: each domain module declares its specs and runs
//! its calls through a [`Ctx`] that carries the caller's Gitea token.

use reqwest::Method;
use serde_json::Value;

use crate::args::{Args, ToolError};
use crate::catalog::ToolSpec;
use crate::gitea_client::{GiteaClient, GiteaError};
use crate::slim::prune::Keep;

mod files;
mod issues;
mod labels;
mod milestones;
mod pulls;
mod refs;
mod repos;
mod reviews;
mod users;

/// The Gitea access of one tool call.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The shared client.
    pub gitea: &'a GiteaClient,
    /// The token of this caller (per request, or the operator's).
    pub token: Option<&'a str>,
}

type Query = [(&'static str, String)];

/// What a tool call gives back.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A JSON value (most tools).
    Value(Value),
    /// A JSON array already written as compact text: the text serializing the `Value`
    /// would give (the `list_issues` hot path, see `slim::issue_list`).
    ArrayText(String),
}

impl Output {
    /// The value itself (parsing the text of [`Output::ArrayText`]).
    pub fn into_value(self) -> Value {
        match self {
            Output::Value(v) => v,
            Output::ArrayText(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }
}

impl From<Value> for Output {
    fn from(v: Value) -> Self {
        Output::Value(v)
    }
}

/// A Gitea failure as the tool error of action `what`.
fn failed(what: &str) -> impl FnOnce(GiteaError) -> ToolError + '_ {
    move |source| ToolError::Gitea {
        context: what.to_string(),
        source,
    }
}

impl Ctx<'_> {
    async fn send(
        &self,
        what: &str,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<&Value>,
    ) -> Result<Value, ToolError> {
        self.send_keeping(what, method, path, query, body, Keep::All)
            .await
    }
    /// Like `send`, decoding only what `keep` names of the reply (see `slim::prune`).
    pub async fn send_keeping(
        &self,
        what: &str,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<&Value>,
        keep: Keep,
    ) -> Result<Value, ToolError> {
        let bytes = self.send_raw(what, method, path, query, body).await?;
        Ok(keep.decode(bytes.as_deref()))
    }
    /// Like `send`, but returns the body of a success undecoded (`None` when empty).
    pub async fn send_raw(
        &self,
        what: &str,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<&Value>,
    ) -> Result<Option<bytes::Bytes>, ToolError> {
        self.gitea
            .call_raw(method, self.token, path, query, body)
            .await
            .map_err(failed(what))
    }
    /// GET; `what` names the action in error messages.
    pub async fn get(&self, what: &str, path: &str, query: &Query) -> Result<Value, ToolError> {
        self.send(what, Method::GET, path, query, None).await
    }
    /// POST with a JSON body.
    pub async fn post(&self, what: &str, path: &str, body: &Value) -> Result<Value, ToolError> {
        self.send(what, Method::POST, path, &[], Some(body)).await
    }
    /// PATCH with a JSON body.
    pub async fn patch(&self, what: &str, path: &str, body: &Value) -> Result<Value, ToolError> {
        self.send(what, Method::PATCH, path, &[], Some(body)).await
    }
    /// PUT with a JSON body.
    pub async fn put(&self, what: &str, path: &str, body: &Value) -> Result<Value, ToolError> {
        self.send(what, Method::PUT, path, &[], Some(body)).await
    }
    /// DELETE, optionally with a JSON body.
    pub async fn delete(
        &self,
        what: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ToolError> {
        self.send(what, Method::DELETE, path, &[], body).await
    }
}

/// `page`/`limit` query pairs from `page` and `per_page`.
pub fn page_query(args: &Args, per_page: i64) -> Result<Vec<(&'static str, String)>, ToolError> {
    Ok(vec![
        ("page", args.page("page", 1)?.to_string()),
        ("limit", args.page("per_page", per_page)?.to_string()),
    ])
}

/// Every tool this server implements, in a stable order.
pub fn catalogue() -> Vec<ToolSpec> {
    let mut all = Vec::new();
    all.extend(users::specs());
    all.extend(repos::specs());
    all.extend(refs::specs());
    all.extend(files::specs());
    all.extend(issues::specs());
    all.extend(labels::specs());
    all.extend(milestones::specs());
    all.extend(pulls::specs());
    all
}

/// Runs tool `name` (already known to exist and to be allowed).
pub async fn dispatch(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Output, ToolError> {
    if let "list_issues" | "issue_read" | "issue_write" | "search_issues" = name {
        return issues::call(ctx, name, args).await;
    }
    dispatch_value(ctx, name, args).await.map(Output::Value)
}

/// The tools that answer with a [`Value`].
async fn dispatch_value(ctx: Ctx<'_>, name: &str, args: &Args) -> Result<Value, ToolError> {
    match name {
        "get_gitea_mcp_server_version"
        | "get_me"
        | "get_user_orgs"
        | "search_users"
        | "search_org_teams" => users::call(ctx, name, args).await,
        "search_repos"
        | "create_repo"
        | "fork_repo"
        | "list_my_repos"
        | "list_org_repos"
        | "get_repository_tree" => repos::call(ctx, name, args).await,
        "get_file_contents" | "get_dir_contents" | "create_or_update_file" | "delete_file" => {
            files::call(ctx, name, args).await
        }
        "label_read" | "label_write" => labels::call(ctx, name, args).await,
        "milestone_read" | "milestone_write" => milestones::call(ctx, name, args).await,
        "list_pull_requests"
        | "pull_request_read"
        | "pull_request_write"
        | "pull_request_review_write" => pulls::call(ctx, name, args).await,
        "create_branch" | "delete_branch" | "list_branches" | "rename_branch" | "create_tag"
        | "delete_tag" | "get_tag" | "list_tags" | "list_commits" | "get_commit"
        | "create_release" | "delete_release" | "get_release" | "get_latest_release"
        | "list_releases" => refs::call(ctx, name, args).await,
        _ => Err(ToolError::Other(format!("tool {name} is not implemented"))),
    }
}

/// Resolves label names (or IDs) to IDs for `owner/repo`, listing the repository's labels
/// once when a name is given (and the owning organization's labels once when a name is not
/// among them); an unknown name is an error that lists the valid names.
pub async fn resolve_labels(
    ctx: Ctx<'_>,
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
            let org = format!("/orgs/{}/labels", crate::gitea_client::seg(owner));
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
    ctx: Ctx<'_>,
    owner: &str,
    repo: &str,
) -> Result<Vec<(i64, String)>, ToolError> {
    let path = format!("{}/labels", crate::gitea_client::repo_path(owner, repo));
    label_pages(ctx, &path).await
}

/// `(id, name)` of every label at `path` (up to 20 pages of 50).
async fn label_pages(ctx: Ctx<'_>, path: &str) -> Result<Vec<(i64, String)>, ToolError> {
    let mut out = Vec::new();
    for page in 1..=20 {
        let q = [("page", page.to_string()), ("limit", "50".to_string())];
        let got = ctx.get("list labels", path, &q).await?;
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
