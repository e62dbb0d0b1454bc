//! Detectors that recognise the error messages of known tools in a log: git (clone and
//! fetch), buildah/docker builds, pip/npm/cargo dependency resolution, and test runners.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Category, Confidence, Finding};
use crate::static_regex;

/// A pattern and the category it proves.
struct Pattern {
    category: Category,
    re: Regex,
}

fn pat(category: Category, re: &str) -> Pattern {
    Pattern {
        category,
        re: static_regex(re),
    }
}

/// Patterns in priority order: the first category with a matching line wins.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    use Category::*;
    vec![
        pat(
            GitAuth,
            r"fatal: could not read (?:Username|Password) for '(?P<url>[^']+)'",
        ),
        pat(
            GitAuth,
            r"fatal: Authentication failed for '(?P<url>[^']+)'",
        ),
        pat(
            GitAuth,
            r"remote: (?:Invalid username or password|HTTP Basic: Access denied)|Permission denied \(publickey|terminal prompts disabled",
        ),
        pat(
            GitRevisionNotFound,
            r#"fatal: couldn't find remote ref (?P<rev>[^\s\\"']+)"#,
        ),
        pat(
            GitRevisionNotFound,
            r"error: pathspec '(?P<rev>[^']+)' did not match any file",
        ),
        pat(
            GitRevisionNotFound,
            r#"fatal: Remote branch (?P<rev>[^\s\\"']+) not found"#,
        ),
        pat(
            GitRevisionNotFound,
            r#"fatal: (?:reference is not a tree|invalid reference): (?P<rev>[^\s\\"']+)"#,
        ),
        pat(
            GitClone,
            r"fatal: repository '(?P<url>[^']+)' not found|fatal: unable to access '(?P<url2>[^']+)'",
        ),
        pat(
            BuildCopyMissingFile,
            r#"copier: stat: "(?P<path>[^"]+)": no such file or directory"#,
        ),
        pat(
            BuildCopyMissingFile,
            r"COPY failed: (?:file not found in build context[^:]*: )?stat (?P<path>\S+): (?:file does not exist|no such file)",
        ),
        pat(
            BuildCopyMissingFile,
            r#"failed to compute cache key: [^"]*"(?P<path>[^"]+)": not found"#,
        ),
        pat(
            BuildFailed,
            r"(?i)no (?:Containerfile|Dockerfile) or (?:Containerfile|Dockerfile) specified|the specified (?:Containerfile|Dockerfile) or (?:Containerfile|Dockerfile) does not exist, (?P<path2>\S+?):? |stat (?P<path>\S*(?:Containerfile|Dockerfile)): no such file",
        ),
        pat(
            DependencyInstall,
            r"(?P<tool>ERROR): (?:Could not find a version that satisfies the requirement|No matching distribution found for) (?P<pkg>\S+)",
        ),
        pat(
            DependencyInstall,
            r"(?P<tool>ERROR): (?:ResolutionImpossible|Cannot install .* conflicting dependencies)",
        ),
        pat(
            DependencyInstall,
            r"(?P<tool>ERROR): Could not open requirements file: .*No such file or directory: '(?P<pkg>[^']+)'",
        ),
        pat(
            DependencyInstall,
            r"(?P<tool>npm) (?:ERR!|error) (?:code (?:ERESOLVE|ETARGET|E404)|notarget No matching version found for (?P<pkg>\S+)|404 Not Found - GET \S+/(?P<pkg2>[^\s/]+))",
        ),
        pat(
            DependencyInstall,
            r"(?P<tool>error): (?:failed to select a version for(?: the requirement)? `(?P<pkg>[^`]+)`|no matching package named `(?P<pkg2>[^`]+)`|failed to get `(?P<pkg3>[^`]+)` as a dependency)",
        ),
        pat(
            TestFailure,
            r"^FAILED (?P<test>\S+)|^=+ .*?(?P<n>\d+) failed",
        ),
        pat(
            TestFailure,
            r"test result: FAILED\. \d+ passed; (?P<n>\d+) failed|^--- FAIL: (?P<test>\S+)",
        ),
        pat(
            TestFailure,
            r"Tests:\s+(?P<n>\d+) failed|Tests run: \d+, Failures: (?P<n2>[1-9]\d*)|npm (?:ERR!|error) Test failed",
        ),
        pat(
            BuildRunFailed,
            r#"(?i)building at STEP "RUN (?P<cmd>[^"]*)": (?:while running runtime: )?exit status (?P<code>\d+)"#,
        ),
        pat(
            BuildRunFailed,
            r"The command '(?P<cmd>[^']*)' returned a non-zero code: (?P<code>\d+)",
        ),
        pat(
            BuildRunFailed,
            r#"process "(?P<cmd>[^"]*)" did not complete successfully: exit code: (?P<code>\d+)"#,
        ),
        pat(
            BuildFailed,
            r#"(?i)error:? building at STEP "(?P<instr>[^"]*)""#,
        ),
    ]
});

