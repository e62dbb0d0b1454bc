//! Reading `networking.k8s.io/v1` NetworkPolicy objects into the checker's types, with an
//! error naming the field for anything malformed (never a panic).

use std::net::Ipv4Addr;

use serde_json::Value;

use super::{NetpolError, Peer, Policy, PortRule, Protocol, Rule, Selector};

struct Ctx {
    policy: String,
}

impl Ctx {
    fn err(&self, field: &str, reason: impl Into<String>) -> NetpolError {
        NetpolError::Invalid {
            policy: self.policy.clone(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

pub(super) fn policy(o: &Value, default_namespace: &str) -> Result<Policy, NetpolError> {
    let namespace = o["metadata"]["namespace"]
        .as_str()
        .unwrap_or(default_namespace)
        .to_string();
    let name = o["metadata"]["name"].as_str().unwrap_or("<unnamed>");
    let cx = Ctx {
        policy: format!("{namespace}/{name}"),
    };
    let spec = &o["spec"];
    if !spec.is_object() {
        return Err(cx.err("spec", "missing"));
    }
    let pods = selector(&cx, "spec.podSelector", &spec["podSelector"])?;
    let types: Vec<String> = match &spec["policyTypes"] {
        Value::Null => {
            let mut t = vec!["Ingress".to_string()];
            if !spec["egress"].is_null() {
                t.push("Egress".into());
            }
            t
        }
        Value::Array(a) => a
            .iter()
            .map(|t| match t.as_str() {
                Some(s @ ("Ingress" | "Egress")) => Ok(s.to_string()),
                _ => Err(cx.err("spec.policyTypes", format!("{t} is not Ingress or Egress"))),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(cx.err("spec.policyTypes", format!("not a list: {other}"))),
    };
    let rules = |dir: &str, key: &str| -> Result<Option<Vec<Rule>>, NetpolError> {
        if !types.iter().any(|t| t == dir) {
            return Ok(None);
        }
        match &spec[key.to_lowercase()] {
            // Selected for this direction but no rule: everything is refused.
            Value::Null => Ok(Some(Vec::new())),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, r)| rule(&cx, &format!("spec.{}[{i}]", key.to_lowercase()), r, key))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            other => Err(cx.err(
                &format!("spec.{}", key.to_lowercase()),
                format!("not a list: {other}"),
            )),
        }
    };
    Ok(Policy {
        ingress: rules("Ingress", "Ingress")?,
        egress: rules("Egress", "Egress")?,
        namespace,
        pods,
    })
}

fn rule(cx: &Ctx, field: &str, r: &Value, dir: &str) -> Result<Rule, NetpolError> {
    let peers_key = if dir == "Ingress" { "from" } else { "to" };
    let peers = match &r[peers_key] {
        Value::Null => None,
        Value::Array(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, p)| peer(cx, &format!("{field}.{peers_key}[{i}]"), p))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        other => {
            return Err(cx.err(
                &format!("{field}.{peers_key}"),
                format!("not a list: {other}"),
            ));
        }
    };
    let ports = match &r["ports"] {
        Value::Null => None,
        Value::Array(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, p)| port(cx, &format!("{field}.ports[{i}]"), p))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        other => return Err(cx.err(&format!("{field}.ports"), format!("not a list: {other}"))),
    };
    Ok(Rule { peers, ports })
}

fn peer(cx: &Ctx, field: &str, p: &Value) -> Result<Peer, NetpolError> {
    if !p["ipBlock"].is_null() {
        if !p["podSelector"].is_null() || !p["namespaceSelector"].is_null() {
            return Err(cx.err(field, "ipBlock cannot be combined with selectors"));
        }
        let cidr = cidr(cx, &format!("{field}.ipBlock.cidr"), &p["ipBlock"]["cidr"])?;
        let except = match &p["ipBlock"]["except"] {
            Value::Null => Vec::new(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, c)| cidr_of(cx, &format!("{field}.ipBlock.except[{i}]"), c))
                .collect::<Result<_, _>>()?,
            other => {
                return Err(cx.err(
                    &format!("{field}.ipBlock.except"),
                    format!("not a list: {other}"),
                ));
            }
        };
        return Ok(Peer::Block { cidr, except });
    }
    let pods = match &p["podSelector"] {
        Value::Null => None,
        s => Some(selector(cx, &format!("{field}.podSelector"), s)?),
    };
    let namespaces = match &p["namespaceSelector"] {
        Value::Null => None,
        s => Some(selector(cx, &format!("{field}.namespaceSelector"), s)?),
    };
    if pods.is_none() && namespaces.is_none() {
        return Err(cx.err(
            field,
            "a peer needs podSelector, namespaceSelector or ipBlock",
        ));
    }
    Ok(Peer::Pods { pods, namespaces })
}

fn cidr(cx: &Ctx, field: &str, v: &Value) -> Result<(Ipv4Addr, u8), NetpolError> {
    cidr_of(cx, field, v)
}

fn cidr_of(cx: &Ctx, field: &str, v: &Value) -> Result<(Ipv4Addr, u8), NetpolError> {
    let s = v
        .as_str()
        .ok_or_else(|| cx.err(field, format!("not a string: {v}")))?;
    let (ip, len) = s
        .split_once('/')
        .ok_or_else(|| cx.err(field, format!("{s:?} is not a CIDR")))?;
    let ip: Ipv4Addr = ip
        .parse()
        .map_err(|_| cx.err(field, format!("{s:?} is not an IPv4 CIDR")))?;
    let len: u8 = len
        .parse()
        .ok()
        .filter(|l| *l <= 32)
        .ok_or_else(|| cx.err(field, format!("{s:?} has a bad prefix length")))?;
    Ok((ip, len))
}

fn port(cx: &Ctx, field: &str, p: &Value) -> Result<PortRule, NetpolError> {
    let protocol = match p["protocol"].as_str() {
        None | Some("TCP") => Protocol::Tcp,
        Some("UDP") => Protocol::Udp,
        Some("SCTP") => Protocol::Sctp,
        Some(other) => {
            return Err(cx.err(
                &format!("{field}.protocol"),
                format!("{other:?} is not TCP, UDP or SCTP"),
            ));
        }
    };
    let port = match &p["port"] {
        Value::Null => None,
        v @ Value::Number(n) if n.as_u64().is_some_and(|n| (1..=65535).contains(&n)) => {
            Some(v.clone())
        }
        v @ Value::String(_) => Some(v.clone()),
        other => return Err(cx.err(&format!("{field}.port"), format!("{other} is not a port"))),
    };
    let end_port = match &p["endPort"] {
        Value::Null => None,
        v => Some(
            v.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| cx.err(&format!("{field}.endPort"), format!("{v} is not a port")))?,
        ),
    };
    Ok(PortRule {
        protocol,
        port,
        end_port,
    })
}

