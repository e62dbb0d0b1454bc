{{/*
One child Application. Rendered by the provisioner from the operator's charts folder (never
from the tenant's repository) and applied by it, which pins project, destination and source
again; nothing here is the tenant's to change. Arguments: root, app (name prefix), component (namespace prefix),
source (a dict: repoURL, targetRevision, path), values (a dict, never a secret).
*/}}
{{- define "bootstrap.application" -}}
{{- $root := .root -}}
{{- $u := include "tenant.username" $root -}}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ printf "%s-%s" .app $u }}
  namespace: {{ $root.Values.argocd.namespace }}
  labels:
    {{- include "tenant.labels" $root | nindent 4 }}
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: {{ printf "appproject-%s" $u }}
  destination:
    server: {{ $root.Values.argocd.server }}
    namespace: {{ include "tenant.ns" (dict "component" .component "root" $root) }}
  source:
    repoURL: {{ .source.repoURL }}
    targetRevision: {{ .source.targetRevision }}
    path: {{ .source.path }}
    helm:
      valuesObject:
        {{- toYaml .values | nindent 8 }}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=false
      - SkipDryRunOnMissingResource=true
      - RespectIgnoreDifferences=true
    retry:
      limit: 10
      backoff:
        duration: 5s
        factor: 2
        maxDuration: 3m
{{- end -}}

{{/* The tenant's repository in Gitea, which carries the component charts. */}}
{{- define "bootstrap.repo" -}}
{{- default (printf "http://gitea.gitea.svc.cluster.local:3000/%s/mcp.git" (include "tenant.username" .)) .Values.gitops.repoURL -}}
{{- end -}}

{{/* Values every child chart takes. */}}
{{- define "bootstrap.common" -}}
tenant:
  username: {{ include "tenant.username" . }}
deployer:
  domain: {{ .Values.deployer.domain }}
{{- end -}}
