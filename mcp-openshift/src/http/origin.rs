//! The `Origin` check: since MCP 2025-11-25 a server MUST answer 403 to a request whose
//! `Origin` it does not accept. Requests without `Origin` (native clients, the agent,
//! LibreChat's server side) pass; a browser page may call only from a loopback origin or
//! one listed in `--allowed-origins`. Comparing `Origin` with `Host` would not do: under DNS
//! rebinding both name the attacker's host.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The accepted origins besides loopback ones (`*` = any).
#[derive(Clone, Debug, Default)]
pub(super) struct OriginPolicy(pub(super) Arc<Vec<String>>);

/// Whether a browser origin (`scheme://host[:port]`) may call the server: loopback origins
/// (`localhost`, `127.x.x.x`, `[::1]`, over http or https), or one in `extra` (compared
/// case-insensitively, a trailing `/` ignored), or anything when `extra` holds `*`.
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
    let host = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((h, tail)) if tail.is_empty() || is_port(tail) => h,
            _ => return false,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if is_port(&format!(":{p}")) => h,
            Some(_) => return false,
            None => authority,
        }
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

pub(super) async fn check_origin(
    State(policy): State<OriginPolicy>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(origin) = req.headers().get(http::header::ORIGIN) {
        let ok = origin.to_str().is_ok_and(|o| origin_allowed(o, &policy.0));
        if !ok {
            return (StatusCode::FORBIDDEN, "Forbidden: Origin is not allowed").into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn loopback_and_listed_origins_pass_others_do_not() {
        for ok in [
            "http://localhost",
            "http://localhost:6274",
            "https://127.0.0.1:8443",
            "http://[::1]:3000",
            "HTTP://LOCALHOST:80/",
        ] {
            assert!(origin_allowed(ok, &[]), "{ok}");
        }
        for bad in [
            "http://evil.example.com",
            "http://evil.example.com:8080",
            "http://localhost.evil.example.com",
            "http://127.0.0.1.nip.io:8080",
            "null",
            "",
            "file://",
            "http://localhost:80:80",
            "http://[::1]x",
            "ftp://localhost",
        ] {
            assert!(!origin_allowed(bad, &[]), "{bad}");
        }
        let listed = vec!["https://librechat.apps.example.com".to_string()];
        assert!(origin_allowed(
            "https://LibreChat.apps.example.com",
            &listed
        ));
        assert!(!origin_allowed(
            "https://librechat.apps.example.com.evil.io",
            &listed
        ));
        assert!(origin_allowed("https://anything.example", &["*".into()]));
    }
}