static STEP_INSTR: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"(?i)building at STEP "(?P<instr>(?:COPY|ADD) [^"]*)""#));
static CONTEXT_DIR: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r#"checking on sources under "(?P<ctx>[^"]+)""#));

/// The first category whose pattern matches a line of the log.
pub(super) fn detect(log: &str) -> Option<Finding> {
    let lines: Vec<&str> = log.lines().collect();
    for p in PATTERNS.iter() {
        let hit = lines
            .iter()
            .enumerate()
            .find_map(|(i, l)| p.re.captures(l).map(|c| (i, c)));
        if let Some((i, caps)) = hit {
            let mut f = describe(p.category, &caps, &lines, i);
            if f.evidence.is_empty() {
                f.evidence
                    .push(lines.get(i).copied().unwrap_or("").to_owned());
            }
            return Some(f);
        }
    }
    None
}

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

fn describe(category: Category, caps: &Captures<'_>, lines: &[&str], at: usize) -> Finding {
    let line = lines.get(at).copied().unwrap_or("");
    let f = |headline: String, summary: String, cause: String, fixes: Vec<String>| Finding {
        category,
        headline,
        summary,
        cause,
        fixes,
        evidence: vec![line.to_owned()],
        confidence: Confidence::High,
    };
    use Category::*;
    match category {
        GitAuth => {
            let url = cap(caps, &["url"]).unwrap_or("the repository");
            f(
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
        GitRevisionNotFound => {
            let rev = cap(caps, &["rev"]).unwrap_or("the requested revision");
            f(
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
        GitClone => {
            let url = cap(caps, &["url", "url2"]).unwrap_or("the repository");
            f(
                "git clone failed".into(),
                format!("Cloning `{url}` failed."),
                "The repository does not exist at that URL, or the git server is unreachable from the cluster.".into(),
                strings(&[
                    "Check the repository URL parameter of the pipeline.",
                    "Check that the git server resolves and is reachable from the cluster (proxy, network policy, TLS).",
                ]),
            )
        }
        BuildCopyMissingFile => copy_missing(caps, lines, at),
        BuildRunFailed => {
            let cmd = cap(caps, &["cmd"]).unwrap_or("").trim();
            let code = cap(caps, &["code"]).unwrap_or("?");
            let short: String = cmd.chars().take(60).collect();
            let mut out = f(
                format!("buildah RUN failed: `{short}` exited with {code}"),
                format!("The image build failed at `RUN {cmd}`, which exited with status {code}."),
                "A command in the Containerfile failed; its own output just above the build error says why.".into(),
                vec![
                    format!("Run `{cmd}` locally in the same base image to reproduce the error."),
                    "Fix the command or install what it needs in an earlier instruction.".into(),
                    "If it depends on the network (package downloads), check proxies and mirrors reachable from the cluster.".into(),
                ],
            );
            out.evidence = context_errors(lines, at);
            out
        }
        BuildFailed => {
            let what = cap(caps, &["path", "path2", "instr"]).unwrap_or("the build");
            f(
                format!("image build failed at {what}"),
                format!("The image build failed ({what})."),
                "The Containerfile is missing at the configured path, or an instruction in it is invalid.".into(),
                strings(&[
                    "Check the `DOCKERFILE`/`CONTEXT` parameters of the build task against the repository layout.",
                    "Validate the Containerfile locally with `buildah bud` or `podman build`.",
                ]),
            )
        }
        DependencyInstall => dependency(caps, lines, at),
        TestFailure => {
            let test = cap(caps, &["test"]);
            let n = cap(caps, &["n", "n2"]);
            let headline = match (n, test) {
                (Some(n), _) => format!("{n} test(s) failed"),
                (None, Some(t)) => format!("test failed: {t}"),
                (None, None) => "tests failed".into(),
            };
            let mut out = f(
                headline,
                "The test suite ran and reported failing tests.".into(),
                "A code change broke the tested behaviour, or the tests depend on something missing in the pipeline environment.".into(),
                strings(&[
                    "Run the failing tests locally at the same revision and fix the code or the test.",
                    "If they pass locally, compare the environment (services, env vars, timezone, resources).",
                ]),
            );
            out.evidence = lines
                .iter()
                .filter(|l| {
                    l.starts_with("FAILED") || l.contains("--- FAIL") || l.contains("failed")
                })
                .take(6)
                .map(|l| (*l).to_owned())
                .collect();
            out
        }
        _ => f(
            format!("{} failure", category.as_str()),
            line.to_owned(),
            String::new(),
            Vec::new(),
        ),
    }
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
