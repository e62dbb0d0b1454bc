//! What a lab attendee is handed: the LibreChat `mcpServers` block (as the LibreChat chart
//! writes it: legacy SSE with the `#openshift` fragment, streamable HTTP for Gitea) and the
//! curl the `trigger-agent` Tekton step runs.

use super::Urls;

/// A ready-to-paste `mcpServers` block of `librechat.yaml`; the Gitea server requires a
/// token, which LibreChat reads from its environment (`GITEA_MCP_TOKEN`).
pub fn librechat_mcp_servers(urls: &Urls) -> String {
    format!(
        "mcpServers:\n  openshift:\n    type: sse\n    url: {}#openshift\n    timeout: 60000\n  gitea:\n    type: streamable-http\n    url: {}\n    timeout: 60000\n    headers:\n      Authorization: \"Bearer ${{GITEA_MCP_TOKEN}}\"\n",
        urls.mcp_openshift_sse, urls.mcp_gitea
    )
}

/// The request the `trigger-agent` finally task sends for a failed pod.
pub fn tekton_curl(
    urls: &Urls,
    namespace: &str,
    pipeline_run: &str,
    pipeline_run_uid: &str,
    pod: &str,
    container: &str,
) -> String {
    format!(
        "curl -sS --fail-with-body --max-time 300 -H 'Content-Type: application/json' -X POST \\\n  --data '{{\"namespace\":\"{namespace}\",\"pipeline_run\":\"{pipeline_run}\",\"pipeline_run_uid\":\"{pipeline_run_uid}\",\"pod_name\":\"{pod}\",\"container_name\":\"{container}\"}}' \\\n  {}/report-failure",
        urls.agent
    )
}
