{{/*
Overrides for the upstream LibreChat chart (seed-contract §10). Credentials come from the
Secret the provisioner creates (global.librechat.existingSecretName), never from values.
Registration is off: the only account is the attendee's, created by the librechat-config
chart's Job with LibreChat's own create-user script. Everyone else who finds the public
Route gets a login page and nothing more (no LLM key spent, no MCP server reached).
*/}}
{{- define "bootstrap.librechatValues" -}}
fullnameOverride: librechat
global:
  librechat:
    existingSecretName: librechat-credentials-env
  compatibility:
    openshift:
      adaptSecurityContext: force
podSecurityContext:
  fsGroup: null
securityContext:
  capabilities:
    drop: ["ALL"]
  runAsNonRoot: false
  runAsUser: null
ingress:
  enabled: false
resources:
  requests: {cpu: 100m, memory: 256Mi}
  limits: {cpu: "1", memory: 2Gi}
volumes:
  - name: logs
    emptyDir: {}
  - name: logs-root
    emptyDir: {}
volumeMounts:
  - name: logs
    mountPath: /app/api/logs
  - name: logs-root
    mountPath: /app/logs
mongodb:
  image:
    tag: latest
  global:
    compatibility:
      openshift:
        adaptSecurityContext: force
meilisearch:
  image:
    repository: getmeili/meilisearch
    tag: v1.7.3
  resources:
    requests: {cpu: 100m, memory: 256Mi}
    limits: {cpu: "1", memory: 1Gi}
  securityContext: {}
librechat:
  configEnv:
    ALLOW_REGISTRATION: "false"
    ALLOW_SOCIAL_REGISTRATION: "false"
    ALLOW_SOCIAL_LOGIN: "false"
    ALLOW_PASSWORD_RESET: "false"
    ALLOW_EMAIL_LOGIN: "true"
  configYamlContent: |
    {{- include "librechat.yaml" . | nindent 4 }}
{{- end -}}
