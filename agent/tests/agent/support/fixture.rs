//! Small MCP servers written with rmcp for the tests: an "OpenShift" one with `pods_log`
//! (and a destructive `pods_delete` that must never be offered) and a "Gitea" one with
//! `issue_write` (current) or `create_issue` (legacy, `{"Result": …}` answers). Their tool
//! lists can change at run time, with a `tools/list_changed` notice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{Peer, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

#[derive(Default)]
pub struct State {
    pub tools: Vec<Tool>,
    pub logs: HashMap<String, String>,
    pub issues: Vec<Value>,
    pub calls: Vec<(String, Value)>,
    pub peers: Vec<Peer<RoleServer>>,
    /// Tools per `tools/list` page (0: all on one page); the cursor is the next index.
    pub page_size: usize,
    /// `tools/list` requests served.
    pub list_requests: usize,
    /// Fixed successful answers by tool name (`pods_get`, `resources_get`, `events_list`).
    pub canned: HashMap<String, String>,
    /// Fields added to every created issue in the issue tools' answer.
    pub issue_extra: serde_json::Map<String, Value>,
}

#[derive(Clone, Default)]
pub struct Fixture {
    pub state: Arc<Mutex<State>>,
}

fn schema(v: Value) -> Arc<serde_json::Map<String, Value>> {
    Arc::new(v.as_object().unwrap().clone())
}

pub fn pods_log_tool() -> Tool {
    Tool::new(
        "pods_log",
        "Print the logs of a pod",
        schema(json!({"type": "object", "properties": {
            "namespace": {"type": "string"}, "name": {"type": "string"}, "container": {"type": "string"},
            "tail": {"type": "integer"}, "previous": {"type": "boolean"}}, "required": ["name"]})),
    )
}

/// A read tool answering with `canned` text (the Kubernetes reads of the investigation).
pub fn read_tool(name: &'static str) -> Tool {
    Tool::new(
        name,
        "A cluster read",
        schema(json!({"type": "object", "properties": {
            "namespace": {"type": "string"}, "name": {"type": "string"},
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}}})),
    )
}

pub fn pods_delete_tool() -> Tool {
    Tool::new(
        "pods_delete",
        "Delete a pod",
        schema(
            json!({"type": "object", "properties": {"namespace": {"type": "string"}, "name": {"type": "string"}}, "required": ["name"]}),
        ),
    )
}

pub fn issue_write_tool() -> Tool {
    Tool::new(
        "issue_write",
        "Create or change issues",
        schema(json!({"type": "object", "properties": {
            "method": {"type": "string", "enum": ["create", "update", "add_comment"]},
            "owner": {"type": "string"}, "repo": {"type": "string"}, "issue_number": {"type": "integer"},
            "title": {"type": "string"}, "body": {"type": "string"}}, "required": ["method", "owner", "repo"]})),
    )
}

pub fn create_issue_tool() -> Tool {
    Tool::new(
        "create_issue",
        "Create an issue",
        schema(json!({"type": "object", "properties": {
            "owner": {"type": "string"}, "repo": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"}},
            "required": ["owner", "repo", "title"]})),
    )
}

impl Fixture {
    pub fn with_tools(tools: Vec<Tool>) -> Self {
        let f = Self::default();
        f.state.lock().unwrap().tools = tools;
        f
    }
    pub fn openshift() -> Self {
        Self::with_tools(vec![pods_log_tool(), pods_delete_tool()])
    }
    pub fn gitea() -> Self {
        Self::with_tools(vec![issue_write_tool()])
    }
    pub fn legacy_gitea() -> Self {
        Self::with_tools(vec![create_issue_tool()])
    }
    pub fn set_log(&self, pod: &str, text: &str) {
        self.state
            .lock()
            .unwrap()
            .logs
            .insert(pod.into(), text.into());
    }
    /// Answers `tool` with `text` (a success) from now on.
    pub fn set_canned(&self, tool: &str, text: &str) {
        self.state
            .lock()
            .unwrap()
            .canned
            .insert(tool.into(), text.into());
    }
    pub fn issues(&self) -> Vec<Value> {
        self.state.lock().unwrap().issues.clone()
    }
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().calls.clone()
    }
    /// Replaces the tool list and tells every connected client.
    pub async fn set_tools(&self, tools: Vec<Tool>) {
        let peers = {
            let mut s = self.state.lock().unwrap();
            s.tools = tools;
            s.peers.clone()
        };
        for p in peers {
            let _ = p.notify_tool_list_changed().await;
        }
    }

    async fn call(&self, name: &str, args: Value) -> CallToolResult {
        self.state
            .lock()
            .unwrap()
            .calls
            .push((name.to_string(), args.clone()));
        let text = |t: String| vec![ContentBlock::text(t)];
        let canned = self.state.lock().unwrap().canned.get(name).cloned();
        if let Some(answer) = canned {
            return CallToolResult::success(text(answer));
        }
        match name {
            "pods_log" => {
                let pod = args["name"].as_str().unwrap_or_default().to_string();
                if pod.starts_with("slow-") {
                    tokio::time::sleep(Duration::from_millis(1000)).await;
                }
                // A log set for `pod/container` wins over the pod's log.
                let container = args["container"].as_str().unwrap_or_default();
                let logs = &self.state.lock().unwrap().logs;
                match logs.get(&format!("{pod}/{container}")).or(logs.get(&pod)) {
                    Some(log) => CallToolResult::success(text(log.clone())),
                    None => CallToolResult::error(text(format!("pods \"{pod}\" not found"))),
                }
            }
            "issue_write" | "create_issue" => {
                let mut s = self.state.lock().unwrap();
                let number = s.issues.len() + 1;
                let (owner, repo) = (
                    args["owner"].as_str().unwrap_or(""),
                    args["repo"].as_str().unwrap_or(""),
                );
                let issue = json!({"id": 100 + number, "number": number, "title": args["title"], "body": args["body"],
                    "html_url": format!("http://gitea.test/{owner}/{repo}/issues/{number}"), "state": "open"});
                s.issues.push(issue.clone());
                let mut issue = issue;
                if let Value::Object(map) = &mut issue {
                    map.extend(s.issue_extra.clone());
                }
                let out = if name == "create_issue" {
                    json!({"Result": issue})
                } else {
                    issue
                };
                CallToolResult::success(text(out.to_string()))
            }
            other => {
                CallToolResult::error(text(format!("{other} is not implemented by the fixture")))
            }
        }
    }
}

impl ServerHandler for Fixture {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut s = self.state.lock().unwrap();
        s.peers.push(context.peer.clone());
        s.list_requests += 1;
        if s.page_size == 0 {
            return Ok(ListToolsResult::with_all_items(s.tools.clone()));
        }
        let start: usize = match request.and_then(|r| r.cursor) {
            Some(cursor) => cursor
                .parse()
                .map_err(|_| ErrorData::invalid_params("bad cursor", None))?,
            None => 0,
        };
        let end = (start + s.page_size).min(s.tools.len());
        Ok(ListToolsResult {
            tools: s.tools.get(start..end).unwrap_or_default().to_vec(),
            next_cursor: (end < s.tools.len()).then(|| end.to_string()),
            ..Default::default()
        })
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let known = self
            .state
            .lock()
            .unwrap()
            .tools
            .iter()
            .any(|t| t.name == request.name);
        if !known {
            return Err(ErrorData::invalid_params("tool not found", None));
        }
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        Ok(self.call(&request.name, args).await.into())
    }
}
