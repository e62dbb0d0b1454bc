//! The objects a tenant consists of, as pure functions of the tenant, the settings and
//! its generated credentials: what `render` prints and what `provision` applies.

use serde_json::{Value, json};

use crate::state::TenantState;
use crate::tenant::{Settings, Tenant};

/// Field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "provisioner";
/// Label on every object of a tenant.
pub const TENANT_LABEL: &str = "lab.mcp/tenant";
/// Label on namespaces the provisioner created (only those are deleted on destroy).
pub const CREATED_BY_LABEL: &str = "lab.mcp/created-by";
/// Secrets the charts reference by name, with their namespaces' component.
pub const AGENT_LLM_SECRET: &str = "agent-llm";
/// Gitea URL and token of the MCP server.
pub const GITEA_SECRET: &str = "gitea-creds";
/// LibreChat credentials (read by the upstream chart and the user Job).
pub const LIBRECHAT_SECRET: &str = "librechat-credentials-env";

/// Inputs every builder needs.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The tenant.
    pub tenant: &'a Tenant,
    /// The settings.
    pub settings: &'a Settings,
    /// The cluster's apps domain.
    pub domain: &'a str,
    /// LiteMaaS URL for the tenant (with `/v1`).
    pub litemaas_url: &'a str,
    /// Public Gitea URL (user info).
    pub gitea_url: &'a str,
}

fn labels(t: &Tenant) -> Value {
    json!({ TENANT_LABEL: t.username, "app.kubernetes.io/managed-by": FIELD_MANAGER })
}

fn meta(name: &str, namespace: Option<&str>, t: &Tenant) -> Value {
    let mut m = json!({ "name": name, "labels": labels(t) });
    if let Some(ns) = namespace {
        m["namespace"] = json!(ns);
    }
    m
}

/// A tenant namespace, labelled for quota selection and for destroy.
pub fn namespace(t: &Tenant, component: &str) -> Value {
    let mut m = meta(&t.namespace(component), None, t);
    m["labels"]["tenant"] = json!(t.username);
    m["labels"][CREATED_BY_LABEL] = json!(FIELD_MANAGER);
    json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": m })
}

/// ResourceQuota and LimitRange of one tenant namespace.
pub fn namespace_limits(c: &Ctx<'_>, component: &str) -> Vec<Value> {
    let ns = c.tenant.namespace(component);
    let q = &c.settings.quota;
    vec![
        json!({ "apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": meta("tenant-quota", Some(&ns), c.tenant),
            "spec": { "hard": {
                "requests.cpu": q.cpu, "limits.cpu": q.cpu,
                "requests.memory": q.memory, "limits.memory": q.memory,
                "requests.storage": q.storage } } }),
        json!({ "apiVersion": "v1", "kind": "LimitRange",
            "metadata": meta("tenant-limit-range", Some(&ns), c.tenant),
            "spec": { "limits": [{ "type": "Container",
                "default": { "cpu": "2", "memory": "4Gi" },
                "defaultRequest": { "cpu": "250m", "memory": "128Mi" } }] } }),
    ]
}

/// The Argo CD project: destinations limited to the tenant's namespaces (and the
/// control namespace, where the bootstrap's child Applications live).
pub fn app_project(c: &Ctx<'_>) -> Value {
    let t = c.tenant;
    let project = t.project();
    let server = "https://kubernetes.default.svc";
    json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": meta(&project, Some(&c.settings.control_namespace), t),
        "spec": {
            "description": format!("Lab tenant {}", t.username),
            "sourceRepos": ["*"],
            "destinations": [
                { "server": server, "namespace": format!("*-{}", t.username) },
                { "server": server, "namespace": c.settings.control_namespace }
            ],
            "clusterResourceWhitelist": [],
            "roles": [{ "name": "user-role",
                "policies": [format!("p, proj:{project}:user-role, applications, *, {project}/*, allow")],
                "groups": [t.username] }]
        } })
}

fn secret(name: &str, ns: &str, t: &Tenant, data: &[(&str, &str)]) -> Value {
    use base64::Engine;
    let enc = base64::engine::general_purpose::STANDARD;
    let data: serde_json::Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.to_string(), json!(enc.encode(v))))
        .collect();
    json!({ "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": meta(name, Some(ns), t), "data": data })
}

/// The per-tenant state (generated passwords, keys, tokens) kept in the control namespace.
pub fn state_secret(c: &Ctx<'_>, state: &TenantState) -> Value {
    let pairs = state.to_pairs();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    secret(
        &state_secret_name(c.tenant),
        &c.settings.control_namespace,
        c.tenant,
        &refs,
    )
}

/// Name of the state Secret.
pub fn state_secret_name(t: &Tenant) -> String {
    format!("tenant-{}-state", t.username)
}

/// The Secrets the charts reference: LLM key (agent), Gitea URL+token (MCP Gitea),
/// LibreChat credentials.
pub fn tenant_secrets(c: &Ctx<'_>, s: &TenantState) -> Vec<Value> {
    let t = c.tenant;
    let email = format!("{}@example.com", t.username);
    vec![
        secret(
            AGENT_LLM_SECRET,
            &t.namespace("agent"),
            t,
            &[
                ("LITELLM_API_KEY", &s.llm_key),
                // The agent sends it to the Gitea MCP server, which requires a token.
                ("MCP_GITEA_TOKEN", &s.gitea_token),
            ],
        ),
        secret(
            GITEA_SECRET,
            &t.namespace("mcp-gitea"),
            t,
            &[
                ("url", &c.settings.gitea_internal_url),
                ("token", &s.gitea_token),
            ],
        ),
        secret(
            LIBRECHAT_SECRET,
            &t.namespace("librechat"),
            t,
            &[
                ("CREDS_KEY", &s.creds_key),
                ("JWT_SECRET", &s.jwt_secret),
                ("JWT_REFRESH_SECRET", &s.jwt_refresh_secret),
                ("MEILI_MASTER_KEY", &s.meili_master_key),
                ("CUSTOM_MODEL_URL", c.litemaas_url),
                ("CUSTOM_MODEL_KEY", &s.llm_key),
                // librechat.yaml sends it to the Gitea MCP server as a Bearer header.
                ("GITEA_MCP_TOKEN", &s.gitea_token),
                ("DEFAULT_USER_NAME", &t.username),
                ("DEFAULT_USER_EMAIL", &email),
                ("DEFAULT_USER_PASSWORD", &s.librechat_password),
            ],
        ),
    ]
}

