{{/* Labels shared by every object of the chart. */}}
{{- define "operator.labels" -}}
app.kubernetes.io/name: tenant-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: mcp-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The selector of the operator's pods. */}}
{{- define "operator.selector" -}}
app.kubernetes.io/name: tenant-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
