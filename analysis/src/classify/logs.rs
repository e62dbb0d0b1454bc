//! Detectors that recognise the error messages of known tools in a log: git (clone and
//! fetch), buildah/docker builds, pip/npm/cargo dependency resolution, and test runners.

use std::sync::LazyLock;

use regex::Regex;

use super::log_findings::describe;
use super::{Category, Finding};
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

/// The first category whose pattern matches a line of the log.
pub(super) fn detect(log: &str) -> Option<Finding> {
    let lines: Vec<&str> = log.lines().collect();
    for p in PATTERNS.iter() {
        let hit = lines
            .iter()
            .enumerate()
            .find_map(|(i, l)| p.re.captures(l).map(|c| (i, c)));
        if let Some((i, caps)) = hit {
            return Some(describe(p.category, &caps, &lines, i));
        }
    }
    None
}