/// SCC for the service accounts ToolHive runs the MCP servers and proxies as.
pub fn scc(t: &Tenant) -> Value {
    let sa = |ns: &str, name: &str| format!("system:serviceaccount:{}:{name}", t.namespace(ns));
    json!({ "apiVersion": "security.openshift.io/v1", "kind": "SecurityContextConstraints",
        "metadata": meta(&scc_name(t), None, t),
        "allowHostDirVolumePlugin": false, "allowHostIPC": false, "allowHostNetwork": false,
        "allowHostPID": false, "allowHostPorts": false, "allowPrivilegedContainer": false,
        "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
        "runAsUser": { "type": "MustRunAs", "uid": 1000 },
        "seLinuxContext": { "type": "MustRunAs" },
        "fsGroup": { "type": "RunAsAny" }, "supplementalGroups": { "type": "RunAsAny" },
        "requiredDropCapabilities": ["KILL", "MKNOD", "SETUID", "SETGID"],
        "volumes": ["configMap", "downwardAPI", "emptyDir", "persistentVolumeClaim", "projected", "secret"],
        "users": [sa("mcp-openshift", "openshift-sa"), sa("mcp-openshift", "openshift-proxy-runner"),
                  sa("mcp-gitea", "gitea-sa"), sa("mcp-gitea", "gitea-proxy-runner")] })
}

/// Name of the tenant's SCC.
pub fn scc_name(t: &Tenant) -> String {
    format!("{}-mcpserver-scc", t.username)
}

/// Helm values every chart of this tenant gets (no secret among them).
pub fn chart_values(c: &Ctx<'_>) -> Value {
    let s = c.settings;
    json!({
        "tenant": { "username": c.tenant.username, "guid": c.tenant.guid },
        "deployer": { "domain": c.domain },
        "gitops": { "repoURL": s.repo_url(c.tenant) },
        "git": { "url": s.repo_url(c.tenant) },
        "litemaas": { "url": c.litemaas_url, "models": s.models, "agentModel": s.agent_model },
        "llm": { "url": c.litemaas_url, "model": s.agent_model },
        "mcpMode": s.mcp_mode,
        "mode": s.mcp_mode,
    })
}

/// The app-of-apps: renders `charts/bootstrap` from the tenant's repository.
pub fn bootstrap_application(c: &Ctx<'_>) -> Value {
    let t = c.tenant;
    let mut m = meta(&t.bootstrap_app(), Some(&c.settings.control_namespace), t);
    m["finalizers"] = json!(["resources-finalizer.argocd.argoproj.io"]);
    let v = chart_values(c);
    json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": m,
        "spec": {
            "project": t.project(),
            "destination": { "server": "https://kubernetes.default.svc",
                             "namespace": c.settings.control_namespace },
            "source": { "repoURL": c.settings.repo_url(t), "targetRevision": "main",
                "path": "charts/bootstrap",
                "helm": { "valuesObject": { "tenant": v["tenant"], "deployer": v["deployer"],
                    "gitops": v["gitops"], "litemaas": v["litemaas"], "mcpMode": v["mcpMode"] } } },
            "syncPolicy": { "automated": { "prune": true, "selfHeal": true },
                "syncOptions": ["CreateNamespace=false"],
                "retry": { "limit": 10, "backoff": { "duration": "5s", "factor": 2, "maxDuration": "3m" } } }
        } })
}

/// The user info RHDP shows the attendee (seed-contract §9.2, variant b).
pub fn userinfo(c: &Ctx<'_>, s: &TenantState) -> Value {
    let t = c.tenant;
    let u = &t.username;
    let d = c.domain;
    let info = json!({ "users": { u.clone(): {
        "user": u,
        "librechat_url": format!("https://librechat-librechat-{u}.{d}"),
        "librechat_user": format!("{u}@example.com"),
        "librechat_password": s.librechat_password,
        "gitea_url": c.gitea_url,
        "gitea_user": u,
        "gitea_password": s.gitea_password,
        "gitea_repo_url": format!("{}/{u}/{}", c.gitea_url, c.settings.repo_name),
        "openshift_mcp_server_url": format!("http://mcp-openshift-proxy.mcp-openshift-{u}.svc.cluster.local:8080/sse#openshift"),
        "gitea_mcp_server_url": format!("http://mcp-gitea-proxy.mcp-gitea-{u}.svc.cluster.local:8080/mcp"),
    } } });
    let mut m = meta(&userinfo_name(t), Some(&c.settings.control_namespace), t);
    m["labels"][t.userinfo_label()] = json!("true");
    let text = serde_json::to_string_pretty(&info).unwrap_or_default();
    json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": m,
        "data": { "provision_data": text } })
}

/// Name of the user-info ConfigMap.
pub fn userinfo_name(t: &Tenant) -> String {
    format!("userinfo-{}", t.username)
}

#[cfg(test)]
#[path = "desired/tests.rs"]
mod tests;
