//! The redaction rules: a pattern, the capture that holds the secret, and a check that tells
//! real secrets from look-alikes (placeholders, hashes, prose).

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::SecretKind;
use crate::static_regex;

/// Decides from the match whether it is a secret; `false` keeps the text as it is.
type Check = fn(&Captures<'_>) -> bool;

/// One rule: everything in capture group `secret` (or the whole match when the pattern has
/// no such group) is replaced by the kind's placeholder.
pub(super) struct Rule {
    pub(super) kind: SecretKind,
    re: Regex,
    check: Check,
}

impl Rule {
    fn new(kind: SecretKind, pattern: &str, check: Check) -> Self {
        Self {
            kind,
            re: static_regex(pattern),
            check,
        }
    }

    /// Returns the rewritten text (`None` when nothing matched) and the number of redactions.
    pub(super) fn apply(&self, text: &str) -> (Option<String>, usize) {
        let mut n = 0;
        let placeholder = self.kind.placeholder();
        let mut out = String::new();
        let mut last = 0;
        for caps in self.re.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            if !(self.check)(&caps) {
                continue;
            }
            let secret = caps.name("secret").unwrap_or(whole);
            out.push_str(&text[last..secret.start()]);
            out.push_str(&placeholder);
            last = secret.end();
            n += 1;
        }
        if n == 0 {
            return (None, 0);
        }
        out.push_str(&text[last..]);
        (Some(out), n)
    }
}

fn always(_: &Captures<'_>) -> bool {
    true
}

/// Text that stands for a value rather than being one: placeholders, templates, masks.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.starts_with("[REDACTED")
        || v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with('{')
        || v.starts_with('[')
        || v.starts_with('|')
        || v.starts_with('>')
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.' || c == '-')
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "null"
                | "none"
                | "nil"
                | "undefined"
                | "required"
                | "optional"
                | "redacted"
                | "hidden"
                | "masked"
                | "changeme"
                | "string"
                | "str"
        )
}

fn secret_is_real(caps: &Captures<'_>) -> bool {
    caps.name("secret")
        .is_some_and(|m| !is_placeholder(m.as_str()))
}

/// A bearer token must look like one: a digit in it, or long (prose like "bearer
/// authentication" is neither).
fn bearer_token(caps: &Captures<'_>) -> bool {
    caps.name("secret").is_some_and(|m| {
        let v = m.as_str();
        !is_placeholder(v) && (v.bytes().any(|b| b.is_ascii_digit()) || v.len() >= 24)
    })
}

fn has_digit(caps: &Captures<'_>) -> bool {
    caps.get(0)
        .is_some_and(|m| m.as_str().bytes().any(|b| b.is_ascii_digit()))
}

/// Shannon entropy in bits per character.
pub(super) fn entropy(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in value.bytes() {
        counts[b as usize] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// A high-entropy value: not hex (hashes and digests, UUIDs), all three character classes
/// (or two when long and very random), and at least 3.5 bits of entropy per character.
fn high_entropy(caps: &Captures<'_>) -> bool {
    let Some(v) = caps.name("secret").map(|m| m.as_str()) else {
        return false;
    };
    let hex = v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
    ]
    .iter()
    .filter(|c| **c)
    .count();
    let mixed = classes == 3 || (classes == 2 && v.len() >= 32 && entropy(v) >= 4.0);
    !hex && mixed && entropy(v) >= 3.5 && !is_placeholder(v)
}

/// Names whose value is a secret whatever it looks like.
const SECRET_NAMES: &str = r"password|passwd|passphrase|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|client[_\-]?secret|credentials?";

/// The rules, most specific first: a value redacted by an early rule becomes a placeholder
/// that the later, generic rules skip.
pub(super) fn rules() -> &'static [Rule] {
    static RULES: LazyLock<Vec<Rule>> = LazyLock::new(build);
    &RULES
}

fn build() -> Vec<Rule> {
    use SecretKind::*;
    let key_value = format!(
        r#"(?i)[A-Za-z0-9_.\-]*(?:{SECRET_NAMES})["']?[ \t]*[:=][ \t]*(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;&}}\])]+))"#
    );
    vec![
        Rule::new(
            PrivateKey,
            r"(?s)-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            always,
        ),
        Rule::new(
            PrivateKey,
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:\s*[A-Za-z0-9+/=]{16,})*",
            always,
        ),
        Rule::new(
            PrivateKey,
            r"(?:[A-Za-z0-9+/=]{16,}\s*)*-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            always,
        ),
        Rule::new(
            DockerAuth,
            r#"(?i)"(?:auth|identitytoken|registrytoken)"\s*:\s*"(?P<secret>[^"]+)""#,
            secret_is_real,
        ),
        Rule::new(
            DockerAuth,
            r"\b(?:eyJhdXRocyI6|ewogICJhdXRocyI6|ewoJImF1dGhzIjo)[A-Za-z0-9+/=]*",
            always,
        ),
        Rule::new(
            AuthHeader,
            r#"(?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|token|digest|negotiate|apikey)[ \t]+)?(?P<secret>[^\s"',]+)"#,
            secret_is_real,
        ),
        Rule::new(
            AuthHeader,
            r"(?i)\bbearer[ \t]+(?P<secret>[A-Za-z0-9\-._~+/]{8,}=*)",
            bearer_token,
        ),
        Rule::new(
            AuthHeader,
            r"(?im)^[ \t<>]*(?:set-)?cookie[ \t]*:[ \t]*(?P<secret>\S[^\r\n]*)",
            secret_is_real,
        ),
        Rule::new(
            UrlCredentials,
            r#"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@"'<>\[\]]+:(?P<secret>[^\s/?#@"'<>]+)@"#,
            secret_is_real,
        ),
        Rule::new(
            AwsSecretKey,
            r#"(?i)(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9/+=]{40})\b"#,
            always,
        ),
        Rule::new(
            AwsAccessKey,
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b",
            always,
        ),
        Rule::new(
            GithubToken,
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            always,
        ),
        Rule::new(
            GitlabToken,
            r"\b(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glsoat|gloas|glagent)-[A-Za-z0-9_\-]{20,}",
            always,
        ),
        Rule::new(SlackToken, r"\bxox[abposre]-[A-Za-z0-9\-]{10,}", always),
        Rule::new(
            SlackToken,
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+",
            always,
        ),
        Rule::new(
            Jwt,
            r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*",
            always,
        ),
        Rule::new(
            ApiKey,
            r"\bsk-(?:proj-|ant-|or-)?[A-Za-z0-9_\-]{16,}",
            has_digit,
        ),
        Rule::new(
            KeyValue,
            &key_value.replace("(?P<dq>", "(?P<secret>"),
            secret_is_real,
        ),
        Rule::new(
            KeyValue,
            &key_value.replace("(?P<sq>", "(?P<secret>"),
            secret_is_real,
        ),
        Rule::new(
            KeyValue,
            &key_value.replace("(?P<bare>", "(?P<secret>"),
            secret_is_real,
        ),
        Rule::new(
            KeyValue,
            r"(?i)--(?:password|passwd|token|secret|api-key|client-secret)[ \t]+(?P<secret>[^\s-][^\s]*)",
            secret_is_real,
        ),
        Rule::new(
            HighEntropy,
            r#"(?i)[A-Za-z0-9_.\-]*(?:key|auth|signature|sig|salt|session|cookie|seed|nonce|cred|pass|pwd|hmac|dsn)["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9+/=_\-.~]{16,})"#,
            high_entropy,
        ),
    ]
}
