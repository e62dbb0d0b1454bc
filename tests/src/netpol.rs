//! A Kubernetes NetworkPolicy checker: may a pod reach another pod's port?
//!
//! Pure logic over the `networking.k8s.io/v1` objects the charts render (no cluster, no
//! CNI), so tests can take the real `helm template` output of two tenants and play one
//! against the other. The semantics are the API's: a pod selected by no policy of a type
//! is open in that direction; once selected, only what some rule of some selecting policy
//! admits passes, and a connection needs both the source's egress and the destination's
//! ingress. Peers: `podSelector` (the policy's namespace), `namespaceSelector` (with an
//! optional `podSelector`: both must match), `ipBlock` (`cidr` minus `except`, matched
//! against the peer's IP). A rule without `from`/`to` admits every peer, without `ports`
//! every port; `policyTypes` defaults to `Ingress`, plus `Egress` when `egress` is given.
//! Ports match by number (with `endPort`), or by name against the destination pod's named
//! container ports. Label selectors support `matchLabels` and `matchExpressions`
//! (`In`, `NotIn`, `Exists`, `DoesNotExist`).
//!
//! Namespaces carry `kubernetes.io/metadata.name` automatically, as the API server sets it.
//! OpenShift's host-network traffic (the router) is modelled as a pod in a namespace with
//! the `policy-group.network.openshift.io/ingress` label, as OpenShift documents it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::Value;

/// Labels of a namespace or pod.
pub type Labels = BTreeMap<String, String>;

/// Why a policy could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NetpolError {
    /// A field has the wrong shape.
    #[error("NetworkPolicy {policy}: {field}: {reason}")]
    Invalid {
        /// `namespace/name` of the policy.
        policy: String,
        /// The field, as a path.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// A transport protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// One end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A pod.
    Pod(Pod),
    /// An address outside the cluster's pod network.
    External(Ipv4Addr),
}

/// A pod: where it runs, its labels, its IP and its named ports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pod {
    /// Namespace.
    pub namespace: String,
    /// Labels.
    pub labels: Labels,
    /// Pod IP (for `ipBlock` peers).
    pub ip: Option<Ipv4Addr>,
    /// Named container ports.
    pub ports: BTreeMap<String, u16>,
}

impl Pod {
    /// A pod in `namespace` with `labels` (`key=value` pairs).
    pub fn new(namespace: &str, labels: &[(&str, &str)]) -> Self {
        Pod {
            namespace: namespace.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ip: None,
            ports: BTreeMap::new(),
        }
    }

    /// With a pod IP.
    pub fn with_ip(mut self, ip: Ipv4Addr) -> Self {
        self.ip = Some(ip);
        self
    }
}

#[derive(Debug, Clone)]
struct Selector {
    labels: Labels,
    exprs: Vec<(String, String, Vec<String>)>,
}

#[derive(Debug, Clone)]
enum Peer {
    Pods {
        pods: Option<Selector>,
        namespaces: Option<Selector>,
    },
    Block {
        cidr: (Ipv4Addr, u8),
        except: Vec<(Ipv4Addr, u8)>,
    },
}

#[derive(Debug, Clone)]
struct PortRule {
    protocol: Protocol,
    port: Option<Value>,
    end_port: Option<u16>,
}

#[derive(Debug, Clone)]
struct Rule {
    peers: Option<Vec<Peer>>,
    ports: Option<Vec<PortRule>>,
}

/// One parsed NetworkPolicy.
#[derive(Debug, Clone)]
struct Policy {
    namespace: String,
    pods: Selector,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
}

/// Namespaces and the policies in force.
#[derive(Debug, Clone, Default)]
pub struct Network {
    namespaces: BTreeMap<String, Labels>,
    policies: Vec<Policy>,
}

