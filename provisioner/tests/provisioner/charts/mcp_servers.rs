//! One `mcpServers` list renders both LibreChat's `mcpServers` block and the agent's
//! `MCP_SERVERS` (#22): the same names, types and URLs in both, an item kept from either
//! side when it says so, the bootstrap chart passing the tenant's list to both charts, and
//! a bad item refused naming it.

use serde_json::Value;

use super::render::{U, chart_dir, lab_values, render, render_err};

/// The lab values plus a list with a third server given to the agent, one kept from
/// LibreChat and one kept from the agent.
fn values_with_list() -> String {
    format!(
        "{}\nmcpServers:\n{}",
        lab_values(),
        r#"  - name: openshift
    type: sse
    service: mcp-openshift-proxy
    component: mcp-openshift
    path: /sse#openshift
    agent: {role: cluster}
  - name: gitea
    type: streamable-http
    service: mcp-gitea-proxy
    component: mcp-gitea
    librechat:
      headers: {Authorization: "Bearer ${GITEA_MCP_TOKEN}"}
    agent: {role: issues}
  - name: metrics
    type: sse
    service: mcp-metrics-proxy
    component: mcp-gitea
    port: 8090
    path: /sse
    agent:
      tools: [query_metrics]
      evidence: {query_metrics: {namespace: "{namespace}"}}
  - name: agent-only
    type: streamable-http
    url: http://tools.example.svc:9000/mcp
    librechat: false
    agent: true
  - name: fetch
    type: streamable-http
    service: mcp-fetch-proxy
    component: mcp-gitea
"#
    )
}

/// (name, type, url) of LibreChat's block.
fn librechat_block(librechat_yaml: &str) -> Vec<(String, String, String)> {
    let doc: Value = serde_saphyr::from_str(librechat_yaml).unwrap();
    let mut out: Vec<(String, String, String)> = doc["mcpServers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, s)| {
            (
                name.clone(),
                s["type"].as_str().unwrap().into(),
                s["url"].as_str().unwrap().into(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The agent's MCP_SERVERS, parsed.
fn agent_list(values: &str) -> Vec<Value> {
    let r = render("agent", values, &[]);
    let cm = r.of_kind("ConfigMap").next().unwrap();
    serde_json::from_str(cm["data"]["MCP_SERVERS"].as_str().unwrap()).unwrap()
}

#[test]
fn one_mcp_servers_list_renders_librechat_and_the_agent() {
    let values = values_with_list();
    let agent = agent_list(&values);
    let mut agent_side: Vec<(String, String, String)> = agent
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["transport"].as_str().unwrap().into(),
                e["url"].as_str().unwrap().into(),
            )
        })
        .collect();
    agent_side.sort();
    let config = render("librechat-config", &values, &[]);
    let cm = config.of_kind("ConfigMap").next().unwrap();
    let librechat = librechat_block(cm["data"]["librechat.yaml"].as_str().unwrap());
    let metrics = (
        "metrics".to_string(),
        "sse".to_string(),
        format!("http://mcp-metrics-proxy.mcp-gitea-{U}.svc.cluster.local:8090/sse"),
    );
    assert!(agent_side.contains(&metrics), "{agent_side:?}");
    assert!(librechat.contains(&metrics), "{librechat:?}");
    // Items on both sides render the same type and URL.
    let both: Vec<_> = agent_side
        .iter()
        .filter(|a| librechat.iter().any(|l| l.0 == a.0))
        .collect();
    assert_eq!(both.len(), 3, "{both:?}");
    for item in both {
        assert!(librechat.contains(item), "{item:?} differs: {librechat:?}");
    }
    // `librechat: false` keeps it from LibreChat; no `agent` keeps it from the agent.
    assert!(!librechat.iter().any(|l| l.0 == "agent-only"));
    assert!(agent_side.iter().any(|a| a.0 == "agent-only"));
    assert!(librechat.iter().any(|l| l.0 == "fetch"));
    assert!(!agent_side.iter().any(|a| a.0 == "fetch"));
    // The agent's fields pass through; the token is never a value.
    let m = agent.iter().find(|e| e["name"] == "metrics").unwrap();
    assert_eq!(m["tools"], serde_json::json!(["query_metrics"]));
    assert_eq!(m["evidence"]["query_metrics"]["namespace"], "{namespace}");
    let gitea = agent.iter().find(|e| e["name"] == "gitea").unwrap();
    assert!(gitea.get("token").is_none() && gitea.get("headers").is_none());
    assert_eq!(
        librechat_yaml_value(&cm["data"]["librechat.yaml"])["mcpServers"]["gitea"]["headers"]["Authorization"],
        "Bearer ${GITEA_MCP_TOKEN}"
    );
}

fn librechat_yaml_value(v: &Value) -> Value {
    serde_saphyr::from_str(v.as_str().unwrap()).unwrap()
}

#[test]
fn the_default_list_keeps_todays_servers_on_both_sides() {
    let agent = agent_list(&lab_values());
    let names: Vec<&str> = agent.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["openshift", "gitea"]);
    assert_eq!(agent[0]["role"], "cluster");
    assert_eq!(agent[1]["role"], "issues");
    assert_eq!(
        agent[0]["url"],
        format!(
            "http://mcp-openshift-proxy.mcp-openshift-{U}.svc.cluster.local:8080/sse#openshift"
        )
    );
    let config = render("librechat-config", &lab_values(), &[]);
    let cm = config.of_kind("ConfigMap").next().unwrap();
    let block: Vec<String> = librechat_block(cm["data"]["librechat.yaml"].as_str().unwrap())
        .into_iter()
        .map(|l| l.0)
        .collect();
    assert_eq!(block, ["fetch", "gitea", "openshift", "yardstick"]);
}

