//! The redaction rules: a pattern, the capture that holds the secret, and a check that tells
//! real secrets from look-alikes (placeholders, hashes, prose).

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{RedactionCounts, SecretKind};
use crate::static_regex;

/// Decides from the match whether it is a secret; `false` keeps the text as it is.
type Check = fn(&Captures<'_>) -> bool;

/// Decides from the match which kind of secret it is, if any (for rules whose kind depends
/// on what the match holds, such as a base64 blob).
type Decide = fn(&Captures<'_>) -> Option<SecretKind>;

/// How a rule judges a match.
enum Judge {
    /// Always this kind, when the check passes.
    Fixed(SecretKind, Check),
    /// The kind the function names.
    Decide(Decide),
}

/// One rule: everything in capture group `secret` (or the whole match when the pattern has
/// no such group) is replaced by the kind's placeholder.
pub(super) struct Rule {
    re: Regex,
    judge: Judge,
}

impl Rule {
    fn new(kind: SecretKind, pattern: &str, check: Check) -> Self {
        Self {
            re: static_regex(pattern),
            judge: Judge::Fixed(kind, check),
        }
    }

    fn decided(pattern: &str, decide: Decide) -> Self {
        Self {
            re: static_regex(pattern),
            judge: Judge::Decide(decide),
        }
    }

    /// Returns the rewritten text (`None` when nothing matched), counting each redaction.
    /// A match whose secret overlaps a placeholder an earlier rule wrote is skipped, so
    /// redacting redacted text changes nothing.
    pub(super) fn apply(&self, text: &str, counts: &mut RedactionCounts) -> Option<String> {
        let mut out = String::new();
        let mut last = 0;
        let mut changed = false;
        let mut held: Option<Vec<(usize, usize)>> = None;
        for caps in self.re.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = caps.name("secret").unwrap_or(whole);
            let held = held.get_or_insert_with(|| placeholders(text));
            if overlaps(held, secret.start(), secret.end()) {
                continue;
            }
            let kind = match self.judge {
                Judge::Fixed(kind, check) => check(&caps).then_some(kind),
                Judge::Decide(decide) => decide(&caps),
            };
            let Some(kind) = kind else { continue };
            out.push_str(&text[last..secret.start()]);
            out.push_str(&kind.placeholder());
            last = secret.end();
            counts.add(kind, 1);
            changed = true;
        }
        if !changed {
            return None;
        }
        out.push_str(&text[last..]);
        Some(out)
    }
}

/// The byte ranges of the placeholders in `text`: `[REDACTED:<kind>]` with a kind this
/// crate writes, so that text merely starting like one (`[REDACTED:ghp_…`) shields nothing.
fn placeholders(text: &str) -> Vec<(usize, usize)> {
    const PREFIX: &str = "[REDACTED:";
    text.match_indices(PREFIX)
        .filter_map(|(start, _)| {
            let rest = &text[start + PREFIX.len()..];
            let (kind, _) = rest.split_once(']')?;
            SecretKind::ALL
                .iter()
                .any(|k| k.as_str() == kind)
                .then_some((start, start + PREFIX.len() + kind.len() + 1))
        })
        .collect()
}

/// Whether `start..end` overlaps one of the (ordered, disjoint) ranges.
fn overlaps(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|&(_, e)| e <= start);
    ranges.get(i).is_some_and(|&(s, _)| s < end.max(start + 1))
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

/// `-u user:password`: not a `uid:gid` pair (`-u 1001:0`), not `user:user`, not a URL.
fn user_password(caps: &Captures<'_>) -> bool {
    let (Some(user), Some(secret)) = (caps.name("user"), caps.name("secret")) else {
        return false;
    };
    let (user, secret) = (user.as_str(), secret.as_str());
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let uid_gid = numeric(user) && numeric(secret);
    !is_placeholder(secret) && !uid_gid && user != secret && !secret.starts_with("//")
}

/// A token in URL user-info: has a digit (prose and user names rarely do at 20+ characters).
fn url_token(caps: &Captures<'_>) -> bool {
    caps.name("secret").is_some_and(|m| {
        let v = m.as_str();
        !is_placeholder(v) && v.bytes().any(|b| b.is_ascii_digit())
    })
}

/// Base64 key-body lines: all three character classes (hex digests and words have not).
fn pem_body(caps: &Captures<'_>) -> bool {
    caps.name("secret").is_some_and(|m| {
        let v = m.as_str();
        v.bytes().any(|b| b.is_ascii_uppercase())
            && v.bytes().any(|b| b.is_ascii_lowercase())
            && v.bytes().any(|b| b.is_ascii_digit())
    })
}

/// Decodes standard or URL-safe base64, skipping padding and line breaks; `None` on any
/// other character. Total over its input.
pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A base64 blob is a secret when what it decodes to is text that carries one: a docker
/// config (`.dockerconfigjson`, whatever its layout), a private key, or anything the other
/// rules find (`password: …` in an encoded config file). The decoded text is redacted with
/// the same rules; it is at most ¾ of the blob, so the recursion is bounded and the total
/// work stays linear.
fn base64_blob(caps: &Captures<'_>) -> Option<SecretKind> {
    let blob = caps.get(0)?.as_str();
    decoded_secret(blob).or_else(|| {
        // Lines wrapped at 76 may have run into the next line: judge the first alone.
        let (first, _) = blob.split_once('\n')?;
        decoded_secret(first.trim_end_matches('\r'))
    })
}

fn decoded_secret(blob: &str) -> Option<SecretKind> {
    // Base64 of text has both cases; hex digests, words and paths in one case have not.
    if !(blob.bytes().any(|b| b.is_ascii_uppercase())
        && blob.bytes().any(|b| b.is_ascii_lowercase()))
    {
        return None;
    }
    let bytes = decode_base64(blob)?;
    let printable = bytes
        .iter()
        .filter(|b| matches!(b, b' '..=b'~' | b'\n' | b'\r' | b'\t'))
        .count();
    if bytes.len() < 12 || printable * 10 < bytes.len() * 9 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let lower = text.to_ascii_lowercase();
    let inner = super::redact(&text).counts;
    if lower.contains("\"auths\"") || inner.get(SecretKind::DockerAuth) > 0 {
        return Some(SecretKind::DockerAuth);
    }
    if lower.contains("private key") {
        return Some(SecretKind::PrivateKey);
    }
    // Key-body lines alone are a certificate here (its header said nothing of a key).
    inner
        .iter()
        .map(|(kind, _)| kind)
        .find(|kind| *kind != SecretKind::PrivateKey)
}

/// Parts of a Kubernetes env-var or param name that make its value a secret.
const SECRET_ENV_NAME: &str = r"pass|pwd|secret|token|key|credential|auth|private|dsn|salt";

/// Upper-case variable-name suffixes (`DB_PASS=`, `SIGNING_KEY=`) whose value is a secret.
const SECRET_ENV_SUFFIX: &str =
    r"PASS|PASSWD|PASSWORD|PASSPHRASE|PWD|PW|SECRET|TOKEN|KEY|CREDENTIALS?|AUTH|DSN|SALT";

/// Three rules for one pattern with `dq`, `sq` and `bare` value groups (double-quoted,
/// single-quoted, bare): each one makes its group the secret.
fn value_rules(kind: SecretKind, pattern: &str) -> [Rule; 3] {
    ["dq", "sq", "bare"].map(|g| {
        Rule::new(
            kind,
            &pattern.replace(&format!("(?P<{g}>"), "(?P<secret>"),
            secret_is_real,
        )
    })
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
    // Separators: `=`, `:`, and `=>` (Ruby, Perl, PHP hashes).
    let value = r#"(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;&}\])]+))"#;
    let key_value =
        format!(r#"(?i)[A-Za-z0-9_.\-]*(?:{SECRET_NAMES})["']?[ \t]*(?:=>|[:=])[ \t]*{value}"#);
    let env_var =
        format!(r#"\b[A-Z][A-Z0-9_]*_(?:{SECRET_ENV_SUFFIX})["']?[ \t]*(?:=>|[:=])[ \t]*{value}"#);
    // `- name: DB_PASSWORD` then `value: …` on the next line, as `pods_get` prints env vars
    // and Tekton params.
    let env_yaml = format!(
        r#"(?im)^[ \t]*(?:-[ \t]+)?name:[ \t]*["']?[A-Za-z0-9_.\-]*(?:{SECRET_ENV_NAME})[A-Za-z0-9_.\-]*["']?[ \t]*\r?\n[ \t]*value:[ \t]*(?:"(?P<dq>[^"\r\n]*)"|'(?P<sq>[^'\r\n]*)'|(?P<bare>[^\s"'][^\r\n]*))"#
    );
    let mut rules = vec![
        Rule::new(
            PrivateKey,
            r"(?s)-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            always,
        ),
        // Cut by an excerpt: the head or the tail of a block (also JSON-escaped, `\n`).
        Rule::new(
            PrivateKey,
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:(?:\s|\\[nr])*[A-Za-z0-9+/=]{16,})*",
            always,
        ),
        Rule::new(
            PrivateKey,
            r"(?:[A-Za-z0-9+/=]{16,}(?:\s|\\[nr])*)*-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",
            always,
        ),
        Rule::new(
            DockerAuth,
            r#"(?i)"(?:auth|identitytoken|registrytoken)"\s*:\s*"(?P<secret>[^"\n]+)""#,
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
        // A token as the whole user-info: `https://<gitea token>@gitea/…`, `https://<pat>@…`.
        Rule::new(
            GiteaToken,
            r"(?i)\b[a-z][a-z0-9+.\-]*://(?P<secret>[0-9a-f]{40})@",
            always,
        ),
        // Gitea tokens are 40 hex, like a git SHA: redacted only where used as a credential
        // (`token <hex>`, the token API's `sha1`); `commit <sha>` stays readable.
        Rule::new(
            GiteaToken,
            r"(?i)token[ \t]+(?P<secret>[0-9a-f]{40})\b",
            always,
        ),
        Rule::new(
            GiteaToken,
            r#"(?i)"sha1"\s*:\s*"(?P<secret>[0-9a-f]{40})""#,
            always,
        ),
        Rule::new(
            GiteaToken,
            r#"(?im)^[ \t]*(?:-[ \t]+)?sha1[ \t]*:[ \t]*["']?(?P<secret>[0-9a-f]{40})\b"#,
            always,
        ),
        Rule::new(OpenshiftToken, r"\bsha256~[A-Za-z0-9_\-]{20,}", always),
        Rule::new(
            NpmToken,
            r#"(?im)(?:^|[\s:"'])_(?:authToken|auth|password)[ \t]*=[ \t]*["']?(?P<secret>[^\s"']+)"#,
            secret_is_real,
        ),
        Rule::new(NpmToken, r"\bnpm_[A-Za-z0-9]{36,}\b", always),
        Rule::new(
            PypiToken,
            r"\bpypi-(?:AgE[A-Za-z0-9_\-]{16,}|[A-Za-z0-9_\-]{50,})",
            always,
        ),
        Rule::new(
            UserPassword,
            r#"(?m)(?:^|[\s"'])(?:(?:--user|--proxy-user)(?:[ \t]+|=)|-[uU][ \t]*)["']?(?P<user>[^\s:"'@\-][^\s:"'@]*|):(?P<secret>[^\s"']+)"#,
            user_password,
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
        // Any other token as the whole user-info (after the rules that know its prefix).
        Rule::new(
            UrlCredentials,
            r"\b[A-Za-z][A-Za-z0-9+.\-]*://(?P<secret>[A-Za-z0-9_\-.~%]{20,})@",
            url_token,
        ),
        // Any base64 blob (one line, or lines wrapped at 76) that decodes to a secret.
        Rule::decided(
            r"(?:[A-Za-z0-9+/]{76}\r?\n)+[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9+/_\-]{20,}={0,2}",
            base64_blob,
        ),
        // `{"name":"DB_PASSWORD","value":"…"}`, as `resources_get` returns env vars in JSON.
        Rule::new(
            KeyValue,
            &format!(
                r#"(?i)"name"\s*:\s*"[^"\\\n]*(?:{SECRET_ENV_NAME})[^"\\\n]*"\s*,\s*"value"\s*:\s*"(?P<secret>(?:[^"\\\n]|\\.)*)""#
            ),
            secret_is_real,
        ),
        Rule::new(
            KeyValue,
            &format!(r"(?i)<[A-Za-z0-9_.:\-]*(?:{SECRET_NAMES}|passwd)>(?P<secret>[^<\r\n]+)</"),
            secret_is_real,
        ),
    ];
    rules.extend(value_rules(KeyValue, &env_yaml));
    rules.extend(value_rules(KeyValue, &key_value));
    rules.push(Rule::new(
        KeyValue,
        r"(?i)--(?:password|passwd|token|secret|api-key|client-secret)[ \t]+(?P<secret>[^\s-][^\s]*)",
        secret_is_real,
    ));
    rules.extend(value_rules(KeyValue, &env_var));
    rules.extend([
        // Key bodies whose BEGIN and END lines the excerpt cut off: whole lines of 60–76
        // base64 characters (PEM 64, OpenSSH 70), and the short last line.
        Rule::new(
            PrivateKey,
            r"(?m)^[ \t]*(?P<secret>(?:[A-Za-z0-9+/]{60,76}[ \t]*\r?\n[ \t]*)*[A-Za-z0-9+/]{60,76}={0,2}(?:[ \t]*\r?\n[ \t]*(?:[A-Za-z0-9+/]{0,75}[0-9+/][A-Za-z0-9+/]{0,75}={0,2}|[A-Za-z0-9+/]{1,75}={1,2}))?)[ \t]*\r?$",
            pem_body,
        ),
        // The same, JSON-escaped (`\n` between the lines).
        Rule::new(
            PrivateKey,
            r"(?P<secret>[A-Za-z0-9+/]{1,76}(?:\\n[A-Za-z0-9+/]{60,76})+(?:\\n[A-Za-z0-9+/]{1,76}={0,2})?)",
            pem_body,
        ),
        Rule::new(
            HighEntropy,
            r#"(?i)[A-Za-z0-9_.\-]*(?:key|auth|signature|sig|salt|session|cookie|seed|nonce|cred|pass|pwd|hmac|dsn)["']?[ \t]*[:=][ \t]*["']?(?P<secret>[A-Za-z0-9+/=_\-.~]{16,})"#,
            high_entropy,
        ),
    ]);
    rules
}
