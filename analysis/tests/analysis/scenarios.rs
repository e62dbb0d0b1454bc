//! The scenario suite's deterministic half: every case under `tests/scenarios/` parses, and
//! for each, this crate's classifier, container selection, redaction, framing, issue renderer
//! and fingerprints do what the case expects on its fixture.

use std::path::{Path, PathBuf};

use failure_analysis::classify::{pod_from_task_run, select_container, tekton_refs};
use failure_analysis::framing::frame_tool_output;
use failure_analysis::issue::{AnalysisSource, IssueDraft, RenderOptions, render, sanitize_body};
use failure_analysis::log_hygiene::{ExcerptOptions, excerpt};
use failure_analysis::redact::redact;
use failure_analysis::scenario::{ExpectedClassification, ScenarioCase, load_cases};
use failure_analysis::{Classification, FailureInput, Fingerprint, IssueContext, classify};
use serde_json::Value;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

/// The deterministic view of one report: what the agent computes before any LLM call.
struct Analysed {
    classification: Classification,
    context: IssueContext,
    fingerprint: Fingerprint,
    excerpt: String,
    used_container: Option<String>,
    used_requested: bool,
}

fn analyse(case: &ScenarioCase, report: &failure_analysis::scenario::FailureReport) -> Analysed {
    let pod_name = report.pod_name.clone().unwrap_or_default();
    let task_run = case.task_run_for(&pod_name).or_else(|| {
        report
            .task_run
            .as_deref()
            .and_then(|t| case.task_run_for(t))
    });
    let live = case.pod(&pod_name).cloned();
    let pod = live
        .clone()
        .or_else(|| task_run.map(pod_from_task_run))
        .unwrap_or(Value::Null);
    let sel = select_container(&pod, report.container_name.as_deref());
    let container = sel.container.clone().unwrap_or_default();
    let log = case
        .log(&pod_name, &container, false)
        .expect("the case log is readable")
        .unwrap_or_default();
    let cut = excerpt(&log, &ExcerptOptions::default());
    let clean = redact(&cut.text).text;
    let events = Value::Array(case.events_for(&pod_name));
    let classification = classify(&FailureInput {
        pod: live.as_ref(),
        task_run,
        container: sel.container.as_deref(),
        events: Some(&events),
        log: &clean,
    });
    let mut context = IssueContext::new(
        &report.namespace,
        report.pod_name.as_deref(),
        &tekton_refs(&pod),
    );
    context.container = sel.container.clone();
    context.pipeline_run_uid = report
        .pipeline_run_uid
        .clone()
        .or_else(|| task_run.and_then(|t| tekton_refs(t).pipeline_run_uid));
    if context.pipeline_run.is_none() {
        context.pipeline_run = report.pipeline_run.clone();
    }
    let fingerprint = Fingerprint::new(&context, &classification);
    Analysed {
        classification,
        context,
        fingerprint,
        excerpt: clean,
        used_container: sel.container,
        used_requested: sel.used_requested,
    }
}

