//! Before filing: the repository's open issues are listed through the Gitea MCP server and
//! the hooks look for one carrying the same fingerprint marker (same PipelineRun, or the same
//! failure recently). A match gets a comment for the new occurrence and is returned instead
//! of a new issue. The markers live in Gitea, so this works across agent restarts.
//!
//! Only issues the agent's own Gitea user opened count. The repository is public and any
//! Gitea user may open an issue in it, so a marker alone proves nothing: another user could
//! pre-file issues carrying the markers of failures to come and silence the agent. The own
//! user is the login `get_me` returns (the user of the token the Gitea MCP server files
//! with), asked once per agent and kept; when the server offers no `get_me` or the call
//! fails, it is `MCP_GITEA_USER`. Logins compare case-insensitively, as Gitea's do. An
//! issue whose author the listing does not show is not counted (a new issue is filed).

use serde_json::{Map, Value, json};

use super::own_call::Miss;
use super::{Agent, Run, RunOutcome, with_source};
use crate::prompt::IssueTool;

/// Open issues listed per report (newest first).
const OPEN_ISSUES_PAGE: u64 = 50;
/// Issues whose body is read when the listing leaves bodies out (newest first).
const BODIES_READ: usize = 20;

/// The issues in a listing result: a JSON array, or an object with `items`/`issues`/`Result`.
pub(crate) fn issues_in(text: &str) -> Vec<Value> {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let list = match &value {
        Value::Array(_) => Some(&value),
        Value::Object(map) => ["items", "issues", "Result", "result"]
            .iter()
            .find_map(|k| map.get(*k).filter(|v| v.is_array())),
        _ => None,
    };
    list.and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The login of an issue's author: `user` as a login string (the slim listing) or an object
/// with `login` / `username` (Gitea's own shape).
fn author(issue: &Value) -> Option<&str> {
    match issue.get("user").or_else(|| issue.get("poster"))? {
        Value::String(login) => Some(login),
        Value::Object(user) => user
            .get("login")
            .or_else(|| user.get("username"))
            .and_then(Value::as_str),
        _ => None,
    }
}

/// Whether `issue` was opened by `login`.
pub(crate) fn opened_by(issue: &Value, login: &str) -> bool {
    author(issue).is_some_and(|a| a.eq_ignore_ascii_case(login))
}

impl Agent {
    /// The Gitea login the agent files as (see the module doc); `get_me` is asked until it
    /// answers once, then its answer is kept.
    async fn own_login(&self, run: &Run<'_>) -> String {
        if let Some(login) = self.own_login.get() {
            return login.clone();
        }
        let offered = self.registry.tools().iter().any(|t| t.name == "get_me");
        let asked = if offered {
            self.call_json(run, "get_me", json!({})).await
        } else {
            None
        };
        let login = asked
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .and_then(|me| me.get("login").and_then(Value::as_str).map(String::from))
            .filter(|login| !login.is_empty());
        match login {
            Some(login) => self.own_login.get_or_init(|| async { login }).await.clone(),
            None => self.settings.owner.clone(),
        }
    }

    /// An own call whose misses are logged and skipped: de-duplication is best effort.
    async fn call_json(&self, run: &Run<'_>, tool: &str, args: Value) -> Option<String> {
        match self.own_call(run, tool, args).await {
            Ok(text) => Some(text),
            Err(Miss::NotAnObject) => None,
            Err(Miss::Refused(text)) => {
                tracing::warn!(tool, result = %super::preview(&text, 200), "de-duplication call refused");
                None
            }
            Err(Miss::Failed(e)) => {
                tracing::warn!(tool, error = %e, "de-duplication call failed");
                None
            }
        }
    }

    /// The existing open issue for this report (commented), if there is one.
    pub(super) async fn deduplicate(
        &self,
        run: &Run<'_>,
        issue_tool: &IssueTool,
    ) -> Option<RunOutcome> {
        let tools = self.registry.tools();
        let list_tool = ["list_issues", "list_repo_issues"]
            .into_iter()
            .find(|name| tools.iter().any(|t| t.name == *name))?;
        let (owner, repo) = (&self.settings.owner, &self.settings.repo);
        let me = self.own_login(run).await;
        let args = json!({"owner": owner, "repo": repo, "state": "open", "page": 1, "perPage": OPEN_ISSUES_PAGE, "limit": OPEN_ISSUES_PAGE, "created_by": me});
        let args = self.fit_schema(list_tool, args);
        let listing = self.call_json(run, list_tool, args).await?;
        let mut open = issues_in(&listing);
        let listed = open.len();
        open.retain(|issue| opened_by(issue, &me));
        if open.len() < listed {
            tracing::info!(
                ignored = listed - open.len(),
                own = %me,
                "de-duplication ignores open issues not opened by the agent's user"
            );
        }
        self.fill_bodies(run, &mut open).await;
        let dup = self.hooks.duplicate(run.report, &run.evidence, &open)?;
        let mut comment = Map::new();
        let tool = match issue_tool {
            IssueTool::IssueWrite => {
                comment.insert("method".into(), "add_comment".into());
                comment.insert("issue_number".into(), dup.number.into());
                "issue_write"
            }
            IssueTool::CreateIssue => {
                comment.insert("index".into(), dup.number.into());
                "create_issue_comment"
            }
        };
        comment.insert("owner".into(), owner.clone().into());
        comment.insert("repo".into(), repo.clone().into());
        comment.insert("body".into(), dup.comment.clone().into());
        let commented = self
            .call_json(run, tool, Value::Object(comment))
            .await
            .is_some();
        tracing::info!(issue = dup.number, kind = %dup.kind, commented, "♻️ duplicate of an open issue");
        let url = dup.url.clone();
        let mut analysis = with_source(&run.analysis, "llm");
        if let Value::Object(map) = &mut analysis {
            map.remove("source");
            map.insert(
                "duplicate".into(),
                json!({"of": dup.number, "kind": dup.kind, "commented": commented}),
            );
        }
        Some(RunOutcome {
            result: match &url {
                Some(u) => format!("Issue exists: #{} {u}", dup.number),
                None => format!("Issue exists: #{}", dup.number),
            },
            issue_url: url,
            issue_number: Some(dup.number),
            iterations: 0,
            analysis,
            fallback: false,
        })
    }

    /// Reads the bodies a slim listing left out (`issue_read`, method `get`).
    async fn fill_bodies(&self, run: &Run<'_>, issues: &mut [Value]) {
        let has_read = self.registry.tools().iter().any(|t| t.name == "issue_read");
        if !has_read {
            return;
        }
        let (owner, repo) = (&self.settings.owner, &self.settings.repo);
        for issue in issues
            .iter_mut()
            .filter(|i| i.get("body").is_none())
            .take(BODIES_READ)
        {
            let Some(number) = issue["number"].as_u64() else {
                continue;
            };
            let args =
                json!({"method": "get", "owner": owner, "repo": repo, "issue_number": number});
            let full = self.call_json(run, "issue_read", args).await;
            let body = full
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .and_then(|v| v.get("body").cloned());
            if let (Some(body), Value::Object(map)) = (body, issue) {
                map.insert("body".into(), body);
            }
        }
    }

    /// Keeps only the arguments the tool's schema declares (servers differ on paging names).
    fn fit_schema(&self, tool: &str, args: Value) -> Value {
        let tools = self.registry.tools();
        let Some(props) = tools
            .iter()
            .find(|t| t.name == tool)
            .and_then(|t| t.input_schema.get("properties"))
            .and_then(Value::as_object)
            .cloned()
        else {
            return args;
        };
        match args {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(k, _)| props.contains_key(k))
                    .collect(),
            ),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_listings_in_their_shapes() {
        assert_eq!(issues_in(r#"[{"number":1},{"number":2}]"#).len(), 2);
        assert_eq!(issues_in(r#"{"items":[{"number":1}]}"#).len(), 1);
        assert_eq!(issues_in(r#"{"Result":[{"number":1}]}"#).len(), 1);
        assert!(issues_in(r#"{"items":"none"}"#).is_empty());
        assert!(issues_in("not json").is_empty());
    }

    #[test]
    fn only_issues_of_the_own_user_count() {
        let slim = json!({"number": 1, "user": "User57"});
        let gitea = json!({"number": 2, "user": {"login": "user57", "id": 3}});
        let other = json!({"number": 3, "user": "mallory"});
        let anonymous = json!({"number": 4});
        assert!(opened_by(&slim, "user57") && opened_by(&gitea, "user57"));
        assert!(!opened_by(&other, "user57"));
        assert!(!opened_by(&anonymous, "user57"));
    }

    #[test]
    fn source_is_added_to_any_analysis() {
        assert_eq!(
            with_source(&Value::Null, "fallback"),
            json!({"source": "fallback"})
        );
        assert_eq!(
            with_source(&json!({"category": "oom_killed"}), "llm"),
            json!({"category": "oom_killed", "source": "llm"})
        );
    }
}
