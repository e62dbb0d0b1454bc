//! Tenant B against tenant A on the network: the NetworkPolicies the real `helm template`
//! renders for two tenants, evaluated by `testbed::netpol`, admit exactly the paths the
//! design has (A's agent and A's LibreChat to A's MCP servers, the router to A's
//! LibreChat, the proxies to their servers) and refuse every other way in: from each of
//! B's namespaces (the lab guide's, with its terminal, included), from the router to what
//! has no Route, and from A's LibreChat to what it does not need (A's agent, the
//! Kubernetes API, B's servers, plain HTTP outside).

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use testbed::netpol::{Endpoint, Network, Pod, Protocol, Verdict};
use testbed::tools::{Tool, require};

const A: &str = "ann";
const B: &str = "ben";
const CHARTS: [&str; 5] = [
    "agent",
    "mcp-openshift",
    "mcp-gitea",
    "librechat-config",
    "showroom",
];
const COMPONENTS: [&str; 5] = [
    "agent",
    "mcp-openshift",
    "mcp-gitea",
    "librechat",
    "showroom",
];

/// `helm template` of one tenant chart, as objects.
fn render(chart: &str, user: &str, sets: &[&str]) -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../charts")
        .join(chart);
    let mut cmd = Command::new(require(Tool::Helm));
    cmd.arg("template").arg(chart).arg(&dir);
    cmd.arg("--set").arg(format!("tenant.username={user}"));
    cmd.arg("--set").arg("deployer.domain=apps.example.com");
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "helm template {chart}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(&String::from_utf8(out.stdout).unwrap()).unwrap();
    docs.into_iter().filter(|d| d.is_object()).collect()
}

/// Both tenants' policies, with `sets` applied to every chart of tenant A.
fn network(sets_a: &[&str]) -> Network {
    let mut net = Network::new();
    for u in [A, B] {
        for c in COMPONENTS {
            let ns = format!("{c}-{u}");
            net.namespace(
                &ns,
                &[
                    ("tenant", u),
                    ("lab.mcp/tenant", u),
                    ("lab.mcp/created-by", "provisioner"),
                ],
            );
        }
        for chart in CHARTS {
            let sets = if u == A { sets_a } else { &[] };
            let n = net.add_objects(&render(chart, u, sets), "default").unwrap();
            assert!(n > 0, "{chart} renders no NetworkPolicy");
        }
    }
    net.namespace(
        "openshift-ingress",
        &[("policy-group.network.openshift.io/ingress", "")],
    );
    net.namespace("openshift-dns", &[]);
    net.namespace("default", &[]);
    net
}

/// The pods of tenant `u`, by role, as ToolHive and the charts label them.
struct Tenant {
    agent: Pod,
    pipeline: Pod,
    openshift_proxy: Pod,
    openshift_server: Pod,
    gitea_proxy: Pod,
    gitea_server: Pod,
    librechat: Pod,
    mongodb: Pod,
    /// The lab guide's pod (nginx and the attendee's terminal).
    guide: Pod,
}

fn proxy(ns: &str, name: &str) -> Pod {
    Pod::new(
        ns,
        &[
            ("app", "mcpserver"),
            ("app.kubernetes.io/name", "mcpserver"),
            ("app.kubernetes.io/instance", name),
            ("toolhive", "true"),
            ("toolhive-name", name),
        ],
    )
}

fn tenant(u: &str, n: u8) -> Tenant {
    let ns = |c: &str| format!("{c}-{u}");
    let ip = |i: u8| Ipv4Addr::new(10, 128, n, i);
    Tenant {
        agent: Pod::new(&ns("agent"), &[("app", "agent"), ("deployment", "agent")]).with_ip(ip(1)),
        pipeline: Pod::new(
            &ns("agent"),
            &[("tekton.dev/pipelineTask", "trigger-agent")],
        )
        .with_ip(ip(2)),
        openshift_proxy: proxy(&ns("mcp-openshift"), "openshift").with_ip(ip(3)),
        openshift_server: Pod::new(
            &ns("mcp-openshift"),
            &[("app", "openshift"), ("toolhive-name", "openshift")],
        )
        .with_ip(ip(4)),
        gitea_proxy: proxy(&ns("mcp-gitea"), "gitea").with_ip(ip(5)),
        gitea_server: Pod::new(
            &ns("mcp-gitea"),
            &[("app", "gitea"), ("toolhive-name", "gitea")],
        )
        .with_ip(ip(6)),
        librechat: Pod::new(&ns("librechat"), &[("app.kubernetes.io/name", "librechat")])
            .with_ip(ip(7)),
        mongodb: Pod::new(&ns("librechat"), &[("app.kubernetes.io/name", "mongodb")])
            .with_ip(ip(8)),
        guide: Pod::new(&ns("showroom"), &[("app", "showroom")]).with_ip(ip(9)),
    }
}

impl Tenant {
    /// Every pod, one per namespace at least, as an attacker could run them.
    fn all(&self) -> Vec<&Pod> {
        vec![
            &self.agent,
            &self.pipeline,
            &self.openshift_proxy,
            &self.openshift_server,
            &self.gitea_proxy,
            &self.gitea_server,
            &self.librechat,
            &self.mongodb,
            &self.guide,
        ]
    }

    /// What an attacker aims at: (what, pod, port).
    fn targets(&self) -> Vec<(&'static str, &Pod, u16)> {
        vec![
            ("agent", &self.agent, 8000),
            ("mcp-openshift proxy", &self.openshift_proxy, 8080),
            ("mcp-openshift server", &self.openshift_server, 8000),
            ("mcp-gitea proxy", &self.gitea_proxy, 8080),
            ("mcp-gitea server", &self.gitea_server, 8000),
            ("librechat", &self.librechat, 3080),
            ("librechat mongodb", &self.mongodb, 27017),
            ("showroom guide", &self.guide, 8080),
        ]
    }
}

