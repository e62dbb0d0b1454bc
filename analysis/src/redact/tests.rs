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
        "//registry.npmjs.org/:_authToken=npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        NpmToken,
    ),
    (
        "//nexus.example.com/repository/npm/:_authToken=0f3c-7a6b-internal",
        "0f3c-7a6b-internal",
        NpmToken,
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

/// Forms that passed the rules before (each one leaked its secret with the rules of
/// 7bf6410, checked by running this list against them; issue #16): (input, the secret that
/// must disappear, the kind it is counted as).
const LEAKED_BEFORE: &[(&str, &str, SecretKind)] = &[
    // Gitea tokens (40 hex) where they are used as credentials.
    (
        "using token 0123456789abcdef0123456789abcdef01234567 for user57",
        "0123456789abcdef0123456789abcdef01234567",
        GiteaToken,
    ),
    (
        r#"{"id":3,"name":"lab","sha1":"9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c","token_last_eight":"1f2a4b6c"}"#,
        "9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c",
        GiteaToken,
    ),
    (
        "  sha1: 9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c",
        "9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c",
        GiteaToken,
    ),
    (
        "git clone https://9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c@gitea.example.com/user57/mcp.git",
        "9b0d3c5e7f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c",
        GiteaToken,
    ),
    (
        "remote: https://x0Bq9LmT2vWc8RzKe4YhNa7@github.com/o/r.git",
        "x0Bq9LmT2vWc8RzKe4YhNa7",
        UrlCredentials,
    ),
    // OpenShift tokens anywhere.
    (
        "oc whoami -t: sha256~AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd",
        "sha256~AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd",
        OpenshiftToken,
    ),
    (
        "logged in with sha256~Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlK as user57",
        "sha256~Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlK",
        OpenshiftToken,
    ),
    // curl -u / --user.
    (
        "+ curl -fsS -u admin:S3cr3t! https://nexus.example.com/repository/raw/",
        "S3cr3t!",
        UserPassword,
    ),
    (
        r#"curl --user "deploy:hunter2go" -X POST https://x"#,
        "hunter2go",
        UserPassword,
    ),
    (
        "curl --proxy-user=proxy:pr0xyPw https://x",
        "pr0xyPw",
        UserPassword,
    ),
    // .dockerconfigjson of any layout, decoded.
    (
        ".dockerconfigjson: eyJjcmVkc1N0b3JlIjoiIiwiYXV0aHMiOnsicXVheS5pbyI6eyJhdXRoIjoiZFhObGNqcHdZWE56ZDI5eVpERXlNdz09In19fQ==",
        "eyJjcmVkc1N0b3JlIjoiIiwiYXV0aHMiOnsicXVheS5pbyI6eyJhdXRoIjoiZFhObGNqcHdZWE56ZDI5eVpERXlNdz09In19fQ==",
        DockerAuth,
    ),
    (
        r#"{"data":{"config.json":"eyJjcmVkc1N0b3JlIjoiIiwiYXV0aHMiOnsicXVheS5pbyI6eyJhdXRoIjoiZFhObGNqcHdZWE56ZDI5eVpERXlNdz09In19fQ=="}}"#,
        "ZFhObGNqcHdZWE56ZDI5eVpERXlNdz09",
        DockerAuth,
    ),
    // Any base64 that decodes to a secret (a config file in a Secret's data).
    (
        "  app.yaml: ZGI6CiAgaG9zdDogcG9zdGdyZXMKICBwYXNzd29yZDogU3VwM3JTM2NyZXQK",
        "ZGI6CiAgaG9zdDogcG9zdGdyZXMKICBwYXNzd29yZDogU3VwM3JTM2NyZXQK",
        KeyValue,
    ),
    // Kubernetes env pairs, YAML (pods_get) and JSON (resources_get).
    (
        "    env:\n    - name: DB_PASSWORD\n      value: s3cr3t-db\n    - name: HOME\n",
        "s3cr3t-db",
        KeyValue,
    ),
    (
        "  - name: GITEA_ACCESS_TOKEN\n    value: \"plain-text-value\"\n  - name: API_AUTH_HEADER\n    value: '$(params.auth)'\n",
        "plain-text-value",
        KeyValue,
    ),
    (
        r#""env":[{"name":"DB_PASSWORD","value":"s3cr3t-db"},{"name":"HOME","value":"/home"}]"#,
        "s3cr3t-db",
        KeyValue,
    ),
    (
        "{\n  \"name\": \"SIGNING_KEY\",\n  \"value\": \"k3y-material\"\n}",
        "k3y-material",
        KeyValue,
    ),
    ("export DB_PASS=plaintext99", "plaintext99", KeyValue),
    ("MYSQL_ROOT_PWD: 'r00tpw'", "r00tpw", KeyValue),
    (
        "<server><id>nexus</id><password>mavenPass1</password></server>",
        "mavenPass1",
        KeyValue,
    ),
    ("  password => 'rubyPass'", "rubyPass", KeyValue),
    (r#"'db_password' => "phpPass""#, "phpPass", KeyValue),
    // npm and PyPI.
    (
        "//nexus.example.com/repository/npm/:_auth=dXNlcjpwYXNz",
        "dXNlcjpwYXNz",
        NpmToken,
    ),
    (
        "npm token npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 created",
        "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
        NpmToken,
    ),
    (
        "twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJDU2ZTQ5YTM0LWE4",
        "pypi-AgEIcHlwaS5vcmcCJDU2ZTQ5YTM0LWE4",
        PypiToken,
    ),
    // Key bodies without their BEGIN/END lines.
    (
        "step-build: pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9c\n\
         fCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p\n\
         VeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQA\n\
         TTO6DSRq\n\
         -- next step --\n",
        "VeXNjkbcjtS3wnZNKlpNdncG",
        PrivateKey,
    ),
    (
        r#""blob":"fCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p\nVeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQA\nTTO6DSRq""#,
        "fCmZ/a/lkyU81lSvTfrXFCeg",
        PrivateKey,
    ),
];

#[test]
fn forms_that_leaked_before_are_redacted() {
    for (input, secret, kind) in LEAKED_BEFORE {
        let out = redact(input);
        assert!(
            !out.text.contains(secret),
            "{kind:?} leaked in {:?}",
            out.text
        );
        assert!(
            out.counts.get(*kind) >= 1,
            "{input} -> {:?} (expected {kind:?})",
            out.counts
        );
        assert_eq!(out.counts.total(), 1, "{input} -> {:?}", out.counts);
    }
}

#[test]
fn pem_body_lines_keep_the_rest_of_the_log() {
    let log = "step one\npU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9c\n\
               fCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p\nTTO6DSRq\ndone\n";
    let out = redact(log);
    assert_eq!(out.text, "step one\n[REDACTED:private_key]\ndone\n");
}

#[test]
fn env_pairs_redact_only_the_secret_ones() {
    let pod = "    env:\n    - name: HOME\n      value: /tekton/home\n    - name: DB_PASSWORD\n      value: s3cr3t-db\n    - name: GIT_TOKEN\n      valueFrom:\n        secretKeyRef:\n          name: gitea\n";
    let out = redact(pod);
    assert!(out.text.contains("value: /tekton/home"), "{}", out.text);
    assert!(
        out.text.contains("      value: [REDACTED:key_value]\n"),
        "{}",
        out.text
    );
    assert!(
        out.text.contains("secretKeyRef:\n          name: gitea"),
        "{}",
        out.text
    );
    assert_eq!(out.counts.total(), 1);
}

#[test]
fn decoded_base64_without_a_secret_is_kept() {
    for line in [
        "echo SGVsbG8gd29ybGQsIHRoaXMgaXMgZmluZSBhbmQgbm90aGluZyBzZWNyZXQ=",
        "AAMGCQwPEhUYGx4hJCcqLTAzNjk8P0JFSEtOUVRXWl1gY2ZpbG9ydXh7foGEh4qNkJOWmZyfoqWoq66xtLe6vcDDxsnMz9LV2Nve4eTn6u3w8/b5/A== in a line",
    ] {
        assert_eq!(redact(line).text, line);
    }
    assert_eq!(rules::decode_base64("aGk="), Some(b"hi".to_vec()));
    assert_eq!(rules::decode_base64("a-_b"), Some(vec![0x6b, 0xef, 0xdb]));
    assert_eq!(rules::decode_base64("a b"), None);
}

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
        // 40 hex outside the credential forms is a git SHA and stays readable.
        "HEAD is now at 3f2a9c4e1b7d8a6f5e4c3b2a1908f7e6d5c4b3a2 fix build",
        r#"{"sha":"3f2a9c4e1b7d8a6f5e4c3b2a1908f7e6d5c4b3a2","message":"fix"}"#,
        "npm notice shasum: 3f2a9c4e1b7d8a6f5e4c3b2a1908f7e6d5c4b3a2",
        "Checking out 3f2a9c4e1b7d8a6f5e4c3b2a1908f7e6d5c4b3a2 (tokens: 1530)",
        "Copying config sha256:0f3c7a6b3e0bd1e9f4f2c8e1a0b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9",
        "docker run -u 1001:0 --rm image",
        "podman run --user postgres:postgres db",
        "sort -u names.txt > out.txt",
        "curl -u :  --negotiate https://x",
        "    - name: HOME\n      value: /tekton/home",
        r#"{"name":"PATH","value":"/usr/local/bin:/usr/bin"}"#,
        "PWD=/workspace/source OLDPWD=/",
        "  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db",
        "<password>${env.MAVEN_PASSWORD}</password>",
        "password => $db_password",
        "npm ERR! need auth This command requires you to be logged in to https://registry.npmjs.org/",
        "Looking in indexes: https://pypi.org/simple, pypi-mirror",
        "/workspace/source/src/main/java/com/example/ApplicationConfiguration.java:42: error",
        "base64: SGVsbG8gd29ybGQsIHRoaXMgaXMgZmluZSBhbmQgbm90aGluZyBzZWNyZXQ=",
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
fn text_that_only_looks_like_a_placeholder_shields_nothing() {
    for (input, secret) in [
        (
            "[REDACTED:ghp_1234567890abcdefghijABCDEFGHIJ123456",
            "1234567890abcdefghij",
        ),
        ("-u [REDACTED:x]:hunter2pw https://x", "hunter2pw"),
        (
            "[REDACTED:npm_token npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
            "AbCdEfGh",
        ),
    ] {
        let out = redact(input);
        assert!(!out.text.contains(secret), "{input} -> {}", out.text);
    }
    assert_eq!(SecretKind::ALL.len(), {
        let mut names: Vec<&str> = SecretKind::ALL.iter().map(|k| k.as_str()).collect();
        names.dedup();
        names.len()
    });
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
