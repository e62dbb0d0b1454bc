use super::SecretKind::*;
use super::*;

/// (input, the secret that must disappear, the kind it is counted as)
const POSITIVE: &[(&str, &str, SecretKind)] = &[
    (
        "Authorization: Bearer abc123def456ghi789",
        "abc123def456ghi789",
        AuthHeader,
    ),
    (
        "authorization=Basic dXNlcjpwYXNzd29yZA==",
        "dXNlcjpwYXNzd29yZA==",
        AuthHeader,
    ),
    (
        r#"-H "Authorization: token 0123456789abcdef0123""#,
        "0123456789abcdef0123",
        AuthHeader,
    ),
    (
        "curl -H 'Proxy-Authorization: Basic Zm9vOmJhcg=='",
        "Zm9vOmJhcg==",
        AuthHeader,
    ),
    (
        "sending header bearer 9f8e7d6c5b4a39281706",
        "9f8e7d6c5b4a39281706",
        AuthHeader,
    ),
    (
        "> Cookie: _gitea_session=4e1c9a7b2f; _csrf=Zx9",
        "_gitea_session=4e1c9a7b2f",
        AuthHeader,
    ),
    (
        "< Set-Cookie: i_like_gitea=abc123; Path=/; HttpOnly",
        "i_like_gitea=abc123",
        AuthHeader,
    ),
    (
        "Cloning into 'src'... https://user57:S3cretPass@gitea.example.com/user57/mcp.git",
        "S3cretPass",
        UrlCredentials,
    ),
    (
        "postgres://app:hunter2!@db:5432/registry",
        "hunter2!",
        UrlCredentials,
    ),
    (
        "DB_PASSWORD=correct-horse-battery",
        "correct-horse-battery",
        KeyValue,
    ),
    ("password: p@ssw0rd", "p@ssw0rd", KeyValue),
    (
        r#"{"username":"admin","password":"Adm1n!pass, with comma"}"#,
        "Adm1n!pass, with comma",
        KeyValue,
    ),
    (
        "  password: 'single quoted secret'",
        "single quoted secret",
        KeyValue,
    ),
    (
        "GITEA_TOKEN=8f14e45fceea167a5a36dedd4bea2543",
        "8f14e45fceea167a5a36dedd4bea2543",
        KeyValue,
    ),
    (
        "https://api.example.com/v1/items?id=3&access_token=abcDEF123456&x=1",
        "abcDEF123456",
        KeyValue,
    ),
    ("client_secret = kjh8asd7f6", "kjh8asd7f6", KeyValue),
    (
        r#""api_key": "my-internal-key-001""#,
        "my-internal-key-001",
        KeyValue,
    ),
    ("export API-KEY=zz99yy88", "zz99yy88", KeyValue),
    (
        "mysql --password hunter2secret -u root",
        "hunter2secret",
        KeyValue,
    ),
    ("secret=topsecretvalue;", "topsecretvalue", KeyValue),
    (
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE",
        AwsAccessKey,
    ),
    (
        "using key ASIAY34FZKBOKMUTVV7A for s3",
        "ASIAY34FZKBOKMUTVV7A",
        AwsAccessKey,
    ),
    (
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AwsSecretKey,
    ),
    (
        "git push https://ghp_1234567890abcdefghijABCDEFGHIJ123456@github.com/o/r",
        "ghp_1234567890abcdefghijABCDEFGHIJ123456",
        GithubToken,
    ),
    (
        "token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        GithubToken,
    ),
    (
        "PRIVATE-TOKEN glpat-xxYYzz00112233445566",
        "glpat-xxYYzz00112233445566",
        GitlabToken,
    ),
    (
        "notify xoxb-123456789012-abcdefghijkl",
        "xoxb-123456789012-abcdefghijkl",
        SlackToken,
    ),
    (
        "POST https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX",
        "T000/B000/XXXXXXXXXXXX",
        SlackToken,
    ),
    (
        "id_token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        Jwt,
    ),
    (
        "LITELLM_MASTER=sk-1234abcdEFGH5678ijkl",
        "sk-1234abcdEFGH5678ijkl",
        ApiKey,
    ),
    (
        "model key sk-proj-Ab12Cd34Ef56Gh78Ij90",
        "sk-proj-Ab12Cd34Ef56Gh78Ij90",
        ApiKey,
    ),
    (
        r#"{"auths":{"quay.io":{"auth":"dXNlcjpwYXNzd29yZA==","email":""}}}"#,
        "dXNlcjpwYXNzd29yZA==",
        DockerAuth,
    ),
    (
        ".dockerconfigjson: eyJhdXRocyI6eyJxdWF5LmlvIjp7ImF1dGgiOiJabTl2T21KaGNnPT0ifX19",
        "eyJhdXRocyI6eyJxdWF5",
        DockerAuth,
    ),
    (
        "signing_key=Zx8Qm2Lr5Tw9Yp3Nv7Bc1Df",
        "Zx8Qm2Lr5Tw9Yp3Nv7Bc1Df",
        HighEntropy,
    ),
    (
        "SESSION_COOKIE: aB3dE5gH7jK9mN1pQ3sT5v",
        "aB3dE5gH7jK9mN1pQ3sT5v",
        HighEntropy,
    ),
];

#[test]
fn positive_cases_are_redacted_and_counted() {
    for (input, secret, kind) in POSITIVE {
        let out = redact(input);
        assert!(
            !out.text.contains(secret),
            "{kind:?} leaked in {:?}",
            out.text
        );
        assert!(
            out.text.contains(&kind.placeholder()),
            "{kind:?} not used in {:?}",
            out.text
        );
        assert_eq!(out.counts.get(*kind), 1, "{input} -> {:?}", out.counts);
        assert_eq!(out.counts.total(), 1, "{input} -> {:?}", out.counts);
    }
}