#[test]
fn the_bootstrap_chart_gives_the_tenants_list_to_both_charts() {
    let values = values_with_list();
    let boot = render("bootstrap", &values, &[]);
    for app in ["agent", "librechat-config"] {
        let a = boot
            .of_kind("Application")
            .find(|a| a["metadata"]["name"] == format!("{app}-{U}"))
            .unwrap();
        let list = &a["spec"]["source"]["helm"]["valuesObject"]["mcpServers"];
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"metrics"), "{app}: {names:?}");
    }
    // The upstream LibreChat chart's inline librechat.yaml has the third server too.
    let librechat = boot
        .of_kind("Application")
        .find(|a| a["metadata"]["name"] == format!("librechat-{U}"))
        .unwrap();
    let inline =
        librechat["spec"]["source"]["helm"]["valuesObject"]["librechat"]["configYamlContent"]
            .as_str()
            .unwrap();
    assert!(librechat_block(inline).iter().any(|l| l.0 == "metrics"));
}

#[test]
fn the_list_template_is_the_same_file_in_every_chart_that_renders_it() {
    let read = |chart: &str| {
        std::fs::read_to_string(chart_dir(chart).join("templates/_mcp_servers.tpl")).unwrap()
    };
    assert_eq!(read("agent"), read("librechat-config"));
    assert_eq!(read("agent"), read("bootstrap"));
}

#[test]
fn a_bad_item_is_refused_naming_it() {
    let values = format!(
        "{}\nmcpServers:\n  - name: metrics\n    type: websocket\n    url: http://m/\n",
        lab_values()
    );
    for chart in ["agent", "librechat-config"] {
        let err = render_err(chart, &values, &[]);
        assert!(err.contains("mcpServers metrics: type"), "{chart}: {err}");
    }
    let values = format!(
        "{}\nmcpServers:\n  - name: metrics\n    type: sse\n",
        lab_values()
    );
    let err = render_err("agent", &values, &[]);
    assert!(err.contains("mcpServers metrics: url or service"), "{err}");
}
