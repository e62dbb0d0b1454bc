{{/*
The tenant's username: the single contract value every name below derives from.
It must be a DNS label short enough that "<component>-<username>" namespaces and
"<route>-<namespace>.<domain>" Route hosts stay valid.
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

{{/* Namespace of a component of this tenant: "<component>-<username>". */}}
{{- define "tenant.ns" -}}
{{- printf "%s-%s" .component (include "tenant.username" .root) -}}
{{- end -}}

{{/* This chart's own namespace. */}}
{{- define "tenant.namespace" -}}
{{- include "tenant.ns" (dict "component" "bootstrap" "root" .) -}}
{{- end -}}

{{/* Labels shared by every object of the chart. */}}
{{- define "tenant.labels" -}}
app.kubernetes.io/part-of: mcp-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
lab.mcp/tenant: {{ include "tenant.username" . }}
{{- end -}}

{{/* Route host: "<name>-<namespace>.<domain>", the OpenShift default pattern. */}}
{{- define "tenant.routeHost" -}}
{{- printf "%s-%s.%s" .name .namespace (required "deployer.domain is required" .root.Values.deployer.domain) -}}
{{- end -}}
