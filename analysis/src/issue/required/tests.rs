//! Required facts of real classifications (the scenario cases `exit-127-command-not-found`,
//! `secrets-in-log` and the lab's COPY failure, as the classifier reports them), checked
//! against what SmolLM2-135M filed for them (agent/README.md, "Recorded comparison").

use super::*;
use crate::{Category, Confidence};

const JQ_LOG: &str = "+ oc get deploy agent -o json\n+ jq -r .status.readyReplicas\n/tekton/scripts/script-0-x7p3q: line 6: jq: command not found\n";

fn jq() -> Classification {
    Classification {
        category: Category::CommandNotFound,
        failing_step: Some("step-oc".into()),
        headline: "jq: command not found (exit 127)".into(),
        summary: "Step `step-oc` ran `jq`, which is not installed in its image or not on `PATH`."
            .into(),
        evidence: vec![
            "container step-oc: state terminated, reason Error, exit code 127".into(),
            "/tekton/scripts/script-0-x7p3q: line 6: jq: command not found".into(),
        ],
        probable_cause:
            "The step's image does not contain the command, or the script has a typo or wrong path."
                .into(),
        suggested_fixes: vec![
            "Use an image that contains the command, or install it earlier in the step.".into(),
        ],
        confidence: Confidence::High,
    }
}

fn git_auth() -> Classification {
    Classification {
        category: Category::GitAuth,
        failing_step: Some("step-clone".into()),
        headline: "git clone failed: authentication required".into(),
        summary: "Cloning `https://gitea.apps.cluster.example.com/user57/mcp.git/` failed because git could not authenticate.".into(),
        evidence: vec![
            "fatal: Authentication failed for 'https://gitea.apps.cluster.example.com/user57/mcp.git/'".into(),
        ],
        probable_cause: "The repository is private and the pipeline has no valid git credentials.".into(),
        suggested_fixes: vec!["Check that the token or key is current and can read the repository.".into()],
        confidence: Confidence::High,
    }
}

fn copy() -> Classification {
    Classification {
        category: Category::BuildCopyMissingFile,
        failing_step: Some("step-build".into()),
        headline: "buildah COPY failed, requirements.txt not found".into(),
        summary: "The image build failed at `COPY requirements.txt .`: `requirements.txt` does not exist in the build context (build context `/workspace/source/agent`).".into(),
        evidence: vec![
            "STEP 4/7: COPY requirements.txt .".into(),
            "Error: building at STEP \"COPY requirements.txt .\": checking on sources under \"/workspace/source/agent\": copier: stat: \"/requirements.txt\": no such file or directory".into(),
        ],
        probable_cause: "The Containerfile copies `requirements.txt`, but the built revision does not contain it there.".into(),
        suggested_fixes: vec!["Restore `requirements.txt` at the built revision.".into()],
        confidence: Confidence::High,
    }
}

#[test]
fn the_facts_come_from_the_headline_terms_the_evidence_has() {
    let f = required_facts(&jq(), Some(JQ_LOG));
    assert_eq!(f.title, ["jq"]);
    assert_eq!(f.body, ["step-oc", "jq"]);
    // "required" is the classifier's word, not the log's; the subject is the longest term.
    let f = required_facts(&git_auth(), None);
    assert_eq!(f.title, ["authentication"]);
    assert_eq!(f.body, ["step-clone", "git", "authentication"]);
    let log = "+ git clone https://gitea.apps.cluster.example.com/user57/mcp.git\nfatal: Authentication failed\n";
    let f = required_facts(&git_auth(), Some(log));
    assert_eq!(f.body, ["step-clone", "git", "clone", "authentication"]);
    // `buildah` is not in the evidence; `requirements.txt` is the subject (in backticks).
    let f = required_facts(&copy(), None);
    assert_eq!(f.title, ["requirements.txt"]);
    assert_eq!(f.body, ["step-build", "copy", "requirements.txt"]);
    // Nothing recognised, nothing required but the step.
    let unknown = Classification {
        category: Category::Unknown,
        failing_step: None,
        headline: "step failed".into(),
        summary: String::new(),
        evidence: Vec::new(),
        probable_cause: String::new(),
        suggested_fixes: Vec::new(),
        confidence: Confidence::Low,
    };
    assert_eq!(
        required_facts(&unknown, Some("whatever")),
        RequiredFacts::default()
    );
}

