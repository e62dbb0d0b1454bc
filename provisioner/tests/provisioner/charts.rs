//! The tenant charts: `helm lint --strict`, `helm template` with the lab's values piped
//! through `kubernetes-validate --strict`, and the facts that make tenants isolated
//! (namespaces derived from the username, RBAC only in the tenant's namespaces,
//! NetworkPolicies, no secret in Application values).

mod accepted;
mod crd_schema;
mod mcp_servers;
mod operator_chart;
pub(crate) mod render;

use render::{
    CHARTS, U, chart_dir, helm_lint, lab_values, render, render_err, tenant_namespaces, validate,
};
use serde_json::Value;

#[test]
fn every_chart_lints_strictly() {
    for chart in CHARTS {
        helm_lint(chart, &lab_values());
    }
}

#[test]
fn rendered_builtin_kinds_validate_strictly() {
    let variants: [&[&str]; 4] = [
        &[],
        &[
            "route.enabled=true",
            "toolFilter.enabled=true",
            "telemetry.prometheus.enabled=true",
        ],
        &["mode=plain"],
        &["firstBuild.enabled=false", "createUser.enabled=false"],
    ];
    for chart in CHARTS {
        for sets in variants {
            let r = render(chart, &lab_values(), sets);
            assert!(!r.objects.is_empty(), "{chart} {sets:?} rendered nothing");
            validate(&r.text);
        }
    }
}

#[test]
fn namespaces_derive_from_the_username_only() {
    for u in [U, "alice"] {
        let values = lab_values().replace(U, u);
        let allowed = tenant_namespaces(u);
        for chart in CHARTS {
            for obj in render(chart, &values, &[]).objects {
                let ns = obj["metadata"]["namespace"].as_str();
                let ok = match chart {
                    "bootstrap" => ns == Some("openshift-gitops"),
                    _ => ns.is_some_and(|n| allowed.iter().any(|a| a == n)),
                };
                assert!(
                    ok,
                    "{chart}: {} {:?} in {ns:?}",
                    obj["kind"], obj["metadata"]["name"]
                );
                assert_eq!(
                    obj["metadata"]["labels"]["lab.mcp/tenant"], u,
                    "{chart} {}",
                    obj["kind"]
                );
            }
        }
    }
}

