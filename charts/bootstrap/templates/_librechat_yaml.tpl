{{/*
The same librechat.yaml as the librechat-config chart renders (a test compares them):
the upstream LibreChat chart takes it inline as librechat.configYamlContent.
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
