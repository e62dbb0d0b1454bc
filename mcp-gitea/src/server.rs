//! The MCP server: lists the exposed tools and runs calls with the caller's token.
//!
//! Tools are declared as data (see `catalog`) rather than with rmcp's tool macros, because
//! the drop-in contract needs tolerant argument handling (numbers as strings, old names,
//! `<name> is required` errors) that typed parameter structs would turn into protocol
//! errors.

pub mod prompts;

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use crate::args::{Args, ToolError};
use crate::catalog::{Filter, ToolSpec};
use crate::config::Secret;
use crate::gitea_client::GiteaClient;
use crate::legacy;
use crate::tools::{self, Output, ToolContext};

/// The server name upstream reports in `initialize`.
pub const SERVER_NAME: &str = "Gitea MCP Server";

/// What [`GiteaMcp::new`] needs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The Gitea client.
    pub gitea: GiteaClient,
    /// The operator's token, used when a request brings none.
    pub static_token: Option<Secret>,
    /// Which tools are exposed.
    pub filter: Filter,
    /// Also list the old tool names.
    pub legacy_tools: bool,
}

#[derive(Debug)]
struct Inner {
    gitea: GiteaClient,
    static_token: Option<Secret>,
    filter: Filter,
    specs: Vec<ToolSpec>,
    listed: Vec<Tool>,
    prompts: Vec<serve_common::prompt_templates::PromptConfig>,
}

/// The Gitea MCP server (cheap to clone; one instance serves every request).
#[derive(Debug, Clone)]
pub struct GiteaMcp {
    inner: Arc<Inner>,
}

impl GiteaMcp {
    /// Builds the tool registry and the tool list once.
    pub fn new(opts: ServerOptions) -> Self {
        let specs = tools::registry();
        let mut listed: Vec<Tool> = specs
            .iter()
            .filter(|s| opts.filter.allows(s))
            .map(ToolSpec::to_tool)
            .collect();
        if opts.legacy_tools {
            for (old, new, method) in legacy::ALIASES {
                if let Some(target) = specs
                    .iter()
                    .find(|s| s.name == *new && opts.filter.allows(s))
                {
                    listed.push(legacy_tool(old, target, *method));
                }
            }
        }
        GiteaMcp {
            inner: Arc::new(Inner {
                gitea: opts.gitea,
                static_token: opts.static_token,
                filter: opts.filter,
                specs,
                listed,
                prompts: Vec::new(),
            }),
        }
    }

    /// Offer the operator's own prompts too (call before the server is cloned; a clone
    /// keeps what it had).
    pub fn with_prompts(
        mut self,
        prompts: Vec<serve_common::prompt_templates::PromptConfig>,
    ) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.prompts = prompts;
        }
        self
    }

    /// The tools `tools/list` returns.
    pub fn listed_tools(&self) -> &[Tool] {
        &self.inner.listed
    }

    /// Runs one call; `token` is the caller's (or `None` to use the static token).
    pub async fn run(
        &self,
        name: &str,
        arguments: serde_json::Map<String, Value>,
        token: Option<&str>,
    ) -> Result<CallToolResult, ErrorData> {
        Ok(self.call(name, arguments, token).await?.into_result())
    }

    /// [`GiteaMcp::run`] before the outcome becomes a `CallToolResult`, for the HTTP fast
    /// path, which writes an [`Output::ArrayText`] into its reply without decoding it.
    pub async fn call(
        &self,
        name: &str,
        arguments: serde_json::Map<String, Value>,
        token: Option<&str>,
    ) -> Result<Reply, ErrorData> {
        let (target, method, is_legacy) = match legacy::lookup(name) {
            Some((new, m)) => (new, m, true),
            None => (name, None, false),
        };
        let spec = self
            .inner
            .specs
            .iter()
            .find(|s| s.name == target)
            .ok_or_else(|| ErrorData::invalid_params(format!("unknown tool: {name}"), None))?;
        if !self.inner.filter.allows(spec) {
            return Ok(Reply::Failure(self.inner.filter.refusal(spec)));
        }
        let mut args = Args::new(arguments);
        if let Some(m) = method {
            args.set("method", json!(m));
        }
        let token = token.or(self.inner.static_token.as_ref().map(Secret::expose));
        let ctx = ToolContext {
            gitea: &self.inner.gitea,
            token,
        };
        let started = Instant::now();
        let outcome = tools::run(spec, ctx, &args).await;
        tracing::debug!(
            tool = name,
            ok = outcome.is_ok(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "tool call"
        );
        Ok(match outcome {
            Ok(out) if is_legacy => Reply::Success(json!({ "Result": out.into_value() }).into()),
            Ok(out) => Reply::Success(out),
            Err(e) => Reply::Failure(message(&e)),
        })
    }
}

