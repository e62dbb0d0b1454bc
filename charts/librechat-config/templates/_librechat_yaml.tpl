{{/*
librechat.yaml: the tenant's MCP servers (in-cluster Service URLs, no public Route) and
the LiteMaaS endpoint. The bootstrap chart passes the same document to the upstream chart.
*/}}
{{- define "librechat.yaml" -}}
{{- $u := include "tenant.username" . -}}
version: 1.3.1
cache: true
mcpServers:
  openshift:
    type: sse
    url: {{ printf "http://mcp-openshift-proxy.mcp-openshift-%s.svc.cluster.local:8080/sse#openshift" $u }}
  gitea:
    type: streamable-http
    url: {{ printf "http://mcp-gitea-proxy.mcp-gitea-%s.svc.cluster.local:8080/mcp" $u }}
    # The server runs with -require-token (GITEA_REQUIRE_TOKEN): LibreChat acts as the
    # tenant with the token from its Secret (librechat-credentials-env), never as whoever
    # the server would otherwise fall back to.
    headers:
      Authorization: "Bearer ${GITEA_MCP_TOKEN}"
    requiresOAuth: false
  # Deployed by the lab's module 3 (MCPServers added to the mcp-gitea chart).
  fetch:
    type: streamable-http
    url: {{ printf "http://mcp-fetch-proxy.mcp-gitea-%s.svc.cluster.local:8080/mcp" $u }}
  yardstick:
    type: streamable-http
    url: {{ printf "http://mcp-yardstick-proxy.mcp-gitea-%s.svc.cluster.local:8080/mcp" $u }}
endpoints:
  custom:
    - name: LiteMaaS
      apiKey: "${CUSTOM_MODEL_KEY}"
      baseURL: {{ .Values.litemaas.url | quote }}
      models:
        default: {{ toJson .Values.litemaas.models }}
        fetch: true
      titleConvo: false
      summarize: false
      forcePrompt: false
      modelDisplayLabel: Demo Dot LiteMaaS
      capabilities: ["tools"]
      dropParams: ["user", "frequency_penalty", "presence_penalty"]
{{- end -}}
