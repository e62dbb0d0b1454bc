use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::support::fake_llm::{FakeLlm, issue_body, tool_calls};
use crate::support::{Harness, NS, Options, POD, bounded, lab_report};

/// Collects formatted log output in memory.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The process-wide subscriber, installed once: thread-local subscribers lose events when
/// other tests run in parallel, a global one does not. Lines of a run are told apart by its
/// run id.
fn captured() -> Buffer {
    static BUFFER: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    BUFFER
        .get_or_init(|| {
            let buffer = Buffer::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(buffer.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            buffer
        })
        .clone()
}

#[tokio::test]
async fn the_lines_the_lab_guide_points_at_are_logged_with_the_run_id() {
    let buffer = captured();
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("pods_log", json!({"namespace": NS, "name": POD}))]),
            tool_calls(&[("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "t", "body": issue_body(NS, POD)}))]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        let run_id = body["run_id"].as_str().unwrap().to_string();
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        for line in [
            "🚀 Pipeline Failure Agent - Starting up",
            "OpenShift: http://127.0.0.1:",
            "✅ openshift: connected",
            "Tools (2): [\"pods_log\", \"pods_delete\"]",
            "SSE message endpoint: http://127.0.0.1:",
            "📥 Received failure report",
            "Container: step-buildah",
            "┌─ Iteration 1/10",
            "🔧 Tool: pods_log",
            "Result: <tool_output",
            "📤 Sending response: success",
        ] {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
        // Every line of this run carries its id (other tests log into the same buffer).
        let ours: Vec<&str> = text.lines().filter(|l| l.contains(&format!("run_id={run_id}"))).collect();
        for line in ["📥 Received failure report", "┌─ Iteration 2/10", "🔧 Tool: issue_write", "📤 Sending response: success"] {
            assert!(ours.iter().any(|l| l.contains(line)), "{line:?} without the run id");
        }
        assert!(!text.contains("sk-test"), "the API key was logged");
    })
    .await
}

#[tokio::test]
async fn a_run_is_logged_under_the_callers_request_id() {
    let buffer = captured();
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("pods_log", json!({"namespace": NS, "name": POD}))]),
            tool_calls(&[("issue_write", json!({"method": "create", "owner": "user1", "repo": "mcp", "title": "t", "body": issue_body(NS, POD)}))]),
        ]);
        let h = Harness::start(llm, Options::default()).await;
        let r = h
            .http
            .post(h.url("/report-failure"))
            .header("x-request-id", "trace-me-4711")
            .json(&lab_report())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["x-request-id"], "trace-me-4711");
        let body: serde_json::Value = r.json().await.unwrap();
        let run_id = body["run_id"].as_str().unwrap().to_string();
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let ours: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("request_id=trace-me-4711"))
            .collect();
        for line in ["📥 Received failure report", "🔧 Tool: issue_write", "📤 Sending response: success"] {
            let found = ours.iter().find(|l| l.contains(line));
            let found = found.unwrap_or_else(|| panic!("{line:?} without the request id in:\n{text}"));
            assert!(found.contains(&format!("run_id={run_id}")), "{found}");
        }
    })
    .await
}

/// Each secret form the redactor gained for issue #16, as a pod log may carry it, and the
/// part that must not get out.
const LOGGED_SECRETS: &[(&str, &str)] = &[
    (
        "using token 0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
        "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d",
    ),
    (
        "git clone https://1f2e3d4c5b6a79808f7e6d5c4b3a291807f6e5d4@gitea/u/r.git",
        "1f2e3d4c5b6a79808f7e6d5c4b3a291807f6e5d4",
    ),
    (
        r#"{"sha1":"9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"}"#,
        "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
    ),
    (
        "login sha256~Qw3rTy7uIo9pAs1dFg5hJk2lZx8cVb4nMq6wEr0tYuI",
        "Qw3rTy7uIo9pAs1dFg5hJk2lZx8cVb4nMq6wEr0tYuI",
    ),
    (
        "+ curl -u admin:Pl4inPassw0rd https://nexus/x",
        "Pl4inPassw0rd",
    ),
    (
        "    - name: DB_PASSWORD\n      value: EnvS3cretValue",
        "EnvS3cretValue",
    ),
    (
        r#"{"name":"API_TOKEN","value":"JsonEnvS3cret9"}"#,
        "JsonEnvS3cret9",
    ),
    ("export DB_PASS=ShellPass42x", "ShellPass42x"),
    ("<password>MavenXmlPass7</password>", "MavenXmlPass7"),
    ("  password => 'RubyHashPass3'", "RubyHashPass3"),
    (
        "npm_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9",
        "npm_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9",
    ),
    (
        "pypi-AgEIcHlwaS5vcmcCJGQ3ZmE4YjQyLTk5",
        "pypi-AgEIcHlwaS5vcmcCJGQ3ZmE4YjQyLTk5",
    ),
    (
        ".dockerconfigjson: eyJjcmVkc1N0b3JlIjoiIiwiYXV0aHMiOnsicXVheS5pbyI6eyJhdXRoIjoiZFhObGNqcHdZWE56ZDI5eVpERXlNdz09In19fQ==",
        "eyJjcmVkc1N0b3JlIjoiIiwiYXV0aHMiOnsicXVheS5pbyI6eyJhdXRoIjoiZFhObGNqcHdZWE56ZDI5eVpERXlNdz09In19fQ==",
    ),
    (
        "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9c\nfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4p",
        "fCmZ/a/lkyU81lSvTfrXFCeg",
    ),
];

#[tokio::test]
async fn secrets_in_a_pod_log_reach_neither_the_model_nor_the_issue_nor_the_logs() {
    let buffer = captured();
    bounded(async {
        let llm = FakeLlm::scripted(vec![
            tool_calls(&[("pods_log", json!({"namespace": NS, "name": POD}))]),
            crate::support::fake_llm::budget_exceeded(),
        ]);
        let options = Options {
            hooks: Arc::new(agent::analysis_hooks::AnalysisHooks),
            ..Default::default()
        };
        let h = Harness::start(llm, options).await;
        let log: Vec<&str> = LOGGED_SECRETS.iter().map(|(line, _)| *line).collect();
        h.openshift
            .set_log(POD, &format!("{}\n{}", crate::support::LOG, log.join("\n")));
        let (status, body) = h.report(lab_report()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["fallback"], true, "{body}");
        let requests = serde_json::to_string(&h.llm.requests()).unwrap();
        let issue = &h.gitea.issues()[0];
        let filed = format!("{}\n{}", issue["title"], issue["body"]);
        let logged = String::from_utf8_lossy(&buffer.0.lock().unwrap()).to_string();
        for (_, secret) in LOGGED_SECRETS {
            assert!(!requests.contains(secret), "the model saw {secret}");
            assert!(!filed.contains(secret), "the issue has {secret}: {filed}");
            assert!(!logged.contains(secret), "the agent logged {secret}");
            assert!(
                !body.to_string().contains(secret),
                "the response has {secret}"
            );
        }
        assert!(
            requests.contains("[REDACTED:"),
            "the model saw no log: {requests}"
        );
    })
    .await
}