#[test]
fn rbac_stays_inside_the_tenant() {
    let allowed = tenant_namespaces(U);
    for chart in CHARTS {
        for sets in [&[][..], &["mode=plain"][..]] {
            for obj in render(chart, &lab_values(), sets).objects {
                let kind = obj["kind"].as_str().unwrap_or_default();
                assert!(
                    kind != "ClusterRoleBinding" && kind != "ClusterRole",
                    "{chart} renders a {kind}"
                );
                if kind != "RoleBinding" {
                    continue;
                }
                for s in obj["subjects"].as_array().unwrap() {
                    match s["kind"].as_str().unwrap() {
                        "User" => assert_eq!(s["name"], U),
                        "ServiceAccount" => {
                            assert!(allowed.iter().any(|a| s["namespace"] == a.as_str()), "{s}")
                        }
                        other => panic!("unexpected subject kind {other}"),
                    }
                }
                let role = obj["roleRef"]["name"].as_str().unwrap();
                assert!(
                    ["view", "edit", "build-runner"].contains(&role),
                    "{chart}: role {role}"
                );
            }
        }
    }
    // The MCP server: view on the agent namespace, edit on its own, nothing else.
    let r = render("mcp-openshift", &lab_values(), &[]);
    let sa_bindings: Vec<(String, String)> = r
        .of_kind("RoleBinding")
        .filter(|b| b["subjects"][0]["kind"] == "ServiceAccount")
        .map(|b| {
            (
                b["metadata"]["namespace"].as_str().unwrap().into(),
                b["roleRef"]["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        sa_bindings,
        vec![
            (format!("agent-{U}"), "view".into()),
            (format!("mcp-openshift-{U}"), "edit".into())
        ]
    );
}

fn policy_sources(np: &Value) -> Vec<String> {
    np["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rule| rule["from"].as_array().unwrap().iter())
        .map(
            |peer| match peer["namespaceSelector"]["matchLabels"].as_object() {
                Some(labels) => labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                    .collect(),
                None => "same-namespace".to_string(),
            },
        )
        .collect()
}

#[test]
fn network_policies_admit_only_the_tenant() {
    for chart in ["mcp-openshift", "mcp-gitea"] {
        let r = render(chart, &lab_values(), &[]);
        let np: Vec<&Value> = r.of_kind("NetworkPolicy").collect();
        assert_eq!(np.len(), 1, "{chart}");
        assert_eq!(
            np[0]["spec"]["podSelector"],
            serde_json::json!({}),
            "{chart} must cover every pod"
        );
        let mut sources = policy_sources(np[0]);
        sources.sort();
        assert_eq!(
            sources,
            vec![
                format!("kubernetes.io/metadata.name=agent-{U}"),
                format!("kubernetes.io/metadata.name=librechat-{U}"),
                "same-namespace".to_string()
            ],
            "{chart}"
        );
        // The router is admitted only together with the token-protected Route.
        let with_route = render(chart, &lab_values(), &["route.enabled=true"]);
        let np = with_route.of_kind("NetworkPolicy").next().unwrap();
        assert!(
            policy_sources(np)
                .iter()
                .any(|s| s.starts_with("policy-group.network.openshift.io/ingress"))
        );
    }
    let agent = render("agent", &lab_values(), &[]);
    let np = agent.of_kind("NetworkPolicy").next().unwrap();
    assert_eq!(policy_sources(np), vec!["same-namespace".to_string()]);
}

#[test]
fn mcp_routes_are_off_by_default_and_token_protected_when_on() {
    for (chart, server) in [("mcp-openshift", "openshift"), ("mcp-gitea", "gitea")] {
        let r = render(chart, &lab_values(), &[]);
        assert_eq!(r.of_kind("Route").count(), 0, "{chart}");
        assert!(
            r.of_kind("MCPServer")
                .all(|s| s["spec"]["oidcConfig"].is_null())
        );
        let on = render(chart, &lab_values(), &["route.enabled=true"]);
        let route = on.of_kind("Route").next().unwrap();
        assert_eq!(
            route["spec"]["host"],
            format!("{chart}-{chart}-{U}.apps.cluster-kd7wl.kd7wl.sandbox1234.opentlc.com")
        );
        let mcp = on.of_kind("MCPServer").next().unwrap();
        assert_eq!(mcp["metadata"]["name"], server);
        assert_eq!(mcp["spec"]["oidcConfig"]["type"], "kubernetes");
        let err = render_err(chart, &lab_values(), &["route.enabled=true", "mode=plain"]);
        assert!(err.contains("bearer-token"), "{err}");
    }
    assert_eq!(
        render("agent", &lab_values(), &[]).of_kind("Route").count(),
        0
    );
}

#[test]
fn the_project_of_child_applications_is_not_a_value() {
    // What an attendee's commit once did to the app-of-apps: name another project.
    let r = render("bootstrap", &lab_values(), &["argocd.project=default"]);
    for app in r.of_kind("Application") {
        assert_eq!(app["spec"]["project"], format!("appproject-{U}"), "{app}");
    }
}

#[test]
fn applications_reference_secrets_and_never_inline_them() {
    let r = render("bootstrap", &lab_values(), &[]);
    let apps: Vec<&Value> = r.of_kind("Application").collect();
    let names: Vec<&str> = apps
        .iter()
        .map(|a| a["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            format!("agent-{U}"),
            format!("mcp-openshift-{U}"),
            format!("mcp-gitea-{U}"),
            format!("librechat-config-{U}"),
            format!("librechat-{U}")
        ]
    );
    for app in &apps {
        assert_eq!(
            app["metadata"]["finalizers"][0],
            "resources-finalizer.argocd.argoproj.io"
        );
        assert_eq!(app["spec"]["project"], format!("appproject-{U}"));
        assert!(
            app["spec"]["syncPolicy"]["syncOptions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o == "CreateNamespace=false")
        );
        assert!(
            app["spec"]["syncPolicy"]["retry"]["limit"]
                .as_i64()
                .unwrap()
                > 0
        );
        let values = &app["spec"]["source"]["helm"]["valuesObject"];
        let mut leaks = Vec::new();
        find_secret_like(values, "", &mut leaks);
        assert!(
            leaks.is_empty(),
            "{}: secret-like values inlined: {leaks:?}",
            app["metadata"]["name"]
        );
        assert!(
            !values.to_string().contains("sk-"),
            "a key-like value in {}",
            app["metadata"]["name"]
        );
    }
    let librechat = apps
        .iter()
        .find(|a| a["metadata"]["name"] == format!("librechat-{U}"))
        .unwrap();
    let values = &librechat["spec"]["source"]["helm"]["valuesObject"];
    assert_eq!(
        values["global"]["librechat"]["existingSecretName"],
        "librechat-credentials-env"
    );
    assert_eq!(librechat["spec"]["source"]["targetRevision"], "v0.8.1");
    // #16: nobody who guesses the Route signs up and spends the tenant's key; only the
    // attendee's user (made by the librechat-config job) logs in, with e-mail and password.
    let env = &values["librechat"]["configEnv"];
    for closed in [
        "ALLOW_REGISTRATION",
        "ALLOW_SOCIAL_REGISTRATION",
        "ALLOW_SOCIAL_LOGIN",
        "ALLOW_PASSWORD_RESET",
    ] {
        assert_eq!(env[closed], "false", "{closed} in {env}");
    }
    assert_eq!(env["ALLOW_EMAIL_LOGIN"], "true", "{env}");
}

/// Keys that name credentials must hold a reference (a Secret name, `${VAR}`), not a value.
fn find_secret_like(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let lower = k.to_lowercase();
                let credential = ["password", "token", "secret", "apikey", "api_key", "key"]
                    .iter()
                    .any(|w| lower == *w || lower.ends_with(w));
                let is_reference = lower.contains("secretname") || lower.ends_with("secretkey");
                if credential && !is_reference && child.is_string() {
                    out.push(format!("{path}.{k}"));
                }
                find_secret_like(child, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| find_secret_like(i, path, out)),
        Value::String(s) if s.contains("apiKey:") && !s.contains("apiKey: \"${") => {
            out.push(format!("{path} (inline apiKey)"))
        }
        _ => {}
    }
}

#[test]
fn librechat_yaml_is_the_same_in_both_charts() {
    let boot = render("bootstrap", &lab_values(), &[]);
    let app = boot
        .of_kind("Application")
        .find(|a| a["metadata"]["name"] == format!("librechat-{U}"))
        .unwrap();
    let inline = app["spec"]["source"]["helm"]["valuesObject"]["librechat"]["configYamlContent"]
        .as_str()
        .unwrap();
    let config = render("librechat-config", &lab_values(), &[]);
    let cm = config.of_kind("ConfigMap").next().unwrap();
    let from_cm = cm["data"]["librechat.yaml"].as_str().unwrap();
    let a: Value = serde_saphyr::from_str(inline).unwrap();
    let b: Value = serde_saphyr::from_str(from_cm).unwrap();
    assert_eq!(a, b);
    assert_eq!(a["mcpServers"]["openshift"]["type"], "sse");
    assert_eq!(
        a["mcpServers"]["openshift"]["url"],
        format!(
            "http://mcp-openshift-proxy.mcp-openshift-{U}.svc.cluster.local:8080/sse#openshift"
        )
    );
    assert_eq!(a["mcpServers"]["gitea"]["type"], "streamable-http");
    assert_eq!(
        a["endpoints"]["custom"][0]["baseURL"],
        "https://litellm-prod.apps.maas.redhatworkshops.io/v1"
    );
    assert_eq!(a["endpoints"]["custom"][0]["apiKey"], "${CUSTOM_MODEL_KEY}");
}

#[test]
fn the_pipeline_runs_the_trigger_script_file_verbatim() {
    let r = render("agent", &lab_values(), &[]);
    let pipeline = r.of_kind("Pipeline").next().unwrap();
    assert_eq!(pipeline["metadata"]["name"], "build-agent");
    let build = &pipeline["spec"]["tasks"][1];
    assert_eq!(build["name"], "build");
    assert_eq!(build["retries"], 2);
    let finally = &pipeline["spec"]["finally"][0];
    assert_eq!(finally["name"], "trigger-agent");
    let step = &finally["taskSpec"]["steps"][0];
    let file = std::fs::read_to_string(chart_dir("agent").join("files/trigger-agent.sh")).unwrap();
    assert_eq!(step["script"].as_str().unwrap().trim_end(), file.trim_end());
    let env: Vec<(String, String)> = step["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(env.contains(&(
        "AGENT_ENDPOINT".into(),
        format!("http://agent.agent-{U}.svc:8000/report-failure")
    )));
    assert!(env.contains(&("PIPELINE_RUN_UID".into(), "$(params.pipelineRunUid)".into())));
    assert!(file.contains("--fail-with-body") && file.contains("--max-time"));
    // The agent reads its key from the Secret, and the ConfigMap holds no key.
    let deploy = r.of_kind("Deployment").next().unwrap();
    let container = &deploy["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["env"][0]["valueFrom"]["secretKeyRef"]["name"],
        "agent-llm"
    );
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/health");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    let cm = r.of_kind("ConfigMap").next().unwrap();
    assert!(
        cm["data"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("KEY"))
    );
    assert_eq!(
        r.of_kind("Job").next().unwrap()["metadata"]["name"],
        "trigger-agent-image-build"
    );
}

#[test]
fn bad_usernames_are_refused_by_every_chart() {
    for chart in CHARTS {
        for bad in ["User57", "a_b", &"x".repeat(36)] {
            let err = render_err(chart, &lab_values().replace(U, bad), &[]);
            assert!(err.contains("tenant.username"), "{chart} {bad}: {err}");
        }
        let err = render_err(chart, "deployer:\n  domain: x\n", &[]);
        assert!(
            err.contains("tenant.username is required"),
            "{chart}: {err}"
        );
    }
}

/// The guide (`charts/showroom`): in `showroom-<u>` only, the attendee's data only by
/// reference to the provisioner's Secret (no Secret rendered, no ConfigMap holding a
/// password or user data), the Route the contract names, only the router and the
/// namespace's own pods admitted, the terminal's `edit` bound in its own namespace.
#[test]
fn the_guide_references_its_user_data_secret_and_stays_in_its_namespace() {
    let r = render("showroom", &lab_values(), &[]);
    let ns = format!("showroom-{U}");
    assert!(
        r.objects
            .iter()
            .all(|o| o["metadata"]["namespace"] == ns.as_str())
    );
    assert_eq!(
        r.of_kind("Secret").count(),
        0,
        "user data is the provisioner's Secret"
    );
    for cm in r.of_kind("ConfigMap") {
        let text = cm.to_string();
        assert!(
            !text.contains("password") && !text.contains("user_data"),
            "{text}"
        );
    }
    let deploy = r.of_kind("Deployment").next().unwrap();
    let volumes = deploy["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    assert!(
        volumes
            .iter()
            .any(|v| v["secret"]["secretName"] == "showroom-userdata"),
        "{volumes:?}"
    );
    let route = r.of_kind("Route").next().unwrap();
    assert_eq!(route["metadata"]["name"], "showroom");
    assert_eq!(
        route["spec"]["host"],
        format!("showroom-showroom-{U}.apps.cluster-kd7wl.kd7wl.sandbox1234.opentlc.com")
    );
    let np = r.of_kind("NetworkPolicy").next().unwrap();
    let mut sources = policy_sources(np);
    sources.sort();
    assert_eq!(
        sources,
        vec![
            "policy-group.network.openshift.io/ingress=".to_string(),
            "same-namespace".to_string()
        ]
    );
    let binding = r.of_kind("RoleBinding").next().unwrap();
    assert_eq!(binding["metadata"]["namespace"], ns.as_str());
    assert_eq!(binding["subjects"][0]["namespace"], ns.as_str());
    // Without the terminal: no RoleBinding, no token mounted.
    let quiet = render("showroom", &lab_values(), &["terminal.enabled=false"]);
    assert_eq!(quiet.of_kind("RoleBinding").count(), 0);
    let spec = &quiet.of_kind("Deployment").next().unwrap()["spec"]["template"]["spec"];
    assert_eq!(spec["automountServiceAccountToken"], false);
}
