{{/*
librechat.yaml: the tenant's MCP servers (in-cluster Service URLs, no public Route) and
the LiteMaaS endpoint. The bootstrap chart passes the same document to the upstream chart.
*/}}
{{- define "librechat.yaml" -}}
{{- $u := include "tenant.username" . -}}
version: 1.3.1
cache: true
mcpServers:
  {{- include "mcp.librechatServers" . | nindent 2 }}
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
