//! Property-based fuzzing of redaction with `proptest`, bounded for CI (a fixed seed and a
//! fixed number of cases; `PROPTEST_CASES` and `PROPTEST_RNG_SEED` explore further): no
//! panic and no hang on any text (each case under a time limit), redaction is idempotent,
//! grows the text by at most one placeholder per secret, and a secret planted in random
//! surrounding text never survives.

use std::sync::mpsc;
use std::time::Duration;

use failure_analysis::redact::redact;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// Longest placeholder (`[REDACTED:openshift_token]` and the like).
const MAX_PLACEHOLDER: usize = 32;

/// Upper bound for one case (a debug build redacting a few kilobytes takes milliseconds).
const CASE_LIMIT: Duration = Duration::from_secs(10);

fn config(cases: u32) -> Config {
    let default = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            default.cases
        } else {
            cases
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            default.rng_seed
        } else {
            RngSeed::Fixed(16)
        },
        failure_persistence: None,
        max_shrink_iters: 512,
        ..default
    }
}

/// Runs `f` on another thread and fails the case if it does not finish within `limit` (a
/// hang) or panics.
fn within<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TestCaseError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => Ok(v),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "did not finish within {limit:?}"
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(TestCaseError::fail("panicked")),
    }
}

/// Fragments that steer random text towards the rules: key names, separators, prefixes,
/// quotes, base64 and hex runs, line breaks, multi-byte characters.
const PIECES: &[&str] = &[
    "\n",
    "\r\n",
    " ",
    "\t",
    "\"",
    "'",
    ":",
    "=",
    "=>",
    ",",
    "{",
    "}",
    "<",
    ">",
    "</",
    "\\n",
    "password",
    "PASS",
    "_PASS=",
    "token ",
    "Bearer ",
    "Authorization: ",
    "sha1",
    "\"sha1\":",
    "sha256~",
    "sha256:",
    "https://",
    "@",
    "-u ",
    "--user ",
    "curl ",
    "name: ",
    "value: ",
    "- name: DB_PASSWORD\n  value: ",
    "\"name\":\"X_TOKEN\",\"value\":\"",
    "<password>",
    "npm_",
    "pypi-AgE",
    ":_authToken=",
    "ghp_",
    "glpat-",
    "AKIA",
    "sk-",
    "eyJ",
    "xoxb-",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "[REDACTED:",
    ".dockerconfigjson: ",
    "eyJhdXRocyI6",
    "0123456789abcdef",
    "ABCDEFabcdef0123+/",
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
    "commit ",
    "é",
    "日本",
    "🦀",
    "\u{0}",
    "$",
];

fn noisy_text(max_pieces: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(PIECES).prop_map(str::to_string),
        2 => "[A-Za-z0-9+/=_~.-]{1,80}",
        1 => any::<String>(),
    ];
    proptest::collection::vec(piece, 0..max_pieces).prop_map(|v| v.concat())
}

#[test]
fn redaction_never_panics_hangs_or_grows_unboundedly_and_is_idempotent() {
    let mut runner = TestRunner::new(config(300));
    runner
        .run(&noisy_text(120), |text| {
            let (once, twice) = within(CASE_LIMIT, move || {
                let once = redact(&text);
                let twice = redact(&once.text);
                ((text.len(), once.text.clone(), once.counts.total()), twice)
            })?;
            let ((len, out, n), twice) = (once, twice);
            prop_assert!(n <= len, "{n} redactions in {len} bytes");
            prop_assert!(
                out.len() <= len + n * MAX_PLACEHOLDER,
                "grew from {len} to {} with {n} redactions",
                out.len()
            );
            prop_assert_eq!(&twice.text, &out, "not idempotent");
            prop_assert_eq!(twice.counts.total(), 0);
            Ok(())
        })
        .unwrap();
}

#[test]
fn large_random_text_is_redacted_in_bounded_time() {
    let mut runner = TestRunner::new(config(6));
    runner
        .run(&noisy_text(6_000), |text| {
            within(Duration::from_secs(30), move || {
                redact(&text).counts.total()
            })?;
            Ok(())
        })
        .unwrap();
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        out.push_str(&"=".repeat(3 - chunk.len()));
    }
    out
}

/// A password as people choose them: starts with a letter, has a digit, no quotes or
/// separators.
fn password() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9!%^*_+]{6,18}[0-9]"
}

