{{/*
The tenant's username: the single contract value every name below derives from (a DNS
label of at most 35 characters, as in the other tenant charts).
*/}}
{{- define "tenant.username" -}}
{{- $u := required "tenant.username is required" .Values.tenant.username -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $u) -}}
{{- fail (printf "tenant.username %q is not a DNS label (lower-case letters, digits and '-')" $u) -}}
{{- end -}}
{{- if gt (len $u) 35 -}}
{{- fail (printf "tenant.username %q is longer than 35 characters" $u) -}}
{{- end -}}
{{- $u -}}
{{- end -}}

{{/* This chart's namespace: "showroom-<username>". */}}
{{- define "tenant.namespace" -}}
{{- printf "showroom-%s" (include "tenant.username" .) -}}
{{- end -}}

{{/* Labels shared by every object of the chart. */}}
{{- define "tenant.labels" -}}
app.kubernetes.io/part-of: mcp-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
lab.mcp/tenant: {{ include "tenant.username" . }}
{{- end -}}