/// Checks one case; returns what is wrong (empty when it passes).
fn check(case: &ScenarioCase) -> Vec<String> {
    let mut errs = Vec::new();
    let e = &case.expect;
    let a = analyse(case, &case.request);
    let c = &a.classification;
    if let Some(want) = &e.classification {
        errs.extend(classification_errors(c, want));
    }
    if let Some(want) = &e.container
        && (a.used_container.as_deref() != Some(want.used.as_str())
            || a.used_requested == want.replaced)
    {
        errs.push(format!(
            "container {:?} (requested used: {}), expected {want:?}",
            a.used_container, a.used_requested
        ));
    }
    let framed = frame_tool_output("pods_log", &a.excerpt);
    if framed.matches("</tool_output>").count() != 1 || framed.contains("<|im_start|>") {
        errs.push("framing can be forged".into());
    }
    let draft = IssueDraft {
        analysis: c,
        context: &a.context,
        fingerprint: &a.fingerprint,
        log_excerpt: Some(&a.excerpt),
        source: AnalysisSource::Fallback,
        fallback_reason: Some("scenario check"),
    };
    let issue = render(&draft, &RenderOptions::default());
    if e.analysis_source == Some(AnalysisSource::Fallback) {
        for t in &e.title_contains {
            if !issue.title.contains(t.as_str()) {
                errs.push(format!("fallback title {:?} lacks {t:?}", issue.title));
            }
        }
        for b in &e.body_contains {
            if !issue.body.contains(b.as_str()) {
                errs.push(format!("fallback body lacks {b:?}"));
            }
        }
    }
    let scripted_bodies: Vec<String> = case
        .llm
        .turns
        .iter()
        .flat_map(|t| t.calls())
        .filter_map(|call| {
            call.arguments
                .get("body")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .map(|b| sanitize_body(&b, 30_000).0)
        .collect();
    errs.extend(scripted_issue_consistent(case));
    for secret in &e.secrets {
        let leaks = [
            ("excerpt", &a.excerpt),
            ("issue body", &issue.body),
            ("issue title", &issue.title),
        ];
        for (what, text) in leaks {
            if text.contains(secret.as_str()) {
                errs.push(format!("secret leaks into the {what}"));
            }
        }
        if scripted_bodies.iter().any(|b| b.contains(secret.as_str())) {
            errs.push("secret survives sanitising of the scripted issue body".into());
        }
        if c.evidence.iter().any(|l| l.contains(secret.as_str())) {
            errs.push("secret leaks into the evidence".into());
        }
    }
    if let Some(n) = e.duplicate_of {
        let existing = case.gitea.existing_issues.iter().find(|i| i.number == n);
        let parsed = existing.and_then(|i| Fingerprint::parse(&i.body));
        match parsed {
            Some(fp) if a.fingerprint.duplicate_of(&fp).is_some() => {}
            other => errs.push(format!(
                "issue #{n} fingerprint {other:?} does not match {:?}",
                a.fingerprint
            )),
        }
    }
    if e.issues_total == Some(1) {
        for f in &case.followups {
            let again = analyse(case, f);
            if again.fingerprint.duplicate_of(&a.fingerprint).is_none() {
                errs.push(format!("follow-up {:?} is not a duplicate", f.pod_name));
            }
        }
    }
    errs
}

fn classification_errors(c: &Classification, want: &ExpectedClassification) -> Vec<String> {
    let mut errs = Vec::new();
    if c.category != want.category {
        errs.push(format!(
            "category {:?}, expected {:?} ({})",
            c.category, want.category, c.headline
        ));
    }
    if let Some(step) = &want.failing_step
        && c.failing_step.as_ref() != Some(step)
    {
        errs.push(format!(
            "failing step {:?}, expected {step}",
            c.failing_step
        ));
    }
    for part in &want.headline_contains {
        if !c.headline.contains(part.as_str()) {
            errs.push(format!("headline {:?} lacks {part:?}", c.headline));
        }
    }
    errs
}

/// For a case where the model files the issue, the scripted issue (as the agent would
/// sanitise it) must already satisfy the title and body expectations: the case is coherent.
fn scripted_issue_consistent(case: &ScenarioCase) -> Vec<String> {
    let e = &case.expect;
    if e.analysis_source != Some(AnalysisSource::Llm) {
        return Vec::new();
    }
    let call = case
        .llm
        .turns
        .iter()
        .flat_map(|t| t.calls())
        .rfind(|c| c.name == "issue_write" || c.name == "create_issue");
    let Some(args) = call.map(|c| c.arguments) else {
        return vec!["no scripted issue call for an LLM-filed case".into()];
    };
    let title = args.get("title").and_then(Value::as_str).unwrap_or("");
    let body = sanitize_body(
        args.get("body").and_then(Value::as_str).unwrap_or(""),
        30_000,
    )
    .0;
    let mut errs: Vec<String> = e
        .title_contains
        .iter()
        .filter(|t| !title.contains(t.as_str()))
        .map(|t| format!("scripted title {title:?} lacks {t:?}"))
        .collect();
    errs.extend(
        e.body_contains
            .iter()
            .filter(|b| !body.contains(b.as_str()))
            .map(|b| format!("scripted body lacks {b:?}")),
    );
    errs
}

#[test]
fn every_case_loads_and_there_are_enough() {
    let cases = load_cases(&scenarios_dir()).unwrap();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), cases.len());
    for tag in [
        "lab",
        "injection",
        "llm-failure",
        "dedup",
        "secrets",
        "huge-log",
        "pod-deleted",
        "multi-container",
        "container-name-missing",
    ] {
        assert!(
            cases.iter().any(|c| c.tags.iter().any(|t| t == tag)),
            "no case tagged {tag}"
        );
    }
}

#[test]
fn deterministic_expectations_hold_for_every_case() {
    let cases = load_cases(&scenarios_dir()).unwrap();
    let mut failed = 0;
    let mut table = String::from("\nscenario                                   result  category\n");
    for case in &cases {
        let errs = check(case);
        let verdict = if errs.is_empty() { "pass" } else { "FAIL" };
        failed += usize::from(!errs.is_empty());
        let category = case
            .expect
            .classification
            .as_ref()
            .map_or("-", |c| c.category.as_str());
        table.push_str(&format!("{:<42} {verdict:<7} {category}\n", case.name));
        for e in errs {
            table.push_str(&format!("    - {e}\n"));
        }
    }
    println!("{table}");
    assert_eq!(failed, 0, "{table}");
}

/// Ordinary build, git, test and deploy logs are not redacted: every redaction in a case
/// without secrets would be a false positive hiding evidence.
#[test]
fn logs_without_secrets_are_not_redacted() {
    let cases = load_cases(&scenarios_dir()).unwrap();
    let mut checked = 0;
    for case in cases.iter().filter(|c| c.expect.secrets.is_empty()) {
        for log in case.cluster.logs.iter().filter(|l| l.generate.is_none()) {
            let text = case
                .log(&log.pod, &log.container, log.previous)
                .unwrap()
                .unwrap_or_default();
            let out = redact(&text);
            assert_eq!(
                out.counts.total(),
                0,
                "{}: {:?}\n{}",
                case.name,
                out.counts,
                out.text
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} logs checked");
}