/// A secret in one of the forms the rules know, and the part of it that must disappear.
fn planted() -> impl Strategy<Value = (String, String)> {
    let hex40 = "[0-9a-f]{40}";
    prop_oneof![
        hex40.prop_map(|h| (format!("using token {h}"), h)),
        hex40.prop_map(|h| (format!(r#"{{"id":1,"sha1":"{h}"}}"#), h)),
        hex40.prop_map(|h| (format!("https://{h}@gitea.example.com/u/r.git"), h)),
        "[A-Za-z0-9_-]{43}".prop_map(|t| (format!("got sha256~{t} back"), t)),
        (password(), "[a-z][a-z0-9]{2,10}")
            .prop_map(|(p, u)| (format!("curl -fsS -u {u}:{p} https://x"), p)),
        (password(), "[a-z][a-z0-9]{2,10}")
            .prop_map(|(p, u)| (format!("curl --user \"{u}:{p}\" https://x"), p)),
        password().prop_map(|p| (format!("DB_PASS={p}"), p)),
        password().prop_map(|p| (format!("<password>{p}</password>"), p)),
        password().prop_map(|p| (format!("  password => '{p}'"), p)),
        password().prop_map(|p| (format!("- name: DB_PASSWORD\n  value: {p}"), p)),
        password().prop_map(|p| (format!(r#"{{"name":"API_TOKEN","value":"{p}"}}"#), p)),
        "[A-Za-z0-9]{36}".prop_map(|t| (format!("npm_{t}"), t)),
        "[A-Za-z0-9]{36}".prop_map(|t| (format!("//registry.npmjs.org/:_authToken=npm_{t}"), t)),
        "[A-Za-z0-9_-]{40,80}".prop_map(|t| (format!("pypi-AgE{t}"), t)),
        (password(), "[a-z]{3,8}").prop_map(|(p, u)| {
            let auth = base64(format!("{u}:{p}").as_bytes());
            let cfg = format!(r#"{{ "auths": {{ "quay.io": {{ "auth": "{auth}" }} }} }}"#);
            let blob = base64(cfg.as_bytes());
            (format!(".dockerconfigjson: {blob}"), blob)
        }),
        proptest::collection::vec(any::<u8>(), 96..400).prop_map(|key| {
            let body = base64(&key);
            let lines: Vec<&str> = body
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            // Any full line must go (the short last one may stay).
            let probe = lines[lines.len() / 2].to_string();
            (lines.join("\n"), probe)
        }),
    ]
}

#[test]
fn a_planted_secret_never_survives_random_surroundings() {
    let mut runner = TestRunner::new(config(300));
    runner
        .run(
            &(noisy_text(40), planted(), noisy_text(40)),
            |(before, (form, secret), after)| {
                let text = format!("{before}\n{form}\n{after}");
                let out = within(CASE_LIMIT, move || redact(&text).text)?;
                prop_assert!(!out.contains(&secret), "{secret:?} survived in {out:?}");
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn adversarial_shapes_are_redacted_in_bounded_time() {
    // Each about 256 KiB: shapes that would make a backtracking or restarting matcher slow.
    let wrapped = base64(&"password: hunter2\n".repeat(10_000).into_bytes())
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let nested = {
        // base64 of base64 of … a secret: every level decodes to text again.
        let mut blob = "password: hunter2 ".repeat(4_000);
        for _ in 0..6 {
            blob = base64(blob.as_bytes());
        }
        blob
    };
    // The decoder sees through wrapping and nesting.
    assert!(!redact(&wrapped).text.contains("cGFzc3dvcmQ6"));
    assert_eq!(redact(&nested).text, "[REDACTED:key_value]");
    let shapes = [
        "-----BEGIN RSA PRIVATE KEY-----\n".repeat(8_000),
        "-----END RSA PRIVATE KEY-----".repeat(8_000),
        "\"name\":\"X_TOKEN\",".repeat(15_000),
        "- name: DB_PASSWORD\n".repeat(12_000),
        "curl -u a:".repeat(25_000),
        "sha256~".repeat(35_000),
        "token ".repeat(40_000) + &"a".repeat(40),
        "[REDACTED:".repeat(25_000),
        "A".repeat(256 * 1024),
        "Ab1+".repeat(64 * 1024),
        format!("{}\n", "Ab1+".repeat(16)).repeat(4_000),
        wrapped,
        nested,
    ];
    for text in shapes {
        let start: String = text.chars().take(40).collect();
        within(Duration::from_secs(60), move || {
            redact(&text).counts.total()
        })
        .unwrap_or_else(|e| panic!("{start:?}…: {e}"));
    }
}