#[test]
fn facts_match_whole_words_in_any_case() {
    let facts: Vec<String> = vec!["jq".into(), "authentication".into(), "step-oc".into()];
    assert!(missing("JQ missing; Authentication failed in step-oc", &facts).is_empty());
    assert_eq!(
        missing("jquery failed; step-oci; authenticationless", &facts),
        facts
    );
}

/// The title SmolLM2-135M filed for `exit-127-command-not-found` (kept before: it names the
/// step) and the pre-analysis issue body of that case.
const SMOL_TITLE: &str = "Error: The step-oc failed to run the command, see the log";
const RENDERED: &str = "### Cluster/namespace location\n\n`agent-user57/build-agent-al2ut7-deploy-pod` (container `step-oc`)\n\n### Summary of the problem\n\nStep `step-oc` ran `jq`, which is not installed in its image or not on `PATH`.\n\n**Probable cause:** The step's image does not contain the command, or the script has a typo or wrong path.\n\n### Detailed error/code\n\n```text\ncontainer step-oc: state terminated, reason Error, exit code 127\n/tekton/scripts/script-0-x7p3q: line 6: jq: command not found\n```\n\n### Possible solutions\n\n1. Use an image that contains the command, or install it earlier in the step.\n\n---\nnamespace `agent-user57`\n\n<!-- failure-analysis:fingerprint v1 run=1 failure=2 -->\n";

#[test]
fn the_lost_title_fact_is_found_missing() {
    let f = required_facts(&jq(), Some(JQ_LOG));
    assert_eq!(missing(SMOL_TITLE, &f.title), ["jq"]);
    assert!(missing("build-agent: jq: command not found (exit 127)", &f.title).is_empty());
}

#[test]
fn what_the_model_left_out_is_restated_from_the_pre_analysis() {
    let f = required_facts(&jq(), Some(JQ_LOG));
    let model = "### Cluster/namespace location\n\nagent-user57\n\n### Summary of the problem\n\nThe deploy step failed to run a command.\n\n### Detailed error/code\n\n```\nexit code 127\n```\n\n### Possible solutions\n\n1. Fix the script.";
    let r = restate(model, RENDERED, &f.body).expect("facts are missing");
    assert_eq!(r.missing, ["step-oc", "jq"]);
    // The summary states both: one section is enough, its heading one level down.
    assert_eq!(r.sections, ["Summary of the problem"]);
    assert!(
        r.text
            .starts_with("_The model's text does not name `step-oc`, `jq`; the automatic pre-analysis states:_\n\n#### Summary of the problem\n\nStep `step-oc` ran `jq`"),
        "{}",
        r.text
    );
    assert!(
        !r.text.contains("fingerprint") && !r.text.contains("\n### "),
        "{}",
        r.text
    );
    // A model text naming them needs nothing.
    let good = "Step step-oc ran jq, which the image lacks.";
    assert_eq!(restate(good, RENDERED, &f.body), None);
    // A fact the pre-analysis does not state either is not restated.
    assert_eq!(restate("nothing", RENDERED, &["yq".to_string()]), None);
}

#[test]
fn a_fact_only_the_detailed_error_states_brings_that_section() {
    let facts = vec!["script-0-x7p3q".to_string()];
    let r = restate("The step failed.", RENDERED, &facts).expect("missing");
    assert_eq!(r.sections, ["Detailed error/code"]);
    assert!(
        r.text.contains("#### Detailed error/code\n\n```text\n"),
        "{}",
        r.text
    );
}

#[test]
fn a_title_without_the_subject_gets_the_headline_after_it() {
    assert_eq!(
        title_with_headline(SMOL_TITLE, "jq: command not found (exit 127)", 120),
        "Error: The step-oc failed to run the command, see the log — jq: command not found (exit 127)"
    );
    let long = "word ".repeat(40);
    let t = title_with_headline(&long, "jq: command not found (exit 127)", 60);
    assert_eq!(t.chars().count(), 60, "{t}");
    assert!(t.ends_with("… — jq: command not found (exit 127)"), "{t}");
    assert_eq!(
        title_with_headline("x", "a headline longer than the room", 10),
        "a headline longer than the room"
    );
}

#[test]
fn the_failed_step_alone_is_no_title_subject() {
    let exit1 = Classification {
        headline: "step-oc exited with code 1".into(),
        summary: "Step `step-oc` exited with code 1.".into(),
        evidence: vec!["container step-oc: state terminated, reason Error, exit code 1".into()],
        ..jq()
    };
    let f = required_facts(&exit1, None);
    assert!(f.title.is_empty(), "{f:?}");
    assert_eq!(f.body, ["step-oc"]);
}
