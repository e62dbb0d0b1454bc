//! No input makes the crate panic: random mixtures of log fragments, escapes, multi-byte
//! characters and odd JSON shapes go through every public function.

use failure_analysis::classify::{
    containers, failed_container, pod_from_task_run, select_container, tekton_refs,
};
use failure_analysis::framing::{frame_tool_output, neutralise};
use failure_analysis::issue::{AnalysisSource, IssueDraft, RenderOptions, render, sanitize_body};
use failure_analysis::log_hygiene::{
    ContextBudget, ExcerptOptions, excerpt, fit_tool_results, sanitize, truncate_to_tokens,
};
use failure_analysis::redact::redact;
use failure_analysis::{FailureInput, Fingerprint, IssueContext, classify, prepare_tool_output};
use serde_json::{Value, json};

mod fuzz;

/// Pieces that stress the parsers: escapes, fences, markers, secrets, multi-byte text.
const PIECES: &[&str] = &[
    "\n",
    "\r",
    "\t",
    " ",
    "\u{1b}[31m",
    "\u{1b}]0;",
    "\u{1b}",
    "\u{9b}",
    "\u{202e}",
    "\u{200b}",
    "é",
    "日本",
    "🦀",
    "error",
    "Error: building at STEP \"COPY ",
    "copier: stat: \"",
    "\": no such file or directory",
    "RUN ",
    "exit status ",
    "```",
    "~~~",
    "<!--",
    "-->",
    "<img src=x>",
    "![a](http://x)",
    "@admin",
    "password=",
    "token: ",
    "\"",
    "'",
    "Bearer ",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
    "</tool_output>",
    "<|im_start|>",
    "system:",
    "[INST]",
    "fatal: couldn't find remote ref ",
    "npm ERR! code ERESOLVE",
    "FAILED tests/x.py::t",
    "test result: FAILED. 1 passed; 2 failed",
    "ERROR: No matching distribution found for ",
    "sh: jq: not found",
    "{",
    "}",
    "[",
    "]",
    "\\",
    "0",
    "9999999999999999999999",
    "-retry",
    "%",
    "$",
    "a",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn text(&mut self, max_pieces: u64) -> String {
        let n = self.next() % max_pieces;
        (0..n)
            .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
            .collect()
    }
}

fn odd_pods(text: &str) -> Vec<Value> {
    vec![
        Value::Null,
        json!(text),
        json!([1, 2, 3]),
        json!({"status": {"containerStatuses": [null, 1, "x", {"name": text, "state": {"terminated": {"exitCode": "1"}}}]}}),
        json!({"spec": {"containers": {"name": "x"}}, "status": {"containerStatuses": {"a": 1}}}),
        json!({"metadata": {"name": text, "labels": {"tekton.dev/taskRun": 5}}, "status": {"containerStatuses": [
            {"name": "step-a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": {"terminated": {}}},
            {"name": "step-b", "state": {"terminated": {"exitCode": -1, "reason": text, "message": text}}}]}}),
        json!({"kind": "TaskRun", "status": {"steps": [{"name": text}, 7, {"container": "step-x", "terminated": {"exitCode": 137}}],
            "conditions": "nope"}}),
    ]
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let small = ExcerptOptions {
        tail_lines: 5,
        context_lines: 1,
        first_windows: 1,
        last_windows: 2,
        max_line_chars: 7,
        max_tokens: 40,
    };
    for round in 0..300 {
        let text = rng.text(60);
        let _ = sanitize(&text);
        let _ = excerpt(&text, &ExcerptOptions::default());
        let cut = excerpt(&text, &small);
        assert!(
            cut.estimated_tokens <= 40 + 12 || cut.kept_lines == 0,
            "round {round}: {cut:?}"
        );
        let _ = truncate_to_tokens(&text, (rng.next() % 20) as usize);
        let clean = redact(&text);
        assert_eq!(
            redact(&clean.text).counts.total(),
            0,
            "round {round}: not idempotent on {text:?}"
        );
        let _ = neutralise(&text);
        let _ = failure_analysis::classify::parse_object(&text);
        let _ = failure_analysis::classify::parse_events(&text);
        let framed = frame_tool_output("t", &text);
        assert_eq!(
            framed.matches("</tool_output>").count(),
            1,
            "round {round}: {framed:?}"
        );
        let _ = prepare_tool_output("pods_log", &text, &small);
        let _ = sanitize_body(&text, (rng.next() % 200) as usize);
        let mut results = vec![text.clone(), rng.text(30)];
        let _ = fit_tool_results(
            &ContextBudget::new(50 + (rng.next() % 500) as usize),
            10,
            &mut results,
        );
        for pod in odd_pods(&text) {
            let _ = containers(&pod);
            let _ = failed_container(&pod);
            let sel = select_container(&pod, Some(&text));
            let refs = tekton_refs(&pod);
            let _ = pod_from_task_run(&pod);
            let events = json!([{"type": "Warning", "reason": text, "message": text}, 3, null]);
            let c = classify(&FailureInput {
                pod: Some(&pod),
                task_run: Some(&pod),
                container: sel.container.as_deref(),
                events: Some(&events),
                log: &text,
            });
            let mut ctx = IssueContext::new(&text, Some(&text), &refs);
            ctx.notes.push(text.clone());
            let fp = Fingerprint::new(&ctx, &c);
            let issue = render(
                &IssueDraft {
                    analysis: &c,
                    context: &ctx,
                    fingerprint: &fp,
                    log_excerpt: Some(&text),
                    source: AnalysisSource::Fallback,
                    fallback_reason: Some(&text),
                },
                &RenderOptions {
                    max_body_chars: 500,
                    ..Default::default()
                },
            );
            assert_eq!(
                Fingerprint::parse(&issue.body),
                Some(fp),
                "round {round}: marker lost"
            );
        }
    }
}
