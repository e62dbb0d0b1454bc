//! Reads the created issue's URL and number from the issue tool's result.
//!
//! Whether a tool call failed is never guessed from its text: the server says so with
//! `isError` (or a JSON-RPC error, which the MCP client turns into an `Err`). A pod log, an
//! event, a TaskRun or an issue body may well begin with `Error:` or hold `"error":` as
//! data. The servers this agent talks to have no plain-text error shape to recognise:
//! `kubernetes-mcp-server` and our `mcp-openshift` answer every failure with `isError`
//! (`failed to <verb> …`); `gitea-mcp` ≥ 1.8 and our `mcp-gitea` likewise; the legacy
//! mcp-go `gitea-mcp` (≤ 1.0.x, `create_issue`, results wrapped as `{"Result": …}`) turned
//! every handler error into a JSON-RPC error (−32603), never into a successful text result
//! (`/work/shared/reference/gitea-mcp.md` §1.5, `kubernetes-mcp-server.md` §8).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// The issue a tool call created.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IssueRef {
    /// The issue's web URL.
    pub url: Option<String>,
    /// The issue number.
    pub number: Option<u64>,
}

static ISSUE_URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s"'<>]+/issues/(\d+)"#).ok());

/// Finds `html_url` and `number` in the result: slim JSON, the legacy `{"Result": {…}}`
/// wrapper, or failing that an issue URL anywhere in the text.
pub fn issue_ref(text: &str) -> Option<IssueRef> {
    if let Ok(value) = serde_json::from_str::<Value>(text.trim()) {
        let issue = value
            .get("Result")
            .filter(|r| r.is_object())
            .unwrap_or(&value);
        let url = issue
            .get("html_url")
            .and_then(Value::as_str)
            .map(str::to_string);
        let number = issue.get("number").and_then(|n| {
            n.as_u64()
                .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
        });
        if url.is_some() || number.is_some() {
            return Some(IssueRef { url, number });
        }
    }
    let captures = ISSUE_URL.as_ref()?.captures(text)?;
    Some(IssueRef {
        url: captures.get(0).map(|m| m.as_str().to_string()),
        number: captures.get(1).and_then(|m| m.as_str().parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slim_legacy_and_text_results() {
        let slim = r#"{"number": 3, "html_url": "http://g/u/mcp/issues/3", "title": "t"}"#;
        assert_eq!(
            issue_ref(slim),
            Some(IssueRef {
                url: Some("http://g/u/mcp/issues/3".into()),
                number: Some(3)
            })
        );
        let legacy = r#"{"Result": {"id": 9, "number": 4, "html_url": "http://g/u/mcp/issues/4", "url": "http://g/api/v1/repos/u/mcp/issues/4"}}"#;
        assert_eq!(issue_ref(legacy).unwrap().number, Some(4));
        let text = "Created issue http://gitea:3000/user1/mcp/issues/12 successfully";
        assert_eq!(
            issue_ref(text),
            Some(IssueRef {
                url: Some("http://gitea:3000/user1/mcp/issues/12".into()),
                number: Some(12)
            })
        );
        assert_eq!(issue_ref("nothing here"), None);
    }
}