fn selector(cx: &Ctx, field: &str, s: &Value) -> Result<Selector, NetpolError> {
    if s.is_null() {
        return Err(cx.err(field, "missing (use {} for every pod)"));
    }
    if !s.is_object() {
        return Err(cx.err(field, format!("not an object: {s}")));
    }
    let labels = match &s["matchLabels"] {
        Value::Null => Default::default(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                v.as_str()
                    .map(|v| (k.clone(), v.to_string()))
                    .ok_or_else(|| {
                        cx.err(
                            &format!("{field}.matchLabels.{k}"),
                            format!("not a string: {v}"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(cx.err(
                &format!("{field}.matchLabels"),
                format!("not an object: {other}"),
            ));
        }
    };
    let exprs = match &s["matchExpressions"] {
        Value::Null => Vec::new(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let f = format!("{field}.matchExpressions[{i}]");
                let key = e["key"].as_str().ok_or_else(|| cx.err(&f, "no key"))?;
                let op = e["operator"]
                    .as_str()
                    .ok_or_else(|| cx.err(&f, "no operator"))?;
                if !["In", "NotIn", "Exists", "DoesNotExist"].contains(&op) {
                    return Err(cx.err(&f, format!("unknown operator {op:?}")));
                }
                let values = e["values"]
                    .as_array()
                    .map(|v| {
                        v.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                Ok((key.to_string(), op.to_string(), values))
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(cx.err(
                &format!("{field}.matchExpressions"),
                format!("not a list: {other}"),
            ));
        }
    };
    Ok(Selector { labels, exprs })
}
