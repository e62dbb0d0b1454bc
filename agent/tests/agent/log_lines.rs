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
