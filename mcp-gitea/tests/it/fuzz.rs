//! Property-based fuzzing of request decoding with `proptest`, bounded for CI (a fixed seed
//! and a fixed number of cases; `PROPTEST_CASES` and `PROPTEST_RNG_SEED` explore further):
//! arbitrary and mutated JSON-RPC bodies, batches, bytes and headers POSTed to `/mcp` of the
//! server on a loopback port, in front of the Gitea emulator. Every request gets a
//! well-formed HTTP answer in time (no panic, no hang, no 5xx; a JSON or SSE body that
//! parses), and the server still initialises a client afterwards.

use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

use super::common::{client, start};

const CASE_LIMIT: Duration = Duration::from_secs(15);

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
        max_shrink_iters: 256,
        ..default
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        "[a-z0-9_/.-]{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_]{0,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const TOOLS: &[&str] = &[
    "get_me",
    "list_my_repos",
    "search_repos",
    "get_file_contents",
    "get_dir_contents",
    "list_issues",
    "issue_read",
    "issue_write",
    "list_branches",
    "get_commit",
    "get_labels",
    "create_issue",
    "list_repo_issues",
    "get_issue_by_index",
    "no_such_tool",
    "",
];

const ARGUMENT_NAMES: &[&str] = &[
    "owner", "repo", "index", "page", "perPage", "limit", "method", "path", "ref", "title", "body",
    "state", "labels", "sha", "query", "filePath",
];

/// Tool arguments: the lab repository's `owner`/`repo` most of the time, other fields with
/// values of any type.
fn arguments() -> impl Strategy<Value = Value> {
    let field = (proptest::sample::select(ARGUMENT_NAMES), json_value());
    (proptest::collection::vec(field, 0..6), any::<bool>()).prop_map(|(fields, lab)| {
        let mut map = Map::new();
        if lab {
            map.insert("owner".into(), "user1".into());
            map.insert("repo".into(), "mcp".into());
        }
        for (k, v) in fields {
            map.insert(k.to_string(), v);
        }
        Value::Object(map)
    })
}

fn init_params() -> impl Strategy<Value = Value> {
    let version = prop_oneof![
        3 => proptest::sample::select(&["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"][..])
            .prop_map(Value::from),
        1 => json_value(),
    ];
    version.prop_map(|v| {
        json!({"protocolVersion": v, "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"}})
    })
}

fn call_params() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(TOOLS),
        prop_oneof![4 => arguments(), 1 => json_value()],
    )
        .prop_map(|(name, arguments)| json!({"name": name, "arguments": arguments}))
}

/// A method with params that fit it (mostly), or any params.
fn method_and_params() -> impl Strategy<Value = (Value, Option<Value>)> {
    let other = proptest::sample::select(
        &[
            "tools/list",
            "ping",
            "notifications/initialized",
            "notifications/cancelled",
            "resources/list",
            "prompts/list",
            "logging/setLevel",
            "completion/complete",
        ][..],
    );
    prop_oneof![
        3 => init_params().prop_map(|p| (json!("initialize"), Some(p))),
        6 => call_params().prop_map(|p| (json!("tools/call"), Some(p))),
        3 => (other, proptest::option::of(json_value())).prop_map(|(m, p)| (json!(m), p)),
        1 => (json_value(), proptest::option::of(json_value())),
    ]
}

/// One JSON-RPC message, valid or bent: any `jsonrpc`, any `id` (or none), a known or
/// unknown method, and params of any shape.
fn message() -> impl Strategy<Value = Value> {
    let id = proptest::option::of(prop_oneof![
        3 => any::<i64>().prop_map(Value::from),
        2 => "[a-z0-9-]{0,12}".prop_map(Value::from),
        1 => json_value(),
    ]);
    let version = prop_oneof![6 => Just(json!("2.0")), 1 => json_value()];
    (version, id, method_and_params()).prop_map(|(version, id, (method, params))| {
        let mut m = Map::new();
        m.insert("jsonrpc".into(), version);
        if let Some(id) = id {
            m.insert("id".into(), id);
        }
        m.insert("method".into(), method);
        if let Some(p) = params {
            m.insert("params".into(), p);
        }
        Value::Object(m)
    })
}

