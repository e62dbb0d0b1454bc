//! The bare exit code of the failing step, read with the log's help: 127 and 126 name the
//! command, 137 and 143 the signal, anything else is a plain non-zero exit.

use std::sync::LazyLock;

use regex::Regex;

use super::pod::ContainerView;
use super::status::{StatusContext, finding, term_line};
use super::{Category, Confidence, Finding};
use crate::static_regex;

static NOT_FOUND_CMD: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(concat!(
        r"[^\s:]+: (?:line \d+: )?(?P<c1>[^:\s]+): command not found",
        r"|(?:^|\s)[\w/.-]*sh: (?:\d+: )?(?:line \d+: )?(?P<c2>[^:\s]+): not found",
        r#"|exec: "(?P<c3>[^"]+)": executable file not found"#,
        r#"|exec(?:ve)? ?\(?"?(?P<c4>[^"\s)]+)"?\)?: no such file or directory"#,
    ))
});

/// The exit code of the target container, with the log's help for 126/127.
pub(super) fn exit_code(ctx: &StatusContext<'_>, log: &str) -> Option<Finding> {
    let cmd_line = log.lines().find(|l| NOT_FOUND_CMD.is_match(l));
    let (c, t) = ctx
        .target
        .and_then(|c| c.terminated.as_ref().map(|t| (c, t)))?;
    if t.exit_code == 0 && cmd_line.is_none() {
        return None;
    }
    let code = t.exit_code;
    let mut f = match cmd_line {
        Some(line) => command_not_found(c, code, line),
        None if code == 127 => command_not_found(c, code, ""),
        None => by_code(c, code),
    };
    f.evidence.push(term_line(c, t, "state"));
    f.evidence.extend(cmd_line.map(str::to_owned));
    let errors = log.lines().filter(|l| crate::log_hygiene::is_error_line(l));
    let last: Vec<&str> = errors
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .take(3)
        .collect();
    f.evidence.extend(last.into_iter().rev().map(str::to_owned));
    Some(f)
}

/// The meaning of an exit code without a more specific log line.
fn by_code(c: &ContainerView, code: i64) -> Finding {
    match code {
        126 => finding(
            Category::NotExecutable,
            format!("{}: command not executable (exit 126)", c.name),
            format!(
                "Step `{}` found its command but could not execute it.",
                c.name
            ),
            "The file lacks the execute bit, is not a valid executable for the image's architecture, or sits on a noexec mount.",
            &[
                "Make the script executable (`chmod +x`, or `git update-index --chmod=+x`) or run it through its interpreter (`sh script.sh`).",
                "Check the binary matches the image architecture (amd64/arm64).",
                "Avoid running scripts from noexec volumes.",
            ],
        ),
        137 => finding(
            Category::Killed,
            format!("{} killed (SIGKILL, exit 137)", c.name),
            format!(
                "Step `{}` was killed with SIGKILL (exit code 137) without an OOMKilled reason.",
                c.name
            ),
            "Something outside the process killed it: a failed liveness probe, eviction under node pressure, or a forced stop after a timeout.",
            &[
                "Check the pod's events for eviction, probe failures or preemption.",
                "If memory is close to the limit, raise it anyway: the node may be under memory pressure.",
                "Check whether the run hit its timeout and was stopped.",
            ],
        ),
        143 => finding(
            Category::Terminated,
            format!("{} terminated (SIGTERM, exit 143)", c.name),
            format!(
                "Step `{}` was stopped with SIGTERM (exit code 143).",
                c.name
            ),
            "The run was cancelled, timed out, or the pod was deleted or preempted while the step was running.",
            &[
                "Check whether someone cancelled the PipelineRun or the pod was deleted.",
                "Check the run's timeout and the node's events (drain, preemption).",
                "Make the step handle SIGTERM if it needs to clean up.",
            ],
        ),
        _ => {
            let mut f = finding(
                Category::NonZeroExit,
                format!("{} exited with code {code}", c.name),
                format!("Step `{}` failed with exit code {code}.", c.name),
                "The step's command reported an error; the last error lines of its log show which.",
                &[
                    "Read the error lines of the step's log (below) and fix the command or its input.",
                    "Reproduce the command locally with the same image and revision.",
                ],
            );
            f.confidence = Confidence::Medium;
            f
        }
    }
}

/// Exit 127 (or a "not found" line): which command is missing.
fn command_not_found(c: &ContainerView, code: i64, line: &str) -> Finding {
    let cmd = NOT_FOUND_CMD
        .captures(line)
        .and_then(|m| ["c1", "c2", "c3", "c4"].iter().find_map(|n| m.name(n)))
        .map_or("a command".to_owned(), |m| format!("`{}`", m.as_str()));
    finding(
        Category::CommandNotFound,
        format!("{}: command not found (exit {code})", cmd.trim_matches('`')),
        format!(
            "Step `{}` ran {cmd}, which is not installed in its image or not on `PATH`.",
            c.name
        ),
        "The step's image does not contain the command, or the script has a typo or wrong path.",
        &[
            "Use an image that contains the command, or install it earlier in the step.",
            "Check the spelling and the path of the command in the step's script.",
            "Check the script's shebang line (`#!/bin/bash` on an image without bash fails the same way).",
        ],
    )
}