/// The verdict on one connection, with the reason when refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Both ends' policies admit it.
    Allowed,
    /// The source's egress policies refuse it.
    EgressDenied,
    /// The destination's ingress policies refuse it.
    IngressDenied,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a namespace with extra labels (`kubernetes.io/metadata.name` is set for you).
    pub fn namespace(&mut self, name: &str, labels: &[(&str, &str)]) -> &mut Self {
        let mut l: Labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        l.insert("kubernetes.io/metadata.name".into(), name.into());
        self.namespaces.insert(name.into(), l);
        self
    }

    /// Adds every `NetworkPolicy` among `objects` (other kinds are skipped); a policy
    /// without a namespace goes into `default_namespace`.
    pub fn add_objects(
        &mut self,
        objects: &[Value],
        default_namespace: &str,
    ) -> Result<usize, NetpolError> {
        let mut n = 0;
        for o in objects.iter().filter(|o| o["kind"] == "NetworkPolicy") {
            self.policies.push(parse::policy(o, default_namespace)?);
            n += 1;
        }
        Ok(n)
    }

    /// Whether `from` may open a connection to `to` on `port`/`protocol`.
    pub fn check(&self, from: &Endpoint, to: &Endpoint, port: u16, protocol: Protocol) -> Verdict {
        if let Endpoint::Pod(src) = from {
            let selecting: Vec<&Policy> = self
                .policies
                .iter()
                .filter(|p| p.egress.is_some() && p.namespace == src.namespace)
                .filter(|p| matches(&p.pods, &src.labels))
                .collect();
            let ok = selecting.is_empty()
                || selecting.iter().any(|p| {
                    p.egress
                        .iter()
                        .flatten()
                        .any(|r| self.rule_admits(r, &p.namespace, to, to, port, protocol))
                });
            if !ok {
                return Verdict::EgressDenied;
            }
        }
        if let Endpoint::Pod(dst) = to {
            let selecting: Vec<&Policy> = self
                .policies
                .iter()
                .filter(|p| p.ingress.is_some() && p.namespace == dst.namespace)
                .filter(|p| matches(&p.pods, &dst.labels))
                .collect();
            let ok = selecting.is_empty()
                || selecting.iter().any(|p| {
                    p.ingress
                        .iter()
                        .flatten()
                        .any(|r| self.rule_admits(r, &p.namespace, from, to, port, protocol))
                });
            if !ok {
                return Verdict::IngressDenied;
            }
        }
        Verdict::Allowed
    }

    /// Shorthand: a TCP connection between two pods is allowed.
    pub fn allows(&self, from: &Pod, to: &Pod, port: u16) -> bool {
        self.check(
            &Endpoint::Pod(from.clone()),
            &Endpoint::Pod(to.clone()),
            port,
            Protocol::Tcp,
        ) == Verdict::Allowed
    }

    /// Does rule `r` of a policy in `policy_ns` admit `peer`, towards `dst` on `port`?
    fn rule_admits(
        &self,
        r: &Rule,
        policy_ns: &str,
        peer: &Endpoint,
        dst: &Endpoint,
        port: u16,
        protocol: Protocol,
    ) -> bool {
        let port_ok = match &r.ports {
            None => true,
            Some(ports) if ports.is_empty() => true,
            Some(ports) => ports.iter().any(|p| port_admits(p, dst, port, protocol)),
        };
        let peer_ok = match &r.peers {
            None => true,
            Some(peers) if peers.is_empty() => true,
            Some(peers) => peers.iter().any(|p| self.peer_admits(p, policy_ns, peer)),
        };
        port_ok && peer_ok
    }

    fn peer_admits(&self, p: &Peer, policy_ns: &str, peer: &Endpoint) -> bool {
        match (p, peer) {
            (Peer::Block { cidr, except }, Endpoint::External(ip)) => block_has(*cidr, except, *ip),
            (Peer::Block { cidr, except }, Endpoint::Pod(pod)) => {
                pod.ip.is_some_and(|ip| block_has(*cidr, except, ip))
            }
            (Peer::Pods { .. }, Endpoint::External(_)) => false,
            (Peer::Pods { pods, namespaces }, Endpoint::Pod(pod)) => {
                let ns_ok = match namespaces {
                    None => pod.namespace == policy_ns,
                    Some(sel) => self
                        .namespaces
                        .get(&pod.namespace)
                        .is_some_and(|labels| matches(sel, labels)),
                };
                ns_ok && pods.as_ref().is_none_or(|sel| matches(sel, &pod.labels))
            }
        }
    }
}

fn port_admits(p: &PortRule, dst: &Endpoint, port: u16, protocol: Protocol) -> bool {
    if p.protocol != protocol {
        return false;
    }
    match &p.port {
        None => true,
        Some(Value::Number(n)) => {
            let lo = n.as_u64().unwrap_or(0);
            let hi = p.end_port.map_or(lo, u64::from);
            (lo..=hi).contains(&u64::from(port))
        }
        Some(Value::String(name)) => match dst {
            Endpoint::Pod(pod) => pod.ports.get(name) == Some(&port),
            Endpoint::External(_) => false,
        },
        Some(_) => false,
    }
}

fn block_has(cidr: (Ipv4Addr, u8), except: &[(Ipv4Addr, u8)], ip: Ipv4Addr) -> bool {
    in_cidr(cidr, ip) && !except.iter().any(|e| in_cidr(*e, ip))
}

fn in_cidr((net, len): (Ipv4Addr, u8), ip: Ipv4Addr) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    };
    (u32::from(net) & mask) == (u32::from(ip) & mask)
}

fn matches(sel: &Selector, labels: &Labels) -> bool {
    sel.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
        && sel.exprs.iter().all(|(key, op, values)| {
            let have = labels.get(key);
            match op.as_str() {
                "In" => have.is_some_and(|v| values.contains(v)),
                "NotIn" => have.is_none_or(|v| !values.contains(v)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            }
        })
}

mod parse;

#[cfg(test)]
mod tests;