fn router() -> Pod {
    Pod::new(
        "openshift-ingress",
        &[(
            "ingresscontroller.operator.openshift.io/deployment-ingresscontroller",
            "default",
        )],
    )
}

fn tcp(net: &Network, from: &Pod, to: &Pod, port: u16) -> Verdict {
    net.check(
        &Endpoint::Pod(from.clone()),
        &Endpoint::Pod(to.clone()),
        port,
        Protocol::Tcp,
    )
}

#[test]
fn tenant_b_reaches_nothing_of_tenant_a() {
    let net = network(&[]);
    let (a, b) = (tenant(A, 1), tenant(B, 2));
    let stranger = Pod::new("default", &[("run", "curl")]);
    for from in b.all().into_iter().chain([&stranger]) {
        for (what, to, port) in a.targets() {
            assert_ne!(
                tcp(&net, from, to, port),
                Verdict::Allowed,
                "{:?} in {} reaches A's {what}",
                from.labels,
                from.namespace
            );
        }
    }
}

#[test]
fn the_designed_paths_are_open() {
    let net = network(&[]);
    let a = tenant(A, 1);
    for (from, to, port, why) in [
        (&a.agent, &a.openshift_proxy, 8080, "agent -> OpenShift MCP"),
        (&a.agent, &a.gitea_proxy, 8080, "agent -> Gitea MCP"),
        (
            &a.pipeline,
            &a.agent,
            8000,
            "pipeline finally task -> agent",
        ),
        (
            &a.librechat,
            &a.openshift_proxy,
            8080,
            "LibreChat -> OpenShift MCP",
        ),
        (&a.librechat, &a.gitea_proxy, 8080, "LibreChat -> Gitea MCP"),
        (&a.librechat, &a.mongodb, 27017, "LibreChat -> its MongoDB"),
        (
            &router(),
            &a.librechat,
            3080,
            "router -> LibreChat (the public Route)",
        ),
        (
            &a.openshift_proxy,
            &a.openshift_server,
            8000,
            "proxy -> OpenShift server",
        ),
        (
            &a.gitea_proxy,
            &a.gitea_server,
            8000,
            "proxy -> Gitea server",
        ),
    ] {
        assert_eq!(tcp(&net, from, to, port), Verdict::Allowed, "{why}");
    }
    // LibreChat's way out: DNS and HTTPS outside the cluster (LiteMaaS).
    let lc = Endpoint::Pod(a.librechat.clone());
    let dns = Endpoint::Pod(Pod::new(
        "openshift-dns",
        &[("dns.operator.openshift.io/daemonset-dns", "default")],
    ));
    assert_eq!(net.check(&lc, &dns, 5353, Protocol::Udp), Verdict::Allowed);
    let litemaas = Endpoint::External(Ipv4Addr::new(52, 10, 20, 30));
    assert_eq!(
        net.check(&lc, &litemaas, 443, Protocol::Tcp),
        Verdict::Allowed
    );
}

#[test]
fn librechat_and_the_router_reach_only_what_they_need() {
    let net = network(&[]);
    let (a, b) = (tenant(A, 1), tenant(B, 2));
    // A's LibreChat (anyone who got a shell there) cannot file reports as A's pipeline.
    assert_eq!(
        tcp(&net, &a.librechat, &a.agent, 8000),
        Verdict::EgressDenied
    );
    // Nor reach another tenant, even where that tenant would admit its own LibreChat.
    for (what, to, port) in b.targets() {
        assert_ne!(
            tcp(&net, &a.librechat, to, port),
            Verdict::Allowed,
            "B's {what}"
        );
    }
    let lc = Endpoint::Pod(a.librechat.clone());
    // The Kubernetes API's Service address, and plain HTTP outside.
    let api = Endpoint::External(Ipv4Addr::new(172, 30, 0, 1));
    assert_eq!(
        net.check(&lc, &api, 443, Protocol::Tcp),
        Verdict::EgressDenied
    );
    let outside = Endpoint::External(Ipv4Addr::new(52, 10, 20, 30));
    assert_eq!(
        net.check(&lc, &outside, 80, Protocol::Tcp),
        Verdict::EgressDenied
    );
    // The router reaches LibreChat's port and the guide's (their Routes) only, and
    // nothing without a Route.
    assert_ne!(tcp(&net, &router(), &a.mongodb, 27017), Verdict::Allowed);
    assert_eq!(tcp(&net, &router(), &a.guide, 8080), Verdict::Allowed);
    assert_ne!(
        tcp(&net, &router(), &a.guide, 7681),
        Verdict::Allowed,
        "terminal port"
    );
    for (what, to, port) in a
        .targets()
        .into_iter()
        .filter(|(w, ..)| !w.starts_with("librechat") && !w.starts_with("showroom"))
    {
        assert_ne!(
            tcp(&net, &router(), to, port),
            Verdict::Allowed,
            "router -> {what}"
        );
    }
}

#[test]
fn a_route_opens_its_server_to_the_router_only() {
    let net = network(&["route.enabled=true"]);
    let (a, b) = (tenant(A, 1), tenant(B, 2));
    assert_eq!(tcp(&net, &router(), &a.gitea_proxy, 8080), Verdict::Allowed);
    assert_eq!(
        tcp(&net, &router(), &a.openshift_proxy, 8080),
        Verdict::Allowed
    );
    for from in b.all() {
        assert_ne!(tcp(&net, from, &a.gitea_proxy, 8080), Verdict::Allowed);
    }
}
