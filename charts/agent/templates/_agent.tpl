{{/* In-cluster URL of the agent's failure endpoint. */}}
{{- define "agent.endpoint" -}}
{{- printf "http://agent.%s.svc:%v/report-failure" (include "tenant.namespace" .) .Values.port -}}
{{- end -}}

{{/* Image the Deployment runs and the pipeline pushes. */}}
{{- define "agent.imageName" -}}
{{- if .Values.image.repository -}}
{{- .Values.image.repository -}}
{{- else -}}
{{- printf "%s/%s/agent" .Values.image.registry (include "tenant.namespace" .) -}}
{{- end -}}
{{- end -}}

{{/* Git URL of the tenant's repository. */}}
{{- define "agent.gitUrl" -}}
{{- default (printf "http://gitea.gitea.svc.cluster.local:3000/%s/mcp.git" (include "tenant.username" .)) .Values.git.url -}}
{{- end -}}

{{- define "agent.selector" -}}
app: agent
deployment: agent
{{- end -}}
