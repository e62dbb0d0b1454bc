//! What a matched log pattern means: the headline, summary, cause, fixes and evidence for
//! each tool's failure.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Category, Confidence, Finding};
use crate::static_regex;

static STEP_INSTR: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"(?i)building at STEP "(?P<instr>(?:COPY|ADD) [^"]*)""#));
static CONTEXT_DIR: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"checking on sources under "(?P<ctx>[^"]+)""#));

fn cap<'a>(caps: &'a Captures<'_>, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| caps.name(n)).map(|m| m.as_str())
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Builds the finding of a matched pattern.
pub(super) fn describe(
    category: Category,
    caps: &Captures<'_>,
    lines: &[&str],
    at: usize,
) -> Finding {
    use Category::*;
    let mut f = match category {
        GitAuth => git_auth(caps),
        GitRevisionNotFound => git_revision(caps),
        GitClone => git_clone(caps),
        BuildCopyMissingFile => return copy_missing(caps, lines, at),
        BuildRunFailed => run_failed(caps, lines, at),
        BuildFailed => build_failed(caps),
        DependencyInstall => return dependency(caps, lines, at),
        TestFailure => tests_failed(caps, lines),
        _ => high(
            category,
            format!("{} failure", category.as_str()),
            String::new(),
            String::new(),
            Vec::new(),
        ),
    };
    if f.evidence.is_empty() {
        f.evidence
            .push(lines.get(at).copied().unwrap_or("").to_owned());
    }
    f
}

/// A high-confidence finding without evidence yet.
fn high(
    category: Category,
    headline: String,
    summary: String,
    cause: String,
    fixes: Vec<String>,
) -> Finding {
    Finding {
        category,
        headline,
        summary,
        cause,
        fixes,
        evidence: Vec::new(),
        confidence: Confidence::High,
    }
}

fn git_auth(caps: &Captures<'_>) -> Finding {
    let url = cap(caps, &["url"]).unwrap_or("the repository");
    high(
        Category::GitAuth,
        "git clone failed: authentication required".into(),
        format!("Cloning `{url}` failed because git could not authenticate."),
        "The repository is private (or the URL points to a private mirror) and the pipeline has no valid git credentials.".into(),
        strings(&[
            "Provide credentials: a `basic-auth` or `ssh-directory` workspace for the git-clone task, or a Secret annotated for Tekton and linked to the `pipeline` service account.",
            "Check that the token or key is current and can read the repository.",
            "Check the repository URL (a typo in the owner or name also asks for credentials).",
        ]),
    )
}

fn git_revision(caps: &Captures<'_>) -> Finding {
    let rev = cap(caps, &["rev"]).unwrap_or("the requested revision");
    high(
        Category::GitRevisionNotFound,
        format!("git clone failed: revision {rev} not found"),
        format!("Fetching revision `{rev}` failed: it does not exist in the repository."),
        "The pipeline's revision parameter names a branch, tag or commit that does not exist (typo, deleted branch, unpushed commit).".into(),
        vec![
            format!("Check that `{rev}` exists in the repository (`git ls-remote <url> {rev}`)."),
            "Push the branch or tag, or fix the revision parameter of the PipelineRun.".into(),
            "For a commit SHA, make sure it is reachable from a branch the server advertises.".into(),
        ],
    )
}

fn git_clone(caps: &Captures<'_>) -> Finding {
    let url = cap(caps, &["url", "url2"]).unwrap_or("the repository");
    high(
        Category::GitClone,
        "git clone failed".into(),
        format!("Cloning `{url}` failed."),
        "The repository does not exist at that URL, or the git server is unreachable from the cluster.".into(),
        strings(&[
            "Check the repository URL parameter of the pipeline.",
            "Check that the git server resolves and is reachable from the cluster (proxy, network policy, TLS).",
        ]),
    )
}

fn run_failed(caps: &Captures<'_>, lines: &[&str], at: usize) -> Finding {
    let cmd = cap(caps, &["cmd"]).unwrap_or("").trim();
    let code = cap(caps, &["code"]).unwrap_or("?");
    let short: String = cmd.chars().take(60).collect();
    let mut f = high(
        Category::BuildRunFailed,
        format!("buildah RUN failed: `{short}` exited with {code}"),
        format!("The image build failed at `RUN {cmd}`, which exited with status {code}."),
        "A command in the Containerfile failed; its own output just above the build error says why.".into(),
        vec![
            format!("Run `{cmd}` locally in the same base image to reproduce the error."),
            "Fix the command or install what it needs in an earlier instruction.".into(),
            "If it depends on the network (package downloads), check proxies and mirrors reachable from the cluster.".into(),
        ],
    );
    f.evidence = context_errors(lines, at);
    f
}

fn build_failed(caps: &Captures<'_>) -> Finding {
    let what = cap(caps, &["path", "path2", "instr"]).unwrap_or("the build");
    high(
        Category::BuildFailed,
        format!("image build failed at {what}"),
        format!("The image build failed ({what})."),
        "The Containerfile is missing at the configured path, or an instruction in it is invalid."
            .into(),
        strings(&[
            "Check the `DOCKERFILE`/`CONTEXT` parameters of the build task against the repository layout.",
            "Validate the Containerfile locally with `buildah bud` or `podman build`.",
        ]),
    )
}

fn tests_failed(caps: &Captures<'_>, lines: &[&str]) -> Finding {
    let headline = match (cap(caps, &["n", "n2"]), cap(caps, &["test"])) {
        (Some(n), _) => format!("{n} test(s) failed"),
        (None, Some(t)) => format!("test failed: {t}"),
        (None, None) => "tests failed".into(),
    };
    let mut f = high(
        Category::TestFailure,
        headline,
        "The test suite ran and reported failing tests.".into(),
        "A code change broke the tested behaviour, or the tests depend on something missing in the pipeline environment.".into(),
        strings(&[
            "Run the failing tests locally at the same revision and fix the code or the test.",
            "If they pass locally, compare the environment (services, env vars, timezone, resources).",
        ]),
    );
    f.evidence = lines
        .iter()
        .filter(|l| l.starts_with("FAILED") || l.contains("--- FAIL") || l.contains("failed"))
        .take(6)
        .map(|l| (*l).to_owned())
        .collect();
    f
}

/// Up to five error lines before `at`, then the line itself: a failed RUN prints its own
/// error above buildah's summary line.
fn context_errors(lines: &[&str], at: usize) -> Vec<String> {
    let start = at.saturating_sub(40);
    let before = lines.get(start..at).unwrap_or(&[]);
    let mut errs: Vec<String> = before
        .iter()
        .filter(|l| crate::log_hygiene::is_error_line(l))
        .map(|l| (*l).to_owned())
        .collect();
    let keep = errs.len().saturating_sub(5);
    errs.drain(..keep);
    errs.push(lines.get(at).copied().unwrap_or("").to_owned());
    errs
}

fn copy_missing(caps: &Captures<'_>, lines: &[&str], at: usize) -> Finding {
    let path = cap(caps, &["path"]).unwrap_or("");
    let file = base_name(path);
    let near = lines
        .get(at.saturating_sub(5)..lines.len().min(at + 3))
        .unwrap_or(&[]);
    let instr = near
        .iter()
        .find_map(|l| STEP_INSTR.captures(l))
        .and_then(|c| c.name("instr"))
        .map(|m| m.as_str().to_owned());
    let ctx = near
        .iter()
        .find_map(|l| CONTEXT_DIR.captures(l))
        .and_then(|c| c.name("ctx"))
        .map(|m| m.as_str().to_owned());
    let instr = instr.unwrap_or_else(|| format!("COPY {file}"));
    let ctx_text = ctx
        .as_deref()
        .map(|c| format!(" (build context `{c}`)"))
        .unwrap_or_default();
    let mut evidence: Vec<String> = near
        .iter()
        .filter(|l| l.contains("STEP") || crate::log_hygiene::is_error_line(l))
        .map(|l| (*l).to_owned())
        .collect();
    if evidence.is_empty() {
        evidence.push(lines.get(at).copied().unwrap_or("").to_owned());
    }
    Finding {
        category: Category::BuildCopyMissingFile,
        headline: format!("buildah COPY failed, {file} not found"),
        summary: format!(
            "The image build failed at `{instr}`: `{file}` does not exist in the build context{ctx_text}."
        ),
        cause: format!(
            "The Containerfile copies `{file}`, but the built revision does not contain it there: the file was deleted, renamed or moved, is excluded by `.containerignore`/`.dockerignore`, or the build context points at the wrong directory."
        ),
        fixes: vec![
            format!("Restore `{file}` at the built revision (for example `git checkout main -- {file}` in the build directory, then commit and push), or build from a revision that has it."),
            format!("If the file moved, update `{instr}` in the Containerfile to its new path."),
            "Check the pipeline's `PATH_CONTEXT`/`CONTEXT` parameter points at the directory that holds the Containerfile and its files.".into(),
            format!("Make sure `{file}` is not excluded by `.containerignore` or `.dockerignore`."),
        ],
        evidence,
        confidence: Confidence::High,
    }
}

fn dependency(caps: &Captures<'_>, lines: &[&str], at: usize) -> Finding {
    let tool = match cap(caps, &["tool"]) {
        Some("ERROR") => "pip",
        Some("npm") => "npm",
        _ => "cargo",
    };
    let pkg = cap(caps, &["pkg", "pkg2", "pkg3"])
        .map(|p| p.trim_end_matches(['.', ',']))
        .unwrap_or("");
    let headline = if pkg.is_empty() {
        format!("{tool} could not resolve dependencies")
    } else {
        format!("{tool} dependency resolution failed: {pkg}")
    };
    let fixes: Vec<String> = match tool {
        "pip" => vec![
            format!("Check that `{pkg}` exists on the package index with a version matching the pin, for the image's Python version."),
            "Relax or fix the version pins in requirements.txt (conflicting pins cause ResolutionImpossible).".into(),
            "If a private index or proxy is needed, pass `--index-url` and make it reachable from the cluster.".into(),
        ],
        "npm" => vec![
            "Fix the conflicting or non-existent versions in package.json, then regenerate package-lock.json.".into(),
            "For peer-dependency conflicts (ERESOLVE), align the versions, or use `--legacy-peer-deps` as a stopgap.".into(),
            "Check the registry configuration (`.npmrc`) and access from the cluster.".into(),
        ],
        _ => vec![
            format!("Check that `{pkg}` and the requested version exist on the registry and are compatible with the other requirements."),
            "Update Cargo.lock (`cargo update -p <crate>`) or relax the version requirement.".into(),
            "Check the image's Rust version against the crate's `rust-version`.".into(),
        ],
    };
    Finding {
        category: Category::DependencyInstall,
        summary: format!("Installing dependencies with {tool} failed{}.", if pkg.is_empty() { String::new() } else { format!(" on `{pkg}`") }),
        headline,
        cause: "A dependency (or a version of it) cannot be found or conflicts with another requirement.".into(),
        fixes,
        evidence: context_errors(lines, at),
        confidence: Confidence::High,
    }
}
