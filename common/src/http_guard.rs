//! The DNS-rebinding walls both MCP servers put in front of their MCP routes, as one tower
//! layer ([`HostOriginLayer`]).
//!
//! A rebinding attack makes a browser send the attacker's page's requests to a server on
//! the victim's machine, with the attacker's name in `Host` and `Origin`. So a request
//! arriving from a loopback peer must name a host public DNS cannot serve
//! ([`host_allowed`]: loopback names, single labels, `*.svc`, `*.svc.cluster.local`,
//! `*.local`, or a configured name), whatever address the server is bound to; and a request
//! with an `Origin` must come from a loopback origin or a configured one
//! ([`origin_allowed`]). Both refusals are 403. `Origin` is never compared with `Host`:
//! under rebinding the two agree. Requests without `Origin` (native clients) pass the second
//! check; connections from other peers skip the first (the server is reachable by IP
//! anyway). Since MCP 2025-11-25 a server MUST answer 403 to an `Origin` it does not accept.
//!
//! What the servers differ in is configurable: whether a request without peer information
//! (a router driven without `ConnectInfo`) counts as loopback, and how a refusal is
//! rendered (plain text, or a JSON-RPC error body).

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Response};
use futures::future::Either;
use http::{Extensions, HeaderMap, Request, StatusCode, header};
use tower::{Layer, Service};

/// Why a request was refused (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `Host` of a loopback connection (the header's value, empty if absent or not
    /// text) is a publicly resolvable name.
    Host(String),
    /// The `Origin` is not accepted.
    Origin,
}

impl Refusal {
    /// A short message without the offending value.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Host(_) => "Forbidden: invalid Host header",
            Refusal::Origin => "Forbidden: Origin is not allowed",
        }
    }
}

/// Renders a refusal as the response the client gets.
pub type RespondFn = fn(&Refusal) -> Response;

/// The default rendering: 403 with a plain-text body, naming the refused `Host` value.
pub fn plain_text(refusal: &Refusal) -> Response {
    let body = match refusal {
        Refusal::Host(host) => format!("{} {host:?}", refusal.message()),
        Refusal::Origin => refusal.message().to_string(),
    };
    (StatusCode::FORBIDDEN, body).into_response()
}

#[derive(Debug, Clone)]
struct Policy {
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
    unknown_peer_is_loopback: bool,
    respond: RespondFn,
}

/// The tower layer: `Router::layer(HostOriginLayer::new(hosts, origins))`. Needs the
/// peer address (`into_make_service_with_connect_info::<SocketAddr>()`) to tell loopback
/// connections from the others.
#[derive(Debug, Clone)]
pub struct HostOriginLayer {
    policy: Arc<Policy>,
}

impl HostOriginLayer {
    /// Extra accepted `Host` values and browser origins (`*` = any, in either list).
    /// A request without peer information is not Host-checked; refusals are
    /// [`plain_text`].
    pub fn new(allowed_hosts: Vec<String>, allowed_origins: Vec<String>) -> Self {
        Self {
            policy: Arc::new(Policy {
                allowed_hosts,
                allowed_origins,
                unknown_peer_is_loopback: false,
                respond: plain_text,
            }),
        }
    }

    /// Whether a request without peer information counts as a loopback one (and so gets
    /// the `Host` check).
    pub fn unknown_peer_is_loopback(mut self, yes: bool) -> Self {
        Arc::make_mut(&mut self.policy).unknown_peer_is_loopback = yes;
        self
    }

    /// Render refusals with `respond` instead of [`plain_text`].
    pub fn respond_with(mut self, respond: RespondFn) -> Self {
        Arc::make_mut(&mut self.policy).respond = respond;
        self
    }

    /// The check itself, for callers outside a tower stack.
    pub fn check(&self, headers: &HeaderMap, extensions: &Extensions) -> Result<(), Refusal> {
        let policy = &self.policy;
        let loopback_peer = match extensions.get::<ConnectInfo<SocketAddr>>() {
            Some(peer) => peer.0.ip().is_loopback(),
            None => policy.unknown_peer_is_loopback,
        };
        if loopback_peer {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default();
            if !host_allowed(host, &policy.allowed_hosts) {
                return Err(Refusal::Host(host.to_string()));
            }
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let ok = origin
                .to_str()
                .is_ok_and(|o| origin_allowed(o, &policy.allowed_origins));
            if !ok {
                return Err(Refusal::Origin);
            }
        }
        Ok(())
    }
}

impl<S> Layer<S> for HostOriginLayer {
    type Service = HostOriginGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HostOriginGuard {
            layer: self.clone(),
            inner,
        }
    }
}

/// The service [`HostOriginLayer`] wraps around a route.
#[derive(Debug, Clone)]
pub struct HostOriginGuard<S> {
    layer: HostOriginLayer,
    inner: S,
}

impl<S, B> Service<Request<B>> for HostOriginGuard<S>
where
    S: Service<Request<B>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        match self.layer.check(req.headers(), req.extensions()) {
            Ok(()) => Either::Right(self.inner.call(req)),
            Err(refusal) => Either::Left(ready(Ok((self.layer.policy.respond)(&refusal)))),
        }
    }
}

/// Whether `host` (a `Host` header, with or without port) may be served to a loopback peer:
/// a loopback name (`localhost`, `127.x.x.x`, `::1`), a name public DNS cannot serve
/// (single label, `*.svc`, `*.svc.cluster.local`, `*.local`), or one in `extra` (with or
/// without port, case-insensitive; `*` = any).
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

/// Whether a browser origin (`scheme://host[:port]`) may call: a loopback origin
/// (`http(s)://localhost|127.x|[::1]`, any port), one in `extra` (case-insensitive, a
/// trailing `/` ignored), or any when `extra` holds `*`.
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
    // `host`, `host:port` or `[v6]`, `[v6]:port`; anything else (user info, a path, a
    // second colon, junk after `]`) is not an origin a browser sends.
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

/// Whether `tail` is `:` and one to five digits.
fn is_port(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests;