#[test]
fn pem_blocks_whole_and_partial() {
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu\n";
    let whole = format!(
        "before\n-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\nafter"
    );
    let out = redact(&whole);
    assert_eq!(out.text, "before\n[REDACTED:private_key]\nafter");
    let head = format!("-----BEGIN PRIVATE KEY-----\n{body}");
    assert!(
        !redact(&head).text.contains("MIIEvQ"),
        "{}",
        redact(&head).text
    );
    let tail = format!("{body}-----END OPENSSH PRIVATE KEY-----\nnext line");
    let out = redact(&tail);
    assert!(!out.text.contains("VJTUt9"), "{}", out.text);
    assert!(out.text.ends_with("next line"));
}

#[test]
fn one_header_is_not_counted_twice() {
    let out = redact("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrOHMifQ.c2lnbmF0dXJl");
    assert_eq!(out.counts.total(), 1, "{:?}", out.counts);
    assert!(!out.text.contains("eyJpc3Mi"));
}

#[test]
fn several_secrets_in_one_log() {
    let log = "step 1\nexport GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n\
               curl -u x https://bob:pw123@host/x\npassword=hunter2\nStep 2 done\n";
    let out = redact(log);
    assert_eq!(out.counts.get(GithubToken), 1);
    assert_eq!(out.counts.get(UrlCredentials), 1);
    assert_eq!(out.counts.get(KeyValue), 1);
    assert!(out.text.starts_with("step 1\n") && out.text.ends_with("Step 2 done\n"));
    let json = serde_json::to_value(&out.counts).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"url_credentials": 1, "github_token": 1, "key_value": 1})
    );
}

#[test]
fn negative_cases_are_left_alone() {
    let negatives = [
        "Error: building at STEP \"COPY requirements.txt .\": no such file or directory",
        "commit 3f2a9c4e1b7d8a6f5e4c3b2a1908f7e6d5c4b3a2",
        "Getting image source signatures\nCopying blob sha256:8a1e25ce7c4f75e372e9884f8f7b1bedcfe4a7a7d452eb4b0a1c7477c9a90345",
        "image-registry.openshift-image-registry.svc:5000/agent-user57/agent@sha256:0f3c7a6b3e0bd1e9f4f2c8e1a0b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9",
        "uid: 5e2d7c1a-9b3f-4e8d-a6c2-1f0e9d8c7b6a",
        "resourceVersion: \"184467\"",
        "Successfully tagged image-registry/agent-user57/agent:latest",
        "labels: tekton.dev/pipelineRun=build-agent-run-mtkhb0",
        "secretName: builder-dockercfg-x7k2p",
        "  - secret:\n      secretName: pipeline-dockercfg",
        "buildah login --password-stdin quay.io",
        "FATAL: password authentication failed for user \"app\"",
        "401 Authorization Required",
        "error: bearer token missing",
        "Using bearer authentication for the registry",
        "Cloning https://gitea.example.com/user57/mcp.git into /workspace/source",
        "git@github.com:org/repo.git",
        "ssh://git@gitea:2222/user57/mcp.git",
        "contact admin@example.com for access",
        "password: ${DB_PASSWORD}",
        "token: $(params.token)",
        "password: \"\"",
        "password: '********'",
        "api_key: <your key here>",
        "max_tokens=4096 temperature=0.2",
        "tokenizer=llama3 tokens: 1530",
        "secrets:\n  - name: pipeline-dockercfg",
        "passwordless sudo configured",
        "npm WARN deprecated tar@2.2.2: This version is no longer supported",
        "cache key: linux-x64-8f3b2c1d9e0a",
        "cookie consent banner disabled",
        "desk-1234567890abcdefgh",
        "task-run build-agent-run-mtkhb0-build",
        "integrity sha512-aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3gH5jK7mN9pQ==",
    ];
    for line in negatives {
        let out = redact(line);
        assert_eq!(out.text, line, "changed: {line}");
        assert_eq!(out.counts.total(), 0, "{line}");
    }
}

#[test]
fn redaction_is_idempotent() {
    let all: String = POSITIVE.iter().map(|(i, _, _)| format!("{i}\n")).collect();
    let once = redact(&all);
    assert_eq!(once.counts.total(), POSITIVE.len());
    let twice = redact(&once.text);
    assert_eq!(twice.text, once.text);
    assert_eq!(twice.counts.total(), 0, "{:?}", twice.counts);
}

#[test]
fn entropy_values() {
    assert_eq!(rules::entropy("aaaa"), 0.0);
    assert!((rules::entropy("abcd") - 2.0).abs() < 1e-9);
}

#[test]
fn counts_merge() {
    let mut a = RedactionCounts::default();
    a.add(Jwt, 2);
    let mut b = RedactionCounts::default();
    b.add(Jwt, 1);
    b.add(ApiKey, 1);
    b.add(KeyValue, 0);
    a.merge(&b);
    assert_eq!((a.get(Jwt), a.get(ApiKey), a.total()), (3, 1, 4));
    assert_eq!(a.iter().count(), 2);
}

#[test]
fn large_text_is_redacted_in_bounded_time() {
    let line = "2026-11-24T07:00:00Z INFO Copying blob sha256:8a1e25ce7c4f75e372e9884f8f7b1bedcfe4a7a7d452eb4b0a1c7477c9a90345 done token=abc123xyz\n";
    let text = line.repeat(8_000);
    let started = std::time::Instant::now();
    let out = redact(&text);
    assert_eq!(out.counts.get(KeyValue), 8_000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
