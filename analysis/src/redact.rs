//! Secret redaction, in code, before any text reaches the LLM and again on the issue body.
//!
//! Each rule finds one kind of secret and replaces only the secret part with
//! `[REDACTED:<kind>]`, keeping the key name or header so the reader still sees what was
//! there. Redaction is idempotent: redacting redacted text finds nothing. Counts are kept per
//! [`SecretKind`]; the secret itself is never stored or returned.

mod rules;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kinds of secret the redactor recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// A PEM private-key block (whole, or the part a log excerpt kept).
    PrivateKey,
    /// A docker config `auths` credential (`"auth"`, `"identitytoken"`, or a whole
    /// base64-encoded `.dockerconfigjson` of any layout, found by decoding it).
    DockerAuth,
    /// The credential of an `Authorization` header or a `Bearer` token.
    AuthHeader,
    /// The password in `scheme://user:password@host`.
    UrlCredentials,
    /// An AWS access key id (`AKIA…`, `ASIA…`).
    AwsAccessKey,
    /// An AWS secret access key after its variable name.
    AwsSecretKey,
    /// A GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
    GithubToken,
    /// A GitLab token (`glpat-` and the other `gl…-` prefixes).
    GitlabToken,
    /// A Slack token (`xox?-`) or incoming-webhook URL.
    SlackToken,
    /// A JSON Web Token (`eyJ….eyJ….…`).
    Jwt,
    /// An OpenAI-style or LiteLLM `sk-` key.
    ApiKey,
    /// The value after `password=`, `token:`, `secret=`, `api_key=` and similar names, in
    /// shell, URL-query, JSON, YAML, `=>` and XML forms; `DB_PASS=`-style variables;
    /// Kubernetes env pairs (`name: DB_PASSWORD` / `value: …`); a base64 blob that decodes
    /// to any of these.
    KeyValue,
    /// A long, high-entropy value after a weaker key-like name (`…_key`, `auth`, `salt`).
    HighEntropy,
    /// A Gitea access token (40 hex) where it is used as one: `token <hex>`, the API's
    /// `"sha1":"<hex>"`, `https://<hex>@host`.
    GiteaToken,
    /// An OpenShift OAuth token (`sha256~…`), anywhere.
    OpenshiftToken,
    /// An npm token (`npm_…`) or `.npmrc` credential (`:_authToken=`, `:_auth=`, `:_password=`).
    NpmToken,
    /// A PyPI API token (`pypi-AgE…`).
    PypiToken,
    /// The password of `curl -u user:password`, `--user user:password`, `--proxy-user`.
    UserPassword,
}

impl SecretKind {
    /// Every kind, in order.
    pub const ALL: [SecretKind; 18] = [
        Self::PrivateKey,
        Self::DockerAuth,
        Self::AuthHeader,
        Self::UrlCredentials,
        Self::AwsAccessKey,
        Self::AwsSecretKey,
        Self::GithubToken,
        Self::GitlabToken,
        Self::SlackToken,
        Self::Jwt,
        Self::ApiKey,
        Self::KeyValue,
        Self::HighEntropy,
        Self::GiteaToken,
        Self::OpenshiftToken,
        Self::NpmToken,
        Self::PypiToken,
        Self::UserPassword,
    ];

    /// The snake_case name used in placeholders and metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrivateKey => "private_key",
            Self::DockerAuth => "docker_auth",
            Self::AuthHeader => "auth_header",
            Self::UrlCredentials => "url_credentials",
            Self::AwsAccessKey => "aws_access_key",
            Self::AwsSecretKey => "aws_secret_key",
            Self::GithubToken => "github_token",
            Self::GitlabToken => "gitlab_token",
            Self::SlackToken => "slack_token",
            Self::Jwt => "jwt",
            Self::ApiKey => "api_key",
            Self::KeyValue => "key_value",
            Self::HighEntropy => "high_entropy",
            Self::GiteaToken => "gitea_token",
            Self::OpenshiftToken => "openshift_token",
            Self::NpmToken => "npm_token",
            Self::PypiToken => "pypi_token",
            Self::UserPassword => "user_password",
        }
    }

    /// The text that replaces a secret of this kind.
    pub fn placeholder(self) -> String {
        format!("[REDACTED:{}]", self.as_str())
    }
}

/// How many secrets of each kind were redacted. Serialises as `{"kind": count}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedactionCounts(BTreeMap<SecretKind, usize>);

impl RedactionCounts {
    /// Redactions of one kind.
    pub fn get(&self, kind: SecretKind) -> usize {
        self.0.get(&kind).copied().unwrap_or(0)
    }

    /// Redactions of all kinds.
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }

    /// Adds `n` redactions of `kind`.
    pub fn add(&mut self, kind: SecretKind, n: usize) {
        if n > 0 {
            *self.0.entry(kind).or_insert(0) += n;
        }
    }

    /// Adds all counts of `other` (to total a run's redactions over many tool results).
    pub fn merge(&mut self, other: &RedactionCounts) {
        for (kind, n) in &other.0 {
            self.add(*kind, *n);
        }
    }

    /// The non-zero counts, in kind order.
    pub fn iter(&self) -> impl Iterator<Item = (SecretKind, usize)> + '_ {
        self.0.iter().map(|(k, n)| (*k, *n))
    }
}

/// Redacted text and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The text with every secret replaced by `[REDACTED:<kind>]`.
    pub text: String,
    /// Redactions by kind.
    pub counts: RedactionCounts,
}

/// Redacts every secret the rules recognise. Linear in the text per rule.
pub fn redact(text: &str) -> Redacted {
    let mut counts = RedactionCounts::default();
    let mut current = text.to_owned();
    for rule in rules::rules() {
        if let Some(next) = rule.apply(&current, &mut counts) {
            current = next;
        }
    }
    Redacted {
        text: current,
        counts,
    }
}

#[cfg(test)]
mod tests;
