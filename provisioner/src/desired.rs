//! The objects a tenant consists of, as pure functions of the tenant, the settings and
//! its generated credentials: what `render` prints and what `provision` applies. The
//! tenant's Argo CD project and the pinning of its Applications live here too: they are
//! the wall between a tenant's commits and everyone else.

use serde_json::{Value, json};

use crate::state::TenantState;
use crate::tenant::{Settings, Tenant};

/// Field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "provisioner";
/// Label on every object of a tenant.
pub const TENANT_LABEL: &str = "lab.mcp/tenant";
/// Label on namespaces the provisioner created (only those are deleted on destroy).
pub const CREATED_BY_LABEL: &str = "lab.mcp/created-by";
/// The order's guid, on every object (destroy refuses another guid).
pub const GUID_LABEL: &str = "lab.mcp/guid";
/// Argo CD's in-cluster destination server.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Secrets the charts reference by name, with their namespaces' component.
pub const AGENT_LLM_SECRET: &str = "agent-llm";
/// Gitea URL and token of the MCP server.
pub const GITEA_SECRET: &str = "gitea-creds";
/// LibreChat credentials (read by the upstream chart and the user Job).
pub const LIBRECHAT_SECRET: &str = "librechat-credentials-env";

/// Inputs every builder of a desired object needs: the render context (one per tenant
/// operation, built by the operation and passed by reference to the pure builders).
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
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
    json!({ TENANT_LABEL: t.username, GUID_LABEL: t.guid,
        "app.kubernetes.io/managed-by": FIELD_MANAGER })
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
pub fn namespace_limits(c: &RenderContext<'_>, component: &str) -> Vec<Value> {
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

/// Namespaced kinds Argo CD may sync into a tenant's namespaces (group, kind), and why:
/// what the tenant charts render, what the upstream LibreChat chart and its MongoDB and
/// Meilisearch subcharts render, and what the lab's modules 3 and 4 add. Everything else
/// (ResourceQuota, LimitRange, Applications, Pods, …) is refused; cluster-scoped kinds
/// are all refused (`clusterResourceWhitelist: []`).
pub const NAMESPACED_KINDS: [(&str, &str); 22] = [
    ("", "ConfigMap"), // charts' config, librechat.yaml, module 4's registry config
    ("", "Secret"),    // upstream LibreChat/MongoDB, module 4's registry DB creds
    ("", "Service"),   // agent, plain-mode MCP servers, LibreChat, MongoDB, Meilisearch
    ("", "ServiceAccount"), // every chart's workloads, ToolHive proxy runners
    ("", "PersistentVolumeClaim"), // LibreChat uploads, MongoDB and Meilisearch data
    ("apps", "Deployment"), // agent, plain-mode MCP servers, LibreChat
    ("apps", "StatefulSet"), // MongoDB and Meilisearch subcharts
    ("batch", "Job"),  // first agent build, LibreChat user creation, readiness hook
    ("networking.k8s.io", "NetworkPolicy"), // every chart's ingress limits (own namespace only)
    ("policy", "PodDisruptionBudget"), // MongoDB subchart
    ("rbac.authorization.k8s.io", "Role"), // agent pipeline trigger, MCP server reads
    ("rbac.authorization.k8s.io", "RoleBinding"), // binds in its own namespace only
    ("route.openshift.io", "Route"), // LibreChat, module 3b metrics, module 4 registry
    ("tekton.dev", "Pipeline"), // the agent's build-agent pipeline
    ("tekton.dev", "Task"), // pipelines an attendee splits into tasks
    ("tekton.dev", "PipelineRun"), // a build started from the chart
    ("toolhive.stacklok.dev", "MCPServer"), // the MCP servers, module 3c/3d fetch, yardstick
    ("toolhive.stacklok.dev", "MCPToolConfig"), // module 3a tool filter
    ("toolhive.stacklok.dev", "MCPRegistry"), // module 4 registry
    ("postgresql.cnpg.io", "Cluster"), // module 4 registry database
    ("monitoring.coreos.com", "ServiceMonitor"), // module 3b telemetry
    ("monitoring.coreos.com", "PodMonitor"), // module 3b, scraping pods directly
];

/// The Argo CD project the provisioner pins on every Application of the tenant: exactly
/// the tenant's four namespaces (no glob, never the control namespace), the tenant's
/// repository and the LibreChat chart repository as sources, no cluster-scoped kind, and
/// only the namespaced kinds of [`NAMESPACED_KINDS`].
pub fn app_project(c: &RenderContext<'_>) -> Value {
    let t = c.tenant;
    let project = t.project();
    let destinations: Vec<Value> = t
        .namespaces()
        .into_iter()
        .map(|ns| json!({ "server": IN_CLUSTER, "namespace": ns }))
        .collect();
    let kinds: Vec<Value> = NAMESPACED_KINDS
        .iter()
        .map(|(group, kind)| json!({ "group": group, "kind": kind }))
        .collect();
    json!({ "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": meta(&project, Some(&c.settings.control_namespace), t),
        "spec": {
            "description": format!("Lab tenant {}", t.username),
            "sourceRepos": [c.settings.repo_url(t), c.settings.librechat_repo],
            "destinations": destinations,
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": kinds,
            // The attendee may look at and re-sync their Applications, never edit them.
            "roles": [{ "name": "user-role",
                "policies": [
                    format!("p, proj:{project}:user-role, applications, get, {project}/*, allow"),
                    format!("p, proj:{project}:user-role, applications, sync, {project}/*, allow"),
                ],
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
pub fn state_secret(c: &RenderContext<'_>, state: &TenantState) -> Value {
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
pub fn tenant_secrets(c: &RenderContext<'_>, s: &TenantState) -> Vec<Value> {
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
                ("url", &c.settings.gitea_internal_url_for(t)),
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
pub fn chart_values(c: &RenderContext<'_>) -> Value {
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

/// Values of the operator's `charts/bootstrap`, which renders the child Applications.
pub fn bootstrap_values(c: &RenderContext<'_>) -> Value {
    let v = chart_values(c);
    json!({ "tenant": v["tenant"], "deployer": v["deployer"], "gitops": v["gitops"],
        "litemaas": v["litemaas"], "mcpMode": v["mcpMode"],
        "argocd": { "namespace": c.settings.control_namespace, "server": IN_CLUSTER },
        "librechat": { "repoURL": c.settings.librechat_repo } })
}

/// One child Application rendered from the operator's bootstrap chart, with what the
/// tenant must never choose pinned again: its namespace (the control namespace), project
/// (`appproject-<u>`), destination (one of the tenant's namespaces, in-cluster) and source
/// (the tenant's repository at `charts/<component>`, or the LibreChat chart repository).
/// Anything else is an error: the operator's chart is broken, nothing is applied.
pub fn pin_application(c: &RenderContext<'_>, mut app: Value) -> Result<Value, String> {
    let t = c.tenant;
    let name = app["metadata"]["name"].as_str().unwrap_or("?").to_string();
    if app["apiVersion"] != "argoproj.io/v1alpha1" || app["kind"] != "Application" {
        return Err(format!(
            "{name}: the bootstrap chart may only render Applications"
        ));
    }
    let ns = app["spec"]["destination"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !t.owns_namespace(&ns) {
        return Err(format!(
            "{name}: destination {ns:?} is not one of the tenant's namespaces"
        ));
    }
    let source = &app["spec"]["source"];
    let repo = source["repoURL"].as_str().unwrap_or_default();
    let path = source["path"].as_str().unwrap_or_default();
    let tenant_chart = repo == c.settings.repo_url(t)
        && path.strip_prefix("charts/").is_some_and(|chart| {
            !chart.is_empty()
                && chart
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !tenant_chart && repo != c.settings.librechat_repo {
        return Err(format!(
            "{name}: source {repo} {path} is not the tenant's repository or the LibreChat chart"
        ));
    }
    app["metadata"]["namespace"] = json!(c.settings.control_namespace);
    for (k, v) in labels(t).as_object().into_iter().flatten() {
        app["metadata"]["labels"][k] = v.clone();
    }
    app["spec"]["project"] = json!(t.project());
    app["spec"]["destination"] = json!({ "server": IN_CLUSTER, "namespace": ns });
    Ok(app)
}

/// The guide's URL (`charts/showroom`'s Route).
pub fn guide_url(t: &Tenant, domain: &str) -> String {
    format!("https://showroom-showroom-{}.{domain}", t.username)
}

/// The attendee's attributes without secrets, shared by the guide's `user_data` and the
/// user info: the login, the cluster's URLs, LibreChat and Gitea.
pub fn public_attributes(c: &RenderContext<'_>) -> Vec<(&'static str, String)> {
    let t = c.tenant;
    let (u, d) = (&t.username, c.domain);
    let mut attrs = vec![
        ("user", u.clone()),
        ("openshift_cluster_ingress_domain", d.to_string()),
        (
            "openshift_console_url",
            format!("https://console-openshift-console.{d}"),
        ),
        (
            "argocd_url",
            format!("https://openshift-gitops-server-openshift-gitops.{d}"),
        ),
        (
            "librechat_url",
            format!("https://librechat-librechat-{u}.{d}"),
        ),
        ("librechat_user", format!("{u}@example.com")),
        ("gitea_url", c.gitea_url.to_string()),
        ("gitea_user", u.clone()),
        (
            "gitea_repo_url",
            format!("{}/{u}/{}", c.gitea_url, c.settings.repo_name),
        ),
    ];
    if let Some(cluster) = d.strip_prefix("apps.") {
        attrs.push(("openshift_api_url", format!("https://api.{cluster}:6443")));
    }
    attrs
}

/// The user info RHDP shows the attendee (seed-contract §9.2, variant b), without the
/// passwords: the ConfigMap names the Secret that holds them (see [`userinfo_secret`]).
pub fn userinfo(c: &RenderContext<'_>) -> Value {
    let t = c.tenant;
    let u = &t.username;
    let d = c.domain;
    let mut info = json!({ "users": { u.clone(): {
        "user": u,
        "librechat_url": format!("https://librechat-librechat-{u}.{d}"),
        "librechat_user": format!("{u}@example.com"),
        "gitea_url": c.gitea_url,
        "gitea_user": u,
        "gitea_repo_url": format!("{}/{u}/{}", c.gitea_url, c.settings.repo_name),
        "openshift_mcp_server_url": format!("http://mcp-openshift-proxy.mcp-openshift-{u}.svc.cluster.local:8080/sse#openshift"),
        "gitea_mcp_server_url": format!("http://mcp-gitea-proxy.mcp-gitea-{u}.svc.cluster.local:8080/mcp"),
        "credentials_secret": format!("{}/{}", c.settings.control_namespace, userinfo_name(t)),
    } } });
    // The guide's attributes (without passwords) and, with them on, the guide's URL.
    let entry = &mut info["users"][u.as_str()];
    for (k, v) in public_attributes(c) {
        if entry[k].is_null() {
            entry[k] = json!(v);
        }
    }
    if c.settings.showroom.enabled {
        entry["showroom_url"] = json!(guide_url(t, d));
    }
    if c.settings.identity.enabled {
        entry["login"] = json!(u);
    }
    let mut m = meta(&userinfo_name(t), Some(&c.settings.control_namespace), t);
    m["labels"][t.userinfo_label()] = json!("true");
    let text = serde_json::to_string_pretty(&info).unwrap_or_default();
    json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": m,
        "data": { "provision_data": text } })
}

/// The attendee's passwords, beside the user info and labelled like it: keys
/// `librechat_password`, `gitea_password`, and with identity on `password` (the OpenShift
/// login's).
pub fn userinfo_secret(c: &RenderContext<'_>, s: &TenantState) -> Value {
    let t = c.tenant;
    let mut keys = vec![
        ("librechat_password", s.librechat_password.as_str()),
        ("gitea_password", s.gitea_password.as_str()),
    ];
    if c.settings.identity.enabled {
        keys.push(("password", s.keycloak_password.as_str()));
    }
    let mut obj = secret(&userinfo_name(t), &c.settings.control_namespace, t, &keys);
    obj["metadata"]["labels"][t.userinfo_label()] = json!("true");
    obj
}

/// Name of the user-info ConfigMap and of the Secret beside it.
pub fn userinfo_name(t: &Tenant) -> String {
    format!("userinfo-{}", t.username)
}

#[cfg(test)]
#[path = "desired/tests.rs"]
mod tests;
