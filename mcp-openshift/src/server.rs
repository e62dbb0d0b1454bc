//! The MCP server: lists the filtered catalog and dispatches calls to the tools with the
//! caller's identity (token passthrough) or the server's own.

use std::sync::Arc;
use std::time::Instant;

#[allow(deprecated)] // logging/setLevel: deprecated by SEP-2577, still sent by older clients
use rmcp::model::SetLevelRequestParams;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use crate::args::Args;
use crate::catalog::Catalog;
use crate::cluster::Cluster;
use crate::config::ListOutput;
use crate::error::{KubeError, ToolError};
use crate::kube_api::Kube;
use crate::metrics::Metrics;
use crate::tools::ToolContext;

/// Everything sessions share.
pub struct ServerState {
    /// The cluster and its clients.
    pub cluster: Cluster,
    /// Offered tools.
    pub catalog: Catalog,
    /// Offered prompts.
    pub prompts: crate::prompts::Prompts,
    /// List rendering.
    pub list_output: ListOutput,
    /// Counters.
    pub metrics: Metrics,
    /// What one tool call may read.
    pub limits: crate::config::OutputLimits,
    /// The helm toolset's settings.
    pub helm: crate::config::HelmSettings,
}

/// One MCP session's handler (cheap to clone).
#[derive(Clone)]
pub struct McpServer {
    state: Arc<ServerState>,
    session_token: Option<String>,
}

/// The bearer token of a request's headers: `Authorization`, else the legacy `kubernetes-authorization`.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<String> {
    [
        http::header::AUTHORIZATION.as_str(),
        "kubernetes-authorization",
    ]
    .iter()
    .find_map(|h| {
        let v = headers.get(*h)?.to_str().ok()?.trim();
        let (scheme, token) = v.split_once(' ')?;
        (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
            .then(|| token.trim().to_string())
    })
}

impl McpServer {
    /// A handler; `session_token` is the identity fixed for the whole session (legacy SSE).
    pub fn new(state: Arc<ServerState>, session_token: Option<String>) -> Self {
        Self {
            state,
            session_token,
        }
    }

    fn token(&self, ctx: &RequestContext<RoleServer>) -> Option<String> {
        ctx.extensions
            .get::<http::request::Parts>()
            .and_then(|p| bearer_token(&p.headers))
            .or_else(|| self.session_token.clone())
    }

    /// The cluster a call's `context` argument names, and the client for the caller there.
    fn target(
        &self,
        args: &serde_json::Map<String, serde_json::Value>,
        token: Option<&str>,
    ) -> Result<(&Cluster, Kube), KubeError> {
        let cluster = match args.get("context") {
            None | Some(serde_json::Value::Null) => &self.state.cluster,
            Some(serde_json::Value::String(c)) => self.state.cluster.for_context(Some(c))?,
            Some(_) => return Err(KubeError::msg("context parameter must be a string")),
        };
        Ok((cluster, cluster.for_token(token)?))
    }

    /// What a tool (or a prompt gathering through tools) sees for one call.
    fn tool_context<'a>(&'a self, cluster: &'a Cluster, kube: Kube) -> ToolContext<'a> {
        ToolContext {
            kube,
            cluster,
            contexts: self.state.cluster.contexts(),
            list_output: self.state.list_output,
            limits: self.state.limits,
            helm: self.state.helm.clone(),
        }
    }

    /// Tools this server offers.
    pub fn tools(&self) -> Vec<Tool> {
        self.state.catalog.tools()
    }
}

impl ServerHandler for McpServer {
    #[allow(deprecated)] // logging is deprecated in the newest spec; upstream still advertises it
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_logging()
                .build(),
        )
        .with_server_info(
            Implementation::new("kubernetes-mcp-server", env!("CARGO_PKG_VERSION"))
                .with_title("kubernetes-mcp-server"),
        )
    }

    /// Accepted for compatibility (upstream advertises logging); we send no log notifications.
    #[allow(deprecated)]
    async fn set_level(
        &self,
        _request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Ok(())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(self.state.prompts.list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if !self.state.prompts.has(&request.name) {
            return Err(ErrorData::invalid_params(
                format!("unknown prompt \"{}\"", request.name),
                None,
            ));
        }
        let args = request.arguments.unwrap_or_default();
        let token = self.token(&context);
        let (cluster, kube) = self
            .target(&args, token.as_deref())
            .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
        let ctx = self.tool_context(cluster, kube);
        self.state
            .prompts
            .get(&request.name, &args, &ctx)
            .await
            .map(Into::into)
            .map_err(|e| ErrorData::invalid_params(e.0, None))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.state.catalog.get(name).map(|t| t.spec.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        let Some(tool) = self.state.catalog.get(&name) else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool \"{name}\""),
                None,
            ));
        };
        let started = Instant::now();
        let args = request.arguments.unwrap_or_default();
        let token = self.token(&context);
        let result = match self.target(&args, token.as_deref()) {
            Err(e) => Err(ToolError::failed(format!("failed to {name}"), e)),
            Ok((cluster, kube)) => {
                let ctx = self.tool_context(cluster, kube);
                let args = Args::new(&args);
                tokio::select! {
                    r = (tool.run)(&ctx, &args) => r,
                    _ = context.ct.cancelled() => Err(ToolError::Cancelled { tool: name.clone() }),
                }
            }
        };
        let ok = result.is_ok();
        self.state
            .metrics
            .record_tool(&name, ok, started.elapsed().as_secs_f64());
        let res = match result {
            Ok(out) => {
                let mut r = CallToolResult::success(vec![ContentBlock::text(out.text)]);
                r.structured_content = out.structured;
                r
            }
            Err(e) => {
                tracing::debug!(tool = %name, error = %e, "tool call failed");
                CallToolResult::error(vec![ContentBlock::text(e.to_string())])
            }
        };
        Ok(res.into())
    }
}
