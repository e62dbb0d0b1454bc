//! The DNS-rebinding walls in front of `/mcp`: the `Host` check for loopback connections
//! and the `Origin` allow-list.
//!
//! A rebinding attack makes a browser send the attacker's page's requests to a server on
//! the victim's machine, with the attacker's name in `Host` and `Origin`. So a request
//! arriving from a loopback peer must name a host public DNS cannot serve (loopback names,
//! single labels, `*.svc`, `*.svc.cluster.local`, `*.local`, or `-allowed-hosts`), whatever
//! address the server is bound to; and a request with an `Origin` must come from a loopback
//! origin or one in `-allowed-origins`. `Origin` is never compared with `Host`: under
//! rebinding the two agree. Requests without `Origin` (native clients) pass the second check.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap, header};

/// Why a request was refused (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The `Host` of a loopback connection is a publicly resolvable name.
    Host,
    /// The `Origin` is not accepted.
    Origin,
}

impl Refusal {
    pub(super) fn message(self) -> &'static str {
        match self {
            Refusal::Host => "Forbidden: invalid Host header",
            Refusal::Origin => "Forbidden: Origin is not allowed",
        }
    }
}

/// Checks `Host` (for loopback peers; a request without peer information counts as one)
/// and `Origin`.
pub(super) fn check(
    headers: &HeaderMap,
    extensions: &Extensions,
    allowed_hosts: &[String],
    allowed_origins: &[String],
) -> Result<(), Refusal> {
    let loopback_peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_none_or(|c| c.0.ip().is_loopback());
    if loopback_peer {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !host_allowed(host, allowed_hosts) {
            return Err(Refusal::Host);
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .is_ok_and(|o| origin_allowed(o, allowed_origins));
        if !ok {
            return Err(Refusal::Origin);
        }
    }
    Ok(())
}

/// Whether `host` (a `Host` header, with or without port) may be served to a loopback peer.
pub fn host_allowed(host: &str, extra: &[String]) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':')
            .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            .map(|(h, _)| h)
            .unwrap_or(host)
    }
    .to_ascii_lowercase();
    if name.is_empty() {
        return false;
    }
    if extra
        .iter()
        .any(|h| h == "*" || h.eq_ignore_ascii_case(&name) || h.eq_ignore_ascii_case(host))
    {
        return true;
    }
    name == "localhost"
        || name == "::1"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
        || !name.contains('.')
        || name.ends_with(".svc")
        || name.ends_with(".svc.cluster.local")
        || name.ends_with(".local")
}

/// Whether a browser origin may call: a loopback origin (`http(s)://localhost|127.x|[::1]`
/// with any port), one in `extra` (case-insensitive, trailing `/` ignored), or any when
/// `extra` holds `*`.
pub fn origin_allowed(origin: &str, extra: &[String]) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    if extra
        .iter()
        .any(|o| o == "*" || o.trim().trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let Ok(authority) = authority.parse::<http::uri::Authority>() else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in [
            "localhost:8080",
            "127.0.0.1:9",
            "[::1]:80",
            "mcp-gitea-proxy:8080",
            "mcp-gitea-proxy.mcp-gitea-u1.svc:8080",
            "mcp-gitea-proxy.mcp-gitea-u1.svc.cluster.local:8080",
        ] {
            assert!(host_allowed(ok, &[]), "{ok}");
        }
        for bad in [
            "evil.example.com:8080",
            "",
            "127.0.0.1.nip.io",
            "attacker.io",
        ] {
            assert!(!host_allowed(bad, &[]), "{bad}");
        }
        assert!(host_allowed("mcp.example.com", &["mcp.example.com".into()]));
        assert!(host_allowed("x.example.com:1", &["*".into()]));
    }

    #[test]
    fn origins() {
        for ok in [
            "http://localhost:6274",
            "https://127.0.0.1",
            "http://[::1]:3000/",
        ] {
            assert!(origin_allowed(ok, &[]), "{ok}");
        }
        for bad in [
            "http://evil.example.com:8080",
            "http://localhost.evil.example.com",
            "http://user@localhost",
            "null",
            "",
            "ftp://localhost",
        ] {
            assert!(!origin_allowed(bad, &[]), "{bad}");
        }
        let listed = ["https://chat.example.com".to_string()];
        assert!(origin_allowed("https://CHAT.example.com", &listed));
        assert!(!origin_allowed("https://chat.example.com.evil.io", &listed));
    }
}