/// How a tool call ended, before it becomes a `CallToolResult`.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The tool's result.
    Success(Output),
    /// A tool-level error (`isError`), with its message.
    Failure(String),
}

impl Reply {
    /// The MCP result: compact JSON text plus a structured copy, or the error text.
    pub fn into_result(self) -> CallToolResult {
        match self {
            // The text is already written: decode it for the structured copy only.
            Reply::Success(Output::ArrayText(text)) => {
                let items = serde_json::from_str(&text).unwrap_or(Value::Null);
                success_with_text(items, text)
            }
            Reply::Success(Output::Value(v)) => success(v),
            Reply::Failure(msg) => error_result(&msg),
        }
    }
}

fn message(e: &ToolError) -> String {
    e.to_string()
}

fn legacy_tool(old: &'static str, target: &ToolSpec, method: Option<&str>) -> Tool {
    let schema = target.input_schema(&["method"]);
    let desc = match method {
        Some(m) => format!(
            "Older name of {} with method {m}; prefer the new tool.",
            target.name
        ),
        None => format!("Older name of {}; prefer the new tool.", target.name),
    };
    let mut tool = target.to_tool();
    tool.name = old.into();
    tool.description = Some(desc.into());
    tool.input_schema = Arc::new(schema);
    tool.output_schema = None;
    tool
}

/// A success result: compact JSON text plus a structured copy.
fn success(v: Value) -> CallToolResult {
    // `to_string` writes straight into a buffer; `Display` goes through `fmt` (slower).
    let text = serde_json::to_string(&v).unwrap_or_else(|_| v.to_string());
    success_with_text(v, text)
}

/// [`success`] when `text` is already `v` serialized compactly.
fn success_with_text(v: Value, text: String) -> CallToolResult {
    let structured = match &v {
        Value::Object(_) => Some(v),
        Value::Array(_) => Some(json!({ "items": v })),
        _ => None,
    };
    let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
    r.structured_content = structured;
    r
}

fn error_result(msg: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(msg.to_string())])
}

/// The token of an HTTP request: `Bearer <t>` or `token <t>`, scheme case-insensitive.
pub fn bearer(headers: &http::HeaderMap) -> Option<String> {
    let value = headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(char::is_whitespace)?;
    let token = token.trim();
    let ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    (ok && !token.is_empty()).then(|| token.to_string())
}

impl ServerHandler for GiteaMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .build(),
        )
        .with_server_info(Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION")))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.inner.listed.clone()))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(prompts::list(
            &self.inner.prompts,
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let token = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|p| bearer(&p.headers));
        let args = request.arguments.unwrap_or_default();
        prompts::get(
            self,
            &self.inner.prompts,
            &request.name,
            &args,
            token.as_deref(),
        )
        .await
        .map(Into::into)
        .map_err(|e| ErrorData::invalid_params(e.0, None))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let token = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|p| bearer(&p.headers));
        let args = request.arguments.unwrap_or_default();
        self.run(&request.name, args, token.as_deref())
            .await
            .map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_schemes() {
        let h = |v: &str| {
            let mut m = http::HeaderMap::new();
            m.insert(http::header::AUTHORIZATION, v.parse().unwrap());
            bearer(&m)
        };
        assert_eq!(h("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(h("bearer  abc ").as_deref(), Some("abc"));
        assert_eq!(h("token abc").as_deref(), Some("abc"));
        assert_eq!(h("TOKEN abc").as_deref(), Some("abc"));
        assert_eq!(h("Basic dXNlcjpwdw=="), None);
        assert_eq!(h("Bearer"), None);
        assert_eq!(bearer(&http::HeaderMap::new()), None);
    }
}
