{{/*
The tenant's MCP servers: one list (`mcpServers` in the values) renders both LibreChat's
`mcpServers` block and the agent's MCP_SERVERS (agent/mcp-servers.schema.json). This file
is the same in the agent, librechat-config and bootstrap charts (a test compares them).

An item: name, type (sse | streamable-http), and either url or service + component (the
Service `<service>.<component>-<username>.svc.cluster.local:<port><path>`, port 8080 and
path /mcp by default). `librechat`: false to leave it out of LibreChat, or a map of extra
keys for LibreChat (headers, requiresOAuth). `agent`: absent or false to keep it from the
agent, true, or a map of the agent's entry fields (role, required, tools, evidence, pin,
allow_destructive, token, headers, connect_timeout_seconds, call_timeout_seconds).
*/}}
{{- define "mcp.serverUrl" -}}
{{- $u := include "tenant.username" .root -}}
{{- $s := .server -}}
{{- if $s.url -}}
{{- $s.url -}}
{{- else -}}
{{- $service := required (printf "mcpServers %s: url or service is required" $s.name) $s.service -}}
{{- $component := required (printf "mcpServers %s: component is required with service" $s.name) $s.component -}}
{{- printf "http://%s.%s-%s.svc.cluster.local:%v%s" $service $component $u ($s.port | default 8080) ($s.path | default "/mcp") -}}
{{- end -}}
{{- end -}}

{{/* Checks one item's name, type and URL (arguments: root, server). */}}
{{- define "mcp.checkServer" -}}
{{- $s := .server -}}
{{- if not (regexMatch "^[a-z0-9][a-z0-9-]{0,31}$" (toString $s.name)) -}}
{{- fail (printf "mcpServers: name %q is not 1-32 lower-case letters, digits or '-'" (toString $s.name)) -}}
{{- end -}}
{{- if not (has $s.type (list "sse" "streamable-http")) -}}
{{- fail (printf "mcpServers %s: type %q must be sse or streamable-http" $s.name (toString $s.type)) -}}
{{- end -}}
{{- $_ := include "mcp.serverUrl" . -}}
{{- end -}}

{{/* LibreChat's `mcpServers` block (a YAML map by server name). */}}
{{- define "mcp.librechatServers" -}}
{{- $root := . -}}
{{- $out := dict -}}
{{- range .Values.mcpServers -}}
{{- include "mcp.checkServer" (dict "root" $root "server" .) -}}
{{- if or (not (kindIs "bool" .librechat)) .librechat -}}
{{- $entry := dict "type" .type "url" (include "mcp.serverUrl" (dict "root" $root "server" .)) -}}
{{- if kindIs "map" .librechat -}}
{{- $entry = merge $entry .librechat -}}
{{- end -}}
{{- $_ := set $out .name $entry -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The agent's MCP_SERVERS: a JSON array of the items with `agent`. */}}
{{- define "mcp.agentServers" -}}
{{- $root := . -}}
{{- $out := list -}}
{{- range .Values.mcpServers -}}
{{- include "mcp.checkServer" (dict "root" $root "server" .) -}}
{{- if .agent -}}
{{- $entry := dict "name" .name "transport" .type "url" (include "mcp.serverUrl" (dict "root" $root "server" .)) -}}
{{- if kindIs "map" .agent -}}
{{- $entry = merge $entry .agent -}}
{{- end -}}
{{- $out = append $out $entry -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