/// A request body: a message, a batch, any JSON, any bytes, or a message with a byte
/// changed or cut short.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => message().prop_map(|m| m.to_string().into_bytes()),
        1 => proptest::collection::vec(message(), 0..4).prop_map(|b| Value::from(b).to_string().into_bytes()),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..300),
        1 => (message(), any::<Index>(), any::<u8>()).prop_map(|(m, i, b)| {
            let mut bytes = m.to_string().into_bytes();
            let at = i.index(bytes.len());
            bytes[at] = b;
            bytes
        }),
        1 => (message(), any::<Index>()).prop_map(|(m, i)| {
            let mut bytes = m.to_string().into_bytes();
            bytes.truncate(i.index(bytes.len()));
            bytes
        }),
    ]
}

/// Request headers: the ones the transport reads, mostly with good values (so that most
/// bodies reach the decoder), else missing or odd.
fn headers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    fn header(
        name: &'static str,
        good: &'static [&'static str],
        (weight_good, weight_none): (u32, u32),
    ) -> impl Strategy<Value = Option<(&'static str, String)>> {
        prop_oneof![
            weight_good => proptest::sample::select(good).prop_map(|v| Some(v.to_string())),
            weight_none => Just(None),
            1 => "[ -~]{0,40}".prop_map(Some),
        ]
        .prop_map(move |v| v.map(|v| (name, v)))
    }
    (
        header(
            "content-type",
            &["application/json", "application/json; charset=utf-8"],
            (20, 1),
        ),
        header(
            "accept",
            &[
                "application/json, text/event-stream",
                "application/json",
                "*/*",
            ],
            (20, 1),
        ),
        header(
            "mcp-protocol-version",
            &["2025-06-18", "2025-11-25", "2024-11-05"],
            (4, 4),
        ),
        header("mcp-session-id", &["nope"], (1, 20)),
        // Any Origin but the server's own is refused before the body is read.
        header("origin", &["http://127.0.0.1"], (1, 30)),
    )
        .prop_map(|(a, b, c, d, e)| [a, b, c, d, e].into_iter().flatten().collect())
}

/// Checks one answer: a status below 500, and a body that parses as its content type says.
fn well_formed(status: u16, content_type: &str, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        status < 500,
        "status {status}: {}",
        String::from_utf8_lossy(body)
    );
    if content_type.starts_with("application/json") && !body.is_empty() {
        serde_json::from_slice::<Value>(body).map_err(|e| {
            TestCaseError::fail(format!("bad JSON ({e}): {}", String::from_utf8_lossy(body)))
        })?;
    }
    if content_type.starts_with("text/event-stream") {
        let text = std::str::from_utf8(body)
            .map_err(|e| TestCaseError::fail(format!("SSE not UTF-8: {e}")))?;
        for data in text.lines().filter_map(|l| l.strip_prefix("data:")) {
            if !data.trim().is_empty() {
                serde_json::from_str::<Value>(data.trim())
                    .map_err(|e| TestCaseError::fail(format!("bad SSE data ({e}): {data}")))?;
            }
        }
    }
    Ok(())
}

#[test]
fn mcp_endpoint_answers_any_body_with_well_formed_http() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let env = rt.block_on(start(|_| {}));
    let http = reqwest::Client::new();
    let mut runner = TestRunner::new(config(500));
    runner
        .run(&(body(), headers()), |(body, headers)| {
            rt.block_on(async {
                let mut req = http.post(&env.url).body(body);
                for (name, value) in headers {
                    req = req.header(name, value);
                }
                let Ok(req) = req.build() else {
                    return Ok(()); // a header value reqwest will not send
                };
                let answer = tokio::time::timeout(CASE_LIMIT, async {
                    let r = http.execute(req).await?;
                    let status = r.status().as_u16();
                    let content_type = r
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    Ok::<_, reqwest::Error>((status, content_type, r.bytes().await?))
                })
                .await
                .map_err(|_| TestCaseError::fail("no answer in time"))?
                .map_err(|e| TestCaseError::fail(format!("no well-formed answer: {e}")))?;
                let (status, content_type, bytes) = answer;
                well_formed(status, &content_type, &bytes)
            })
        })
        .unwrap();
    // Still serving real clients.
    rt.block_on(async {
        let c = client(&env.url, None).await;
        c.cancel().await.unwrap();
    });
    drop(env);
}
